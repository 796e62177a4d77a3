"""A scenario or plan document cut to one organisation's part.

A manufacturer sees its own sites and lines, what is made on them, bought for them and
shipped from or to them; the far end of a shipment to another organisation's site is
written as :data:`ELSEWHERE`, so no other organisation's site id ever leaves the service.
"""

from __future__ import annotations

import copy
from typing import Any

ELSEWHERE = "(another organization)"
_PLAN_KEYS = ("surge_plan", "scenario", "status", "objective")


def own_sites_and_lines(scenario: dict[str, Any], organization: str) -> tuple[set[str], set[str]]:
    """Ids of the sites and lines of ``organization`` in a scenario document."""
    sites = {s["id"] for s in scenario.get("sites", []) if s.get("organization") == organization}
    lines = {ln["id"] for ln in scenario.get("lines", []) if ln.get("site") in sites}
    return sites, lines


def organizations_named(scenario: dict[str, Any]) -> set[str]:
    """Every organisation id a scenario document names (organisations and site owners)."""
    orgs = scenario.get("organizations", [])
    named = {o["id"] for o in orgs if isinstance(o, dict) and "id" in o}
    return named | {s["organization"] for s in scenario.get("sites", []) if "organization" in s}


def cut_scenario(scenario: dict[str, Any], organization: str) -> dict[str, Any]:
    """The part of ``scenario`` that belongs to ``organization``.

    Shared data (items, operations, suppliers, the horizon) is kept; organisations, sites,
    lines (with their ``committed`` state), demands, stock, receipts and line risks of
    anyone else are left out.
    """
    doc = copy.deepcopy(scenario)
    sites, lines = own_sites_and_lines(scenario, organization)
    doc["organizations"] = [o for o in doc.get("organizations", []) if o.get("id") == organization]
    doc["sites"] = [s for s in doc.get("sites", []) if s["id"] in sites]
    doc["lines"] = [ln for ln in doc.get("lines", []) if ln["id"] in lines]
    doc["demands"] = [d for d in doc.get("demands", []) if d.get("site") in sites]
    doc["inventory"] = [s for s in doc.get("inventory", []) if s.get("site") in sites]
    if "receipts" in doc:  # a rolled scenario: what is under way, per site
        doc["receipts"] = [r for r in doc["receipts"] if r.get("site") in sites]
    policy = doc.get("policy")
    if isinstance(policy, dict):
        policy.pop("budget", None)
    risk = doc.get("uncertainty")
    if isinstance(risk, dict) and isinstance(risk.get("lines"), dict):
        risk["lines"] = {k: v for k, v in risk["lines"].items() if k in lines or k == "*"}
    return doc


def cut_plan(plan: dict[str, Any], scenario: dict[str, Any], organization: str) -> dict[str, Any]:
    """The rows of ``plan`` that concern ``organization`` (plan format v1 keys only).

    Activations and production on its lines, purchases at its sites, shipments from or to
    its sites (the other end, if not its own, as :data:`ELSEWHERE`) and deliveries of the
    demands at its sites. The message and the cost breakdown are left out.
    """
    sites, lines = own_sites_and_lines(scenario, organization)
    demands = {d["id"] for d in scenario.get("demands", []) if d.get("site") in sites}
    out: dict[str, Any] = {k: copy.deepcopy(plan[k]) for k in _PLAN_KEYS if k in plan}
    out["message"] = ""
    out["activations"] = [r for r in plan.get("activations", []) if r["line"] in lines]
    out["production"] = [r for r in plan.get("production", []) if r["line"] in lines]
    out["purchases"] = [r for r in plan.get("purchases", []) if r["site"] in sites]
    shipments = []
    for r in plan.get("shipments", []):
        if r["from"] in sites or r["to"] in sites:
            row = dict(r)
            for end in ("from", "to"):
                if row[end] not in sites:
                    row[end] = ELSEWHERE
            shipments.append(row)
    out["shipments"] = shipments
    out["deliveries"] = [r for r in plan.get("deliveries", []) if r["demand"] in demands]
    return out
