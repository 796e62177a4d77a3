"""Comparing two plans: S and C deltas and their parts, activations added, removed or moved,
deliveries of both, and the suppliers whose orders changed most.

>>> from surge.plan.model import Plan
>>> p = Plan(scenario="x", status="optimal", objective={"service": 3.0, "cost": 10.0})
>>> compare(p, p).same
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from surge.fmt import amount
from surge.plan.model import TOL, Plan, is_close
from surge.scenario.model import Scenario

if TYPE_CHECKING:  # plotly loads only when a figure is drawn
    import plotly.graph_objects as go

PARTS = ("activation", "operating", "purchase", "transport")


@dataclass
class Comparison:
    """What differs between plan A and plan B (B minus A)."""

    name_a: str
    name_b: str
    service: tuple[float, float]
    cost: tuple[float, float]
    parts: dict[str, tuple[float, float]]
    service_by_demand: dict[str, tuple[float, float]] = field(default_factory=dict)
    added: list[dict[str, Any]] = field(default_factory=list)     # activations only in B
    removed: list[dict[str, Any]] = field(default_factory=list)   # activations only in A
    moved: list[dict[str, Any]] = field(default_factory=list)     # same line and option, other week
    delivered: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    suppliers: list[dict[str,
                         Any]] = field(default_factory=list)  # by |change| of units, largest first

    def numbers(self) -> list[tuple[str, float, float]]:
        rows = [("lateness S [unit-weeks]", *self.service), ("cost C", *self.cost)]
        rows += [(f"  {part}", *self.parts[part]) for part in PARTS]
        rows += [(f"  S of {d}", *v) for d, v in self.service_by_demand.items()]
        return rows

    @property
    def same(self) -> bool:
        """No change in S, C, activations, deliveries or orders."""
        return (all(is_close(a, b) for _, a, b in self.numbers())
                and not (self.added or self.removed or self.moved)
                and all(np.allclose(a, b, atol=TOL) for a, b in self.delivered.values())
                and all(abs(s["change"]) <= TOL for s in self.suppliers))

    def sentences(self, when: Callable[[int], str] | None = None,
                  deliveries: bool = True) -> list[str]:
        """What changed from plan A to plan B, one sentence each: conversions added,
        removed or moved, the orders that changed most, and (``deliveries``) the first
        week each demand's deliveries differ. ``when`` names a week (default ``week 3``;
        :func:`dated`: ``week 3 (15 Mar 2027)``); the CLI, the report and the web UI
        share these words."""
        at = when or (lambda w: f"week {w}")
        if self.same:
            return ["The two plans are the same: no change in S, C, conversions, deliveries "
                    "or orders."]
        out = []
        for a in self.added:
            out.append(f"{a['line']} ({a['option']}) is converted only in {self.name_b}, "
                       f"from {at(a['start_week'])}.")
        for a in self.removed:
            out.append(f"{a['line']} ({a['option']}) is converted only in {self.name_a}, "
                       f"from {at(a['start_week'])}.")
        for a in self.moved:
            shift = a["start_b"] - a["start_a"]
            out.append(f"{a['line']} ({a['option']}) starts in {at(a['start_b'])} in "
                       f"{self.name_b} instead of {at(a['start_a'])} "
                       f"({abs(shift)} week{'s' if abs(shift) != 1 else ''} "
                       f"{'later' if shift > 0 else 'earlier'}).")
        for s in self.suppliers[:8]:
            if abs(s["change"]) > TOL:
                out.append(f"Orders of {s['item']} from {s['supplier']}: "
                           f"{amount(s['units_a'])} -> {amount(s['units_b'])} units "
                           f"({s['change']:+,.0f}).")
        for demand, (cum_a, cum_b) in self.delivered.items() if deliveries else ():
            first = next((w for w in range(len(cum_a)) if abs(cum_a[w] - cum_b[w]) > TOL), None)
            if first is not None:
                out.append(f"Deliveries of {demand} differ from {at(first)} on "
                           f"({amount(cum_a[-1])} delivered in all in {self.name_a}, "
                           f"{amount(cum_b[-1])} in {self.name_b}).")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.name_a, "b": self.name_b, "same": self.same,
            "numbers": [{"what": k.strip(), "a": a, "b": b, "change": b - a}
                        for k, a, b in self.numbers()],
            "added": self.added, "removed": self.removed, "moved": self.moved,
            "suppliers": self.suppliers,
            "delivered": {d: {"a": a, "b": b} for d, (a, b) in self.delivered.items()},
        }


def _numbers(
    plan: Plan, scenario: Scenario | None
) -> tuple[float, dict[str, float], dict[str, float]]:
    if scenario is not None and plan.has_plan:
        from surge.explain.story import on_time
        from surge.plan.evaluate import evaluate

        ev = evaluate(scenario, plan)
        totals = {d.id: d.total for d in scenario.demands}
        return (on_time(ev.service, sum(totals.values())), ev.costs_dict(),
                {d: on_time(v, totals.get(d, 1.0)) for d, v in ev.service_by_demand.items()})
    costs = plan.costs.model_dump() if plan.costs is not None else {}
    return float(plan.objective.service or 0.0), {p: float(costs.get(p) or 0.0) for p in
                                                  PARTS + ("total",)}, {}


def _cumulative(plan: Plan, weeks: int, demands: list[str]) -> dict[str, list[float]]:
    out = {d: np.zeros(weeks) for d in demands}
    for row in plan.deliveries:
        if row.demand in out and row.week < weeks:
            out[row.demand][row.week] += row.quantity
    return {d: np.cumsum(v).tolist() for d, v in out.items()}


def compare(a: Plan, b: Plan, scenario: Scenario | None = None, *,
            names: tuple[str, str] = ("A", "B")) -> Comparison:
    """How plan ``b`` differs from plan ``a``; with ``scenario``, S and C are recomputed
    from the plans' rows and S is split by demand."""
    s_a, c_a, by_a = _numbers(a, scenario)
    s_b, c_b, by_b = _numbers(b, scenario)
    c = Comparison(names[0], names[1], (s_a, s_b), (c_a.get("total", 0.0), c_b.get("total", 0.0)),
                   {p: (c_a.get(p, 0.0), c_b.get(p, 0.0)) for p in PARTS},
                   {d: (by_a.get(d, 0.0), by_b.get(d, 0.0)) for d in sorted(set(by_a) | set(by_b))})
    act_a = {(x.line, x.option): x.start_week for x in a.activations}
    act_b = {(x.line, x.option): x.start_week for x in b.activations}
    for key in sorted(set(act_a) | set(act_b)):
        line, option = key
        if key not in act_a:
            c.added.append({"line": line, "option": option, "start_week": act_b[key]})
        elif key not in act_b:
            c.removed.append({"line": line, "option": option, "start_week": act_a[key]})
        elif act_a[key] != act_b[key]:
            c.moved.append({"line": line, "option": option, "start_a": act_a[key],
                            "start_b": act_b[key]})
    demands = ([d.id for d in scenario.demands] if scenario is not None else
               sorted({r.demand for r in a.deliveries} | {r.demand for r in b.deliveries}))
    weeks = scenario.weeks if scenario is not None else 1 + max(
        [r.week for r in a.deliveries + b.deliveries], default=0)
    cum_a, cum_b = _cumulative(a, weeks, demands), _cumulative(b, weeks, demands)
    c.delivered = {d: (cum_a[d], cum_b[d]) for d in demands}
    units: dict[tuple[str, str], list[float]] = {}
    for i, plan in enumerate((a, b)):
        for row in plan.purchases:
            units.setdefault((row.supplier, row.item), [0.0, 0.0])[i] += row.quantity
    c.suppliers = sorted(
        ({"supplier": s, "item": it, "units_a": qa, "units_b": qb, "change": qb - qa}
         for (s, it), (qa, qb) in units.items()),
        key=lambda r: (-abs(r["change"]), r["supplier"], r["item"]))
    return c


def dated(scenario: Scenario, numbered: bool = True) -> Callable[[int], str]:
    """A week as ``week 3 (15 Mar 2027)``: its number and its first day; without
    ``numbered``, ``the week of 15 Mar 2027`` (the web UI, whose pages show dates only)."""
    if numbered:
        return lambda w: f"week {w} ({scenario.week_date(w):%d %b %Y})"
    return lambda w: f"the week of {scenario.week_date(w):%d %b %Y}"


def deliveries_figure(scenario: Scenario, c: Comparison) -> go.Figure:
    """Cumulative deliveries of both plans per demand: A solid, B dashed."""
    from surge.report.charts import _figure, _layout, colour

    fig = _figure()
    for i, (demand, (a, b)) in enumerate(c.delivered.items()):
        weeks = list(range(len(a)))
        fig.add_scatter(x=weeks, y=a, mode="lines", name=f"{demand} ({c.name_a})",
                        line=dict(shape="hv", color=colour(i), width=3))
        fig.add_scatter(x=weeks, y=b, mode="lines", name=f"{demand} ({c.name_b})",
                        line=dict(shape="hv", color=colour(i), width=2, dash="dash"))
    fig.update_xaxes(title_text="week")
    fig.update_yaxes(title_text="units delivered (cumulative)", rangemode="tozero")
    return _layout(fig, height=360, top=70)
