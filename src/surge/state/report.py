"""The report's "Plan versus actual" section (``surge report ... --actuals ACTUALS``).

One block of its own, added after the report's sections: cumulative deliveries of each
demand against its due dates and against the plan, up to the week the actuals reach; each
conversion's planned against actual (or expected) ready week; production per line and
receipts per supplier, planned against actual; and the largest shortfalls in words.
"""

from __future__ import annotations

from html import escape

import numpy as np
import plotly.graph_objects as go

from surge.report.charts import _figure, _layout, colour
from surge.report.html import Section
from surge.scenario.model import Scenario
from surge.state.track import Tracking

KIND_TITLES = {"production": ("Production per line", "line"),
               "receipts": ("Purchases received per supplier", "supplier")}


def delivery_chart(t: Tracking) -> go.Figure:
    """Cumulative delivered, planned and due of each demand, weeks ``0 .. W-1``."""
    fig = _figure()
    weeks = list(range(t.through_week))
    for i, s in enumerate(x for x in t.series if x.kind == "deliveries"):
        c = colour(i)
        fig.add_scatter(x=weeks, y=np.cumsum(s.actual).tolist(), name=f"{s.name} delivered",
                        mode="lines+markers", line=dict(color=c, width=3))
        fig.add_scatter(x=weeks, y=np.cumsum(s.planned).tolist(), name=f"{s.name} planned",
                        mode="lines", line=dict(color=c, dash="dot"))
        if s.due is not None:
            fig.add_scatter(x=weeks, y=np.cumsum(s.due).tolist(), name=f"{s.name} due",
                            mode="lines", line=dict(color=c, dash="dash", shape="hv"))
    fig.update_layout(xaxis_title="week", yaxis_title="cumulative units")
    return _layout(fig, height=360, top=70)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th class="{"num" if i else ""}">{escape(h)}</th>'
                   for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td class="{"num" if i else ""}">{c}</td>'
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return (f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _behind(actual: float, planned: float) -> str:
    text = f"{actual:,.0f} / {planned:,.0f}"
    return _red(text) if actual < planned - 1e-6 else text


def _red(text: str) -> str:
    return f'<span style="color:var(--red);font-weight:600">{text}</span>'


def tracking_section(scenario: Scenario, t: Tracking) -> Section:
    """The "Plan versus actual" section of a tracking (:func:`surge.state.track`)."""
    W = t.through_week
    parts: list[str | go.Figure] = []
    if t.shortfalls:
        items = "".join(f"<li>{escape(x)}</li>" for x in t.shortfalls)
        parts.append(f"<h3>Largest shortfalls</h3><ol>{items}</ol>")
    else:
        parts.append(f"<p>On plan up to week {W - 1}: no shortfall.</p>")
    deliveries = [s for s in t.series if s.kind == "deliveries"]
    if deliveries:
        parts.append("<h3>Cumulative deliveries against due and against plan</h3>")
        parts.append(delivery_chart(t))
        rows = []
        for s in deliveries:
            due = float(s.due.sum()) if s.due is not None else 0.0
            got, planned = float(s.actual.sum()), float(s.planned.sum())
            rows.append([escape(s.name), f"{due:,.0f}", f"{planned:,.0f}", f"{got:,.0f}",
                         f"{got - due:+,.0f}", f"{got - planned:+,.0f}"])
        parts.append(_table(["demand", f"due by week {W - 1}", "planned", "delivered",
                             "against due", "against plan"], rows))
    if t.conversions:
        rows = []
        for c in t.conversions:
            actual = "not started" if c.actual_ready is None else (
                f"{c.actual_ready}" + ("" if c.ready else " (expected)"))
            late = c.weeks_late
            cell = "-" if late is None else f"{late:+d}"
            rows.append([escape(c.line), "-" if c.planned_ready is None else str(c.planned_ready),
                         escape(actual), _red(cell) if late is not None and late > 0 else cell])
        parts.append("<h3>Conversions: planned and actual ready week</h3>")
        parts.append(_table(["line", "planned ready", "actual ready", "late [weeks]"], rows))
    for kind, (title, head) in KIND_TITLES.items():
        series = [s for s in t.series if s.kind == kind]
        if series:
            rows = [[escape(s.name)] + [_behind(float(a), float(p)) for a, p in
                                        zip(s.actual, s.planned, strict=True)]
                    + [_behind(float(s.actual.sum()), float(s.planned.sum()))] for s in series]
            parts.append(f"<h3>{escape(title)} (actual / planned) [units]</h3>")
            parts.append(_table([head, *[f"w{w}" for w in range(W)], "total"], rows))
    intro = (f"What happened in weeks 0..{W - 1} of {escape(scenario.name)} against the plan "
             "(from the actuals file).")
    return Section("Plan versus actual", parts, intro=intro, anchor="plan-versus-actual")
