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
    upstream: list[Limit] = field(default_factory=list)  # most of the miss explained first
    cause: str = ""              # the root cause in plain words, when one explains it all

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
    from surge.optimize.data import prepare

    earliest = prepare(sc).earliest  # (site, item) -> earliest week it can be there
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
        miss.upstream.sort(key=lambda lim: -_weight(lim, miss.due_week, sc.weeks))
        miss.cause = root_cause(sc, miss, items, earliest)
    return misses


def _weight(lim: Limit, due_week: int, weeks: int) -> float:
    """How much of a miss a limit can explain, for ranking: the weeks up to the due week a
    capacity is used to the full [weeks]. A policy rule over the horizon ranks after every
    capacity (a share rule moves volume between sources rather than capping it), except
    the budget, which caps everything and ranks first."""
    if lim.first_week is None:
        return due_week + 1.0 if lim.kind == "budget" else 0.5
    last = lim.last_week if lim.last_week is not None else lim.first_week
    return float(last - lim.first_week + 1)


def root_cause(sc: Scenario, miss: Miss, items: set[str],
               earliest: dict[tuple[str, str], int]) -> str:
    """The one reason that explains the whole miss, if there is one: an item of the bill
    of materials that cannot be anywhere by the due week (the first such in the chain).

    ``earliest`` is the planner's reachability: the first week [week] each item can be at
    each site, by purchases, stock, production and shipments (absent: never).
    """
    reach: dict[str, int] = {}
    for (_site, item), week in earliest.items():
        reach[item] = min(reach.get(item, week), week)
    at_site = earliest.get((miss.site, miss.item))
    if at_site is not None and at_site <= miss.due_week:
        return ""
    late_items = {i for i in items if reach.get(i, 1 << 30) > miss.due_week}
    # the first late item of the chain: none of its own inputs is late
    inputs = {i: {u for op in sc.operations if op.produces == i for u in op.consumes}
              for i in late_items}
    late = [(reach.get(i, 1 << 30), i) for i in late_items if not inputs[i] & late_items]
    if not late:
        if at_site is None:
            return f"no {miss.item} can reach {miss.site} within the horizon"
        return f"no {miss.item} can reach {miss.site} before week {at_site}"
    week, item = min(late)
    if week >= sc.weeks:
        return f"no {item} can be had within the horizon"
    return f"no {item} can arrive before week {week}"


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
        demanded = {d.item for d in sc.demands}  # the rule covers demanded items only
        for item, by_org in sorted(made.items()):
            total = sum(by_org.values())
            if item not in demanded or total <= 0:
                continue
            for org, q in sorted(by_org.items()):
                if SATURATED * share * total <= q <= (share + TOL) * total:  # the rule binds
                    out.append((Limit("organization-share", f"{item}/{org}",
                                      f"the share rule on {org}", None, None,
                                      f"{org} makes {q / total:.0%} of {item}, the limit of "
                                      f"policy.max_share_per_organization = {share:g}"),
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
            binds = total > 0 and restricted >= SATURATED * ro.max_share * total
            if item in offered_restricted and binds:
                out.append((Limit("restricted-origins", item, "the restricted-origins rule",
                                  None, None, f"{restricted / total:.0%} of {item} from "
                                  f"{', '.join(ro.countries)}, the most allowed"), {item}))
    return out
