"""Plan versus actual (state.md), week by week up to ``W``, and the largest shortfalls.

Compared: production per line, purchases received per supplier, deliveries per demand and
cumulative deliveries against due and against plan, and each conversion's planned against
actual (or expected) ready week. Shortfalls are named in words: "douai-l2 ready 2 weeks
late", "pl-motors delivered 62% of ordered".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from surge.plan.model import Plan
from surge.scenario.model import Scenario
from surge.state.actuals import EPS, Actuals

SHARE_TOL = 0.005  # a shortfall under 0.5% of plan is rounding, not a shortfall [-]


@dataclass
class Series:
    """One compared quantity of one object: planned and actual per week ``0 .. W-1``."""

    kind: str  # "production" | "receipts" | "deliveries"
    name: str  # line, supplier or demand id
    planned: np.ndarray  # [units]
    actual: np.ndarray   # [units]
    due: np.ndarray | None = None  # deliveries only: due per week [units]

    @property
    def shortfall(self) -> float:
        """Planned minus actual, summed to ``W`` (> 0: behind plan) [units]."""
        return float(self.planned.sum() - self.actual.sum())

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": self.kind, "name": self.name, "planned": self.planned.tolist(),
               "actual": self.actual.tolist()}
        if self.due is not None:
            out["due"] = self.due.tolist()
        return out


@dataclass
class Conversion:
    line: str
    planned_ready: int | None
    actual_ready: int | None  # actual, else expected
    ready: bool  # True when actual_ready is a fact (< W), False when expected

    @property
    def weeks_late(self) -> int | None:
        if self.planned_ready is None or self.actual_ready is None:
            return None
        return self.actual_ready - self.planned_ready


@dataclass
class Tracking:
    """Plan versus actual up to week ``through_week``."""

    through_week: int
    series: list[Series] = field(default_factory=list)
    conversions: list[Conversion] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)  # largest first, in words

    def to_dict(self) -> dict[str, Any]:
        return {"through_week": self.through_week,
                "series": [s.to_dict() for s in self.series],
                "conversions": [c.__dict__ for c in self.conversions],
                "shortfalls": self.shortfalls}


def track(scenario: Scenario, plan: Plan, actuals: Actuals) -> Tracking:
    """Compare the first ``W`` weeks of ``plan`` with ``actuals`` (both of ``scenario``)."""
    W = actuals.through_week
    out = Tracking(W)

    def weekly(rows: list[tuple[str, int, float]]) -> dict[str, np.ndarray]:
        acc: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(W))
        for name, week, q in rows:
            if 0 <= week < W:
                acc[name][week] += q
        return acc

    made_p = weekly([(p.line, p.week, p.quantity) for p in plan.production])
    made_a = weekly([(p.line, p.week, p.quantity) for p in actuals.production])
    got_p = weekly([(p.supplier, p.arrival_week, p.quantity) for p in plan.purchases])
    got_a = weekly([(p.supplier, r.week, r.quantity) for p in actuals.purchases
                    for r in p.received])
    del_p = weekly([(d.demand, d.week, d.quantity) for d in plan.deliveries])
    del_a = weekly([(d.demand, d.week, d.quantity) for d in actuals.deliveries])
    zero = np.zeros(W)
    for kind, planned, actual in (("production", made_p, made_a), ("receipts", got_p, got_a)):
        for name in sorted(set(planned) | set(actual)):
            out.series.append(Series(kind, name, planned.get(name, zero), actual.get(name, zero)))
    for dm in scenario.demands:
        due = np.zeros(W)
        for x in dm.due:
            if x.week < W:
                due[x.week] += x.quantity
        out.series.append(Series("deliveries", dm.id, del_p.get(dm.id, zero),
                                 del_a.get(dm.id, zero), due))
    out.conversions = _conversions(scenario, plan, actuals)
    out.shortfalls = [text for _, text in sorted(_shortfalls(scenario, out, actuals),
                                                 key=lambda x: -x[0])]
    return out


def _conversions(sc: Scenario, plan: Plan, a: Actuals) -> list[Conversion]:
    W = a.through_week
    planned = {x.line: x.ready_week for x in plan.activations}
    out = []
    lines = sc.by_id("lines")
    for act in a.activations:
        ready = act.ready_week
        if ready is None:
            lead = next(o for o in lines[act.line].options if o.id == act.option).lead_time_weeks
            ready = act.expected_ready_week if act.expected_ready_week is not None \
                else max(W, act.start_week + lead)
        out.append(Conversion(act.line, planned.get(act.line), ready, act.ready_week is not None))
    started = {x.line for x in a.activations}
    for line, r in sorted(planned.items()):
        start = next(x.start_week for x in plan.activations if x.line == line)
        if line not in started and start < W and lines[line].committed is None:
            out.append(Conversion(line, r, None, False))
    return out


def _shortfalls(sc: Scenario, t: Tracking, a: Actuals) -> list[tuple[float, str]]:
    """(severity, words) of everything behind plan; severity ranks them [share of plan]."""
    W, out = a.through_week, []
    for c in t.conversions:
        late = c.weeks_late
        if c.actual_ready is None:
            out.append((2.0, f"{c.line} not converted (planned ready in week {c.planned_ready})"))
        elif late is not None and late > 0:
            verb = "ready" if c.ready else "expected ready"
            out.append((1.0 + late / 10, f"{c.line} {verb} {late} week{'s' if late > 1 else ''} "
                                         "late"))
    offers = {(s.id, o.item): o for s in sc.suppliers for o in s.offers}
    due_by: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(W))
    got_by: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(W))
    for p in a.purchases:
        arrival = p.week + offers[(p.supplier, p.item)].lead_time_weeks
        if arrival < W:  # due by now
            due_by[p.supplier][arrival] += p.quantity
            for r in p.received:
                got_by[p.supplier][r.week] += r.quantity
    out += _short_shipments(a)
    for sid, due_w in sorted(due_by.items()):
        due, got = float(due_w.sum()), float(got_by[sid].sum())
        share = got / due
        if share < 1 - SHARE_TOL:
            since = _since(np.cumsum(due_w), np.cumsum(got_by[sid]))
            out.append((1 - share, f"{sid} delivered {100 * share:.0f}% of ordered "
                                   f"({got:,.0f} of {due:,.0f} due by week {W - 1}), "
                                   f"behind since week {since}"))
    for s in t.series:
        plan_total = float(s.planned.sum())
        share = float(s.actual.sum()) / plan_total if plan_total > EPS else 1.0
        if s.kind == "production" and share < 1 - SHARE_TOL:
            since = _since(np.cumsum(s.planned), np.cumsum(s.actual))
            out.append((1 - share, f"{s.name} made {100 * share:.0f}% of planned "
                                   f"({s.actual.sum():,.0f} of {plan_total:,.0f}), "
                                   f"behind since week {since}"))
        if s.kind == "deliveries" and s.due is not None:
            behind = np.cumsum(s.due) - np.cumsum(s.actual)
            if behind[-1] > EPS:
                since = _since(np.cumsum(s.due), np.cumsum(s.actual))
                total = float(np.cumsum(s.due)[-1])
                out.append((behind[-1] / total, f"{s.name} {behind[-1]:,.0f} behind due since "
                                                f"week {since}"))
    return out


def _since(target: np.ndarray, actual: np.ndarray) -> int:
    """First week of the current stretch in which cumulative ``actual`` is behind
    cumulative ``target`` (both per week ``0 .. W-1``)."""
    behind = target - actual > EPS * np.maximum(1.0, target)
    if not behind[-1]:
        return len(behind)
    caught_up = np.flatnonzero(~behind)
    return int(caught_up[-1] + 1) if caught_up.size else 0


def _short_shipments(a: Actuals) -> list[tuple[float, str]]:
    """Offers whose announced arrivals (``expected``) fall short of what is on order."""
    ordered: dict[tuple[str, str], float] = defaultdict(float)
    coming: dict[tuple[str, str], float] = defaultdict(float)
    for p in a.purchases:
        if p.expected:
            ordered[(p.supplier, p.item)] += p.quantity - p.n_received
            coming[(p.supplier, p.item)] += sum(e.quantity for e in p.expected)
    out = []
    for (sid, item), q in sorted(ordered.items()):
        share = coming[(sid, item)] / q if q > EPS else 1.0
        if share < 1 - SHARE_TOL:
            out.append((1 - share, f"{sid} will deliver {100 * share:.0f}% of the {item} on "
                                   f"order ({coming[(sid, item)]:,.0f} of {q:,.0f} expected)"))
    return out
