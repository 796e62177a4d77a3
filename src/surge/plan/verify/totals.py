"""S and C recomputed from a plan's rows, and the checks that read them: overflow,
policy, the plan's claims and its optimality gap."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from surge.fmt import num, pct
from surge.plan.model import TOL, Plan, is_close
from surge.plan.verify.index import PlanIndex, codes, lookup
from surge.plan.verify.result import Found, slack
from surge.scenario.model import Scenario

EARTH_RADIUS_KM = 6371.0
COST_PARTS = ("activation", "operating", "purchase", "transport")


@dataclass(frozen=True)
class Totals:
    """``service`` S [unit-weeks] (and per demand), ``costs`` [currency] by part and
    ``total``; ``cost_terms`` is the size of the cost's terms (for tolerances)."""

    service: float
    service_by_demand: dict[str, float]
    costs: dict[str, float]
    cost_terms: float

    @property
    def cost(self) -> float:
        return self.costs["total"]


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance [km] on a sphere of radius 6371.0 km; arrays welcome."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def recompute(ix: PlanIndex) -> Totals:
    """S = sum_d weight_d * (sum_t backlog_d(t) + unmet_weeks_d * backlog_d(T-1));
    C = activation + hours x cost_per_hour + purchases + transport."""
    sc, d = ix.sc, ix.deliveries
    backlog = np.maximum(0.0, d.due.cumsum(axis=1) - d.delivered.cumsum(axis=1))
    weight = np.array([x.weight for x in sc.demands])
    unmet = np.array([x.unmet_weeks or 0 for x in sc.demands], dtype=float)
    per = weight * (backlog.sum(axis=1) + unmet * backlog[:, -1]) if len(weight) else weight
    p, b, s, lines = ix.production, ix.purchases, ix.shipments, ix.lines
    operating = float((p.hours * lines.cost_per_hour[p.line] * lines.active[p.line]).sum())
    price = np.array([o.unit_price for _, o in ix.code.offer_list])
    purchase = float((b.q * price[b.offer]).sum()) if len(b.q) else 0.0
    lat = np.array([x.lat for x in sc.sites])
    lon = np.array([x.lon for x in sc.sites])
    kg = np.array([x.weight_kg for x in sc.items])
    km = haversine_km(lat[s.src], lon[s.src], lat[s.dst], lon[s.dst])
    transport = float((s.q * kg[s.item] * km).sum() * sc.transport.cost_per_kg_km)
    costs = {"activation": float(lines.activation_cost), "operating": operating,
             "purchase": purchase, "transport": transport}
    costs["total"] = sum(costs.values())
    return Totals(service=float(per.sum()),
                  service_by_demand={x.id: float(v) for x, v in zip(sc.demands, per, strict=True)},
                  costs=costs, cost_terms=sum(abs(x) for x in costs.values()))


def overflow(totals: Totals) -> Found:
    """Recomputed S and C must be finite: an overflow never passes (inf in a tolerance
    would let anything through)."""
    found = Found()
    numbers = {"service S": totals.service, "cost C": totals.cost, **totals.costs}
    found.count("overflow", len(numbers))
    for name, x in numbers.items():
        if not math.isfinite(x):
            found.add("overflow", (name,), None,
                      f"{name} recomputed from the plan is {x}: the plan's numbers overflow")
    return found


def policy(ix: PlanIndex, totals: Totals) -> Found:
    """Budget, share of one organization's output, share of restricted origins."""
    found, pol = Found(), ix.sc.policy
    cost = totals.cost
    if pol.budget is not None:
        found.count("policy-budget")
        if cost - pol.budget > slack(pol.budget, totals.cost_terms):
            found.add("policy-budget", ("budget",), None,
                      f"the plan costs {num(cost)}, over the budget of {num(pol.budget)} "
                      f"by {num(cost - pol.budget)}", cost - pol.budget)
    if pol.max_share_per_organization is not None:
        found += organization_share(ix, pol.max_share_per_organization)
    if pol.restricted_origins is not None:
        found += restricted_origins(ix, pol.restricted_origins.countries,
                                    pol.restricted_origins.max_share)
    return found


def organization_share(ix: PlanIndex, share: float) -> Found:
    """For each demanded item: good output on one organization's lines <= share x all."""
    found, sc, p = Found(), ix.sc, ix.production
    orgs = codes(o.id for o in sc.organizations)
    org_of_line = np.array([orgs[sc.sites[s].organization] for s in ix.code.site_of_line],
                           dtype=np.int64)
    produces = lookup(ix.code.items, [o.produces for o in sc.operations])
    nI, nO = len(sc.items), len(sc.organizations)
    out = np.zeros((nI, nO))
    np.add.at(out, (produces[p.op], org_of_line[p.line]), p.q)
    total = out.sum(axis=1)
    demanded = sorted({ix.code.items[d.item] for d in sc.demands})
    found.count("policy-organization-share", len(demanded) * nO)
    for k in demanded:
        cap = share * total[k]
        for g in np.flatnonzero(out[k] - cap > slack(cap, total[k])):
            found.add("policy-organization-share", (sc.organizations[g].id, sc.items[k].id),
                      None,
                      f"{sc.organizations[g].id} makes {num(out[k, g])} of the "
                      f"{num(total[k])} {sc.items[k].id} made ({pct(out[k, g], total[k])}); "
                      f"one organization may make at most {num(100 * share)}%",
                      out[k, g] - cap)
    return found


def restricted_origins(ix: PlanIndex, countries: list[str], max_share: float) -> Found:
    """For each item: units ordered from the restricted countries <= max_share x all."""
    found, sc, b = Found(), ix.sc, ix.purchases
    offer_list, restricted_set = ix.code.offer_list, set(countries)
    restricted = np.array([s.country in restricted_set for s, _ in offer_list], dtype=bool)
    item_of = lookup(ix.code.items, [o.item for _, o in offer_list])
    nI = len(sc.items)
    total, limited = np.zeros(nI), np.zeros(nI)
    np.add.at(total, item_of[b.offer], b.q)
    np.add.at(limited, item_of[b.offer], b.q * restricted[b.offer])
    cap = max_share * total
    found.count("policy-restricted-origins", nI)
    for k in np.flatnonzero(limited - cap > slack(cap, total)):
        found.add("policy-restricted-origins", (sc.items[k].id,), None,
                  f"{num(limited[k])} of the {num(total[k])} {sc.items[k].id} ordered "
                  f"({pct(limited[k], total[k])}) come from {', '.join(sorted(restricted_set))}; "
                  f"at most {num(100 * max_share)}% may", limited[k] - cap[k])
    return found


def claims(sc: Scenario, plan: Plan, totals: Totals) -> Found:
    """The plan's own S, C, cost breakdown (and value) match the recomputed ones; its
    bounds are not above what they bound."""
    found = Found()
    obj, costs = plan.objective, plan.costs
    _claim(found, "claimed-service", "objective.service", obj.service, totals.service)
    _claim(found, "claimed-cost", "objective.cost", obj.cost, totals.cost)
    for part in (*COST_PARTS, "total"):
        claimed = getattr(costs, part) if costs is not None else None
        _claim(found, "claimed-cost", f"costs.{part}", claimed, totals.costs[part])
    extra = obj.model_extra or {}
    pairs: list[tuple[str, Any, Any]]
    if sc.objective.mode == "weighted":
        value = totals.cost + sc.objective.late_penalty * totals.service
        _claim(found, "claimed-value", "objective.value", extra.get("value"), value)
        pairs = [("objective.bound", extra.get("bound"), extra.get("value"))]
    else:
        pairs = [("objective.service_bound", obj.service_bound, obj.service),
                 ("objective.cost_bound", obj.cost_bound, obj.cost)]
    for key, bound, claimed_value in pairs:
        if isinstance(bound, (int, float)) and isinstance(claimed_value, (int, float)):
            found.count("claimed-bound")
            if bound > claimed_value and not is_close(bound, claimed_value):
                found.add("claimed-bound", (key,), None,
                          f"{key} is {num(bound)}, above the value {num(claimed_value)} it "
                          "bounds from below")
    return found


def _claim(found: Found, rule: str, key: str, claimed: Any, actual: float) -> None:
    found.count(rule)
    if not isinstance(claimed, (int, float)) or isinstance(claimed, bool):
        found.add(rule, (key,), None, f"{key} is missing (null); the plan's numbers give "
                  f"{num(actual)}")
    elif not is_close(float(claimed), actual):
        found.add(rule, (key,), None, f"{key} is {num(claimed)} but the plan's own numbers give "
                  f"{num(actual)} (claimed minus recomputed: {num(claimed - actual)})",
                  abs(claimed - actual))


def optimal_gap(sc: Scenario, plan: Plan) -> Found:
    """A plan claimed ``optimal`` has its value and proven bound within the gap."""
    found = Found()
    if plan.status != "optimal":
        return found
    obj, gap = plan.objective, sc.objective.mip_gap
    extra = obj.model_extra or {}
    pairs: list[tuple[str, Any, Any]]
    if sc.objective.mode == "weighted":
        pairs = [("objective.value", extra.get("value"), extra.get("bound"))]
    else:
        pairs = [("objective.service", obj.service, obj.service_bound),
                 ("objective.cost", obj.cost, obj.cost_bound)]
    for key, value, bound in pairs:
        if not (isinstance(value, (int, float)) and isinstance(bound, (int, float))):
            continue
        found.count("optimal-gap")
        allowed = max(gap, TOL) * max(abs(value), 1.0) + TOL
        if not (math.isfinite(value) and math.isfinite(bound)) or value - bound > allowed:
            found.add("optimal-gap", (key,), None,
                      f"the plan says optimal, but {key} {num(value)} and its bound "
                      f"{num(bound)} are {num(value - bound)} apart, more than the mip_gap "
                      f"of {num(gap)} allows")
    return found
