"""A first plan fast at any size: greedy line conversion, then one LP.

The relaxation of a large model can take minutes; a plan that uses few, cheap lines can be
found in seconds. The construction picks lines greedily, cheapest per offered hour first,
until the hours each capability needs (its usual routes, for the demand, with a margin) are
covered, no organisation counting for more than the policy's share. Those activations
(each from its option's earliest start) are fixed and one LP gives production, purchases
and flows; options left idle are switched off. The result is the stages' first incumbent
and warm start (docs/model.md, "Construction").
"""

from __future__ import annotations

import numpy as np

from surge.optimize.model import Built


def required_hours(b: Built) -> dict[str, float]:
    """Line hours each capability needs if every item is made by its usual (first)
    operation, for all demanded units [h]."""
    sc = b.d.sc
    usual: dict[str, int] = {}
    for p, op in enumerate(sc.operations):
        usual.setdefault(op.produces, p)
    demand: dict[str, float] = {}
    for dm in sc.demands:
        demand[dm.item] = demand.get(dm.item, 0.0) + dm.total
    stock: dict[str, float] = {}
    for s in sc.inventory:
        stock[s.item] = stock.get(s.item, 0.0) + s.quantity
    need: dict[str, float] = {}

    def grow(item: str, qty: float, depth: int = 0) -> None:
        need[item] = need.get(item, 0.0) + qty
        p = usual.get(item)
        if p is None or depth > 50:
            return
        op = sc.operations[p]
        for inp, a in op.consumes.items():
            grow(inp, qty * a / op.yield_, depth + 1)

    for item, qty in demand.items():
        grow(item, max(0.0, qty - stock.get(item, 0.0)))
    hours: dict[str, float] = {}
    for item, qty in need.items():
        route = usual.get(item)
        if route is not None:
            cap = sc.operations[route].capability
            hours[cap] = hours.get(cap, 0.0) + qty * float(b.hours_per_good[route])
    return hours


def offered_hours(b: Built) -> np.ndarray:
    """Hours each option offers over the horizon when started at its earliest week [h]."""
    d = b.d
    out = np.zeros(len(d.opt_id))
    for k in range(len(d.opt_id)):
        ready = int(d.opt_est[k] + d.opt_lead[k])
        ramp = d.opt_ramp[k]
        weeks = max(0, d.T - ready)
        out[k] = d.opt_hours[k] * sum(ramp[j] if j < len(ramp) else 1.0 for j in range(weeks))
    return out


def greedy_options(b: Built, cover: float) -> list[int]:
    """Options chosen greedily, cheapest per offered hour first, until every needed
    capability has ``cover`` times its required hours (at most one option per line; an
    organisation's hours count up to the policy's share of the target)."""
    d, sc = b.d, b.d.sc
    need = required_hours(b)
    hours = offered_hours(b)
    T = d.T
    ready = d.opt_est + d.opt_lead
    total_cost = d.opt_fixed + d.opt_weekly * np.maximum(0, T - ready)
    per_hour = np.where(hours > 0, total_cost / np.maximum(hours, 1e-9) + d.opt_cph, np.inf)
    share = sc.policy.max_share_per_organization or 1.0
    org_of = {s.id: s.organization for s in sc.sites}
    target = {c: cover * h for c, h in need.items() if h > 0}
    got = {c: 0.0 for c in target}
    by_org: dict[tuple[str, str], float] = {}
    used_lines: set[str] = set()
    chosen = []
    for k in np.argsort(per_hour, kind="stable"):
        if not np.isfinite(per_hour[k]) or d.opt_line[k] in used_lines:
            continue
        caps = [c for c in d.opt_caps[k] if c in target and got[c] < target[c]]
        if not caps:
            continue
        org = org_of[d.opt_site[k]]
        useful = False
        for c in caps:
            room = share * target[c] - by_org.get((org, c), 0.0)
            add = min(hours[k], max(0.0, room))
            if add > 0:
                by_org[(org, c)] = by_org.get((org, c), 0.0) + add
                got[c] += add
                useful = True
        if useful:
            chosen.append(int(k))
            used_lines.add(d.opt_line[k])
        if all(got[c] >= target[c] for c in target):
            break
    return sorted(chosen)


def activation_fix(b: Built, options: list[int]) -> dict[int, float]:
    """Activation values (by label): the given options on from their earliest start, every
    other option off."""
    on = set(options)
    fix: dict[int, float] = {}
    for k in range(len(b.d.opt_id)):
        for lab in b.act[k]:
            if lab >= 0:
                fix[int(lab)] = float(k in on)
    return fix


def fix_from_plan(b: Built, x: np.ndarray) -> dict[int, float]:
    """Activation values (by label) of a plan ``x``, rounded: to re-solve its LP."""
    fix: dict[int, float] = {}
    for lab in b.act[b.act >= 0]:
        fix[int(lab)] = float(round(float(np.nan_to_num(x[lab]))))
    return fix


COVERS = (1.5, 3.0)  # margins over the required hours, tried in turn by the service stage


def construction_fixes(b: Built, stage: str, start: np.ndarray) -> list[tuple[dict[int, float],
                                                                           float]]:
    """Activations to try first in a stage, each with its share of the time left [-].

    The cost stage re-solves its start's activations for cost (the service stage's plan
    minimised lateness only); the service stage tries the greedy lines with a margin of
    1.5, then 3, over the required hours (it stops at the first plan with ``S = 0``); the
    weighted stage tries the 1.5 margin.
    """
    if stage == "cost":
        return [(fix_from_plan(b, start), 0.25)]
    covers = COVERS if stage == "service" else COVERS[:1]
    return [(activation_fix(b, greedy_options(b, c)), 0.15) for c in covers]
