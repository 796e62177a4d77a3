"""Shortfall diagnosis: which due dates a plan misses, by how much, and what stands upstream.

For every due date of every demand, the plan's cumulative deliveries by the due week are
compared with the cumulative quantity due; a miss names the lines, supplier offers and
policy rules *upstream* of the late item (through the bill of materials) that the plan uses
to the full in the weeks up to the due week. Everything is read from the plan's own rows.

>>> from surge.plan.model import Plan
>>> from surge.scenario import load
>>> sc = load("examples/minimal.yaml")
>>> [m.short for m in missed_due_dates(sc, Plan(scenario=sc.name, status="feasible"))]
[200.0]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from surge.explain.bottlenecks import _runs
from surge.plan.model import TOL, Plan
from surge.scenario.due import due_per_week
from surge.scenario.model import Scenario

SATURATED = 1 - 1e-6  # a capacity used to this share or more is saturated


@dataclass
class Limit:
    """A capacity or rule used to the full in weeks ``first_week..last_week``."""

    kind: str         # line | supplier | budget | organization-share | restricted-origins
    object: str
    label: str
    first_week: int | None
    last_week: int | None
    detail: str

    @property
    def weeks(self) -> str:
        if self.first_week is None:
            return "over the horizon"
        if self.first_week == self.last_week:
            return f"in week {self.first_week}"
        return f"in weeks {self.first_week}-{self.last_week}"


@dataclass
class Miss:
    """A due date missed: ``short`` units of ``due_cum`` were not delivered by ``due_week``."""

    demand: str
    item: str
    site: str
    due_week: int
    due_cum: float
    delivered_cum: float
    short: float
    complete_week: int | None    # week the cumulative due is reached, None: never
    upstream: list[Limit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def upstream_items(sc: Scenario, item: str) -> set[str]:
    """``item`` and every item its bill of materials uses, at any depth."""
    seen, todo = {item}, [item]
    while todo:
        current = todo.pop()
        for op in sc.operations:
            if op.produces == current:
                for used in op.consumes:
                    if used not in seen:
                        seen.add(used)
                        todo.append(used)
    return seen


def missed_due_dates(sc: Scenario, plan: Plan) -> list[Miss]:
    """Every due date the plan misses (cumulatively), earliest first, with amounts."""
    T = sc.weeks
    delivered = {d.id: np.zeros(T) for d in sc.demands}
    for row in plan.deliveries:
        delivered[row.demand][row.week] += row.quantity
    misses = []
    for d in sc.demands:
        due = due_per_week(d, T)
        cum_due, cum_del = np.cumsum(due), np.cumsum(delivered[d.id])
        for week in sorted({x.week for x in d.due}):
            short = float(cum_due[week] - cum_del[week])
            if short > TOL * max(1.0, cum_due[week]):
                reached = np.nonzero(cum_del >= cum_due[week] - TOL * max(1.0, cum_due[week]))[0]
                misses.append(Miss(d.id, d.item, d.site, week, float(cum_due[week]),
                                   float(cum_del[week]), short,
                                   int(reached[0]) if reached.size else None))
    misses.sort(key=lambda m: (m.due_week, m.demand))
    return misses


def diagnose(sc: Scenario, plan: Plan) -> list[Miss]:
    """:func:`missed_due_dates`, each with the saturated limits upstream of its item."""
    misses = missed_due_dates(sc, plan)
    if not misses:
        return misses
    limits = saturated_limits(sc, plan)
    for miss in misses:
        items = upstream_items(sc, miss.item)
        for lim, lim_items in limits:
            if not items & lim_items:
                continue
            if lim.first_week is None:
                miss.upstream.append(lim)
            elif lim.first_week <= miss.due_week:
                miss.upstream.append(Limit(lim.kind, lim.object, lim.label, lim.first_week,
                                           min(lim.last_week or 0, miss.due_week), lim.detail))
    return misses


def saturated_limits(sc: Scenario, plan: Plan) -> list[tuple[Limit, set[str]]]:
    """Every capacity or rule the plan uses to the full, with the items it concerns."""
    T = sc.weeks
    out: list[tuple[Limit, set[str]]] = []
    ops = sc.by_id("operations")
    lines = sc.by_id("lines")
    used = {ln: np.zeros(T) for ln in lines}
    for row in plan.production:
        op = ops[row.operation]
        used[row.line][row.week] += row.quantity * op.hours_per_unit / op.yield_
    for a in plan.activations:
        opt = next(o for o in lines[a.line].options if o.id == a.option)
        offered = np.array([opt.hours_per_week * opt.ramp(t - a.ready_week) for t in range(T)])
        full = (offered > 0) & (used[a.line] >= SATURATED * offered)
        items = {op.produces for op in sc.operations if op.capability in opt.capabilities}
        for first, last in _runs(full):
            out.append((Limit("line", a.line, f"line {lines[a.line].name or a.line}", first, last,
                              f"all {opt.hours_per_week:,.0f} h a week used"), items))
    ordered: dict[tuple[str, str], np.ndarray] = {}
    for buy in plan.purchases:
        ordered.setdefault((buy.supplier, buy.item), np.zeros(T))[buy.week] += buy.quantity
    for sup in sc.suppliers:
        for offer in sup.offers:
            q = ordered.get((sup.id, offer.item))
            if q is None:
                continue
            cap = np.array([offer.capacity(t) for t in range(T)])
            full = (cap > 0) & (q >= SATURATED * cap)
            for first, last in _runs(full):
                out.append((Limit("supplier", f"{sup.id}/{offer.item}",
                                  f"{offer.item} from {sup.name or sup.id}", first, last,
                                  f"every unit offered ordered, {cap[first]:,.0f} a week"),
                            {offer.item}))
    out += _policy_limits(sc, plan)
    return out


def _policy_limits(sc: Scenario, plan: Plan) -> list[tuple[Limit, set[str]]]:
    out: list[tuple[Limit, set[str]]] = []
    pol = sc.policy
    all_items = {i.id for i in sc.items}
    cost = plan.objective.cost if plan.objective.cost is not None else (
        plan.costs.total if plan.costs else None)
    if pol.budget is not None and cost is not None and cost >= SATURATED * pol.budget:
        out.append((Limit("budget", "budget", "the budget", None, None,
                          f"{cost:,.0f} of {pol.budget:,.0f} {sc.currency} spent"), all_items))
    share = pol.max_share_per_organization
    if share is not None and share < 1:
        org_of = {ln.id: sc.by_id("sites")[ln.site].organization for ln in sc.lines}
        made: dict[str, dict[str, float]] = {}
        for row in plan.production:
            item = sc.by_id("operations")[row.operation].produces
            by_org = made.setdefault(item, {})
            by_org[org_of[row.line]] = by_org.get(org_of[row.line], 0.0) + row.quantity
        for item, by_org in sorted(made.items()):
            total = sum(by_org.values())
            for org, q in sorted(by_org.items()):
                if total > 0 and q >= SATURATED * share * total:
                    out.append((Limit("organization-share", f"{item}/{org}",
                                      f"the share rule on {org}", None, None,
                                      f"{org} makes {q / total:.0%} of {item}, the most allowed"),
                                {item}))
    ro = pol.restricted_origins
    if ro is not None and ro.max_share < 1:
        country = {s.id: s.country for s in sc.suppliers}
        offered_restricted = {o.item for s in sc.suppliers if s.country in ro.countries
                              for o in s.offers}
        bought: dict[str, list[float]] = {}
        for buy in plan.purchases:
            tot = bought.setdefault(buy.item, [0.0, 0.0])
            tot[0] += buy.quantity
            tot[1] += buy.quantity if country[buy.supplier] in ro.countries else 0.0
        for item, (total, restricted) in sorted(bought.items()):
            saturated = restricted >= SATURATED * ro.max_share * total
            if item in offered_restricted and total > 0 and saturated:
                out.append((Limit("restricted-origins", item, "the restricted-origins rule",
                                  None, None, f"{restricted / total:.0%} of {item} from "
                                  f"{', '.join(ro.countries)}, the most allowed"), {item}))
    return out
