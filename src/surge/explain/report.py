"""The report's "Why this plan" and "Compared with another plan" sections."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from surge.explain.story import amount, bottleneck_sentence, shortfall_sentence
from surge.plan.model import Plan
from surge.report.charts import _figure, _layout, colour
from surge.report.html import Section
from surge.scenario.model import Scenario

if TYPE_CHECKING:
    from surge.explain import Explanation
    from surge.explain.compare import Comparison

TOP = 12  # bottlenecks shown in the chart


def bottleneck_chart(explanation: Explanation, currency: str) -> go.Figure:
    """Horizontal bars: lateness (and cost) the standard relaxation of each run would save."""
    rows = [b for b in explanation.bottlenecks if b.service_saved > 0 or b.cost_saved > 0][:TOP]
    rows = rows[::-1]  # largest on top
    names = [f"{b.label} · {b.weeks}" for b in rows]
    fig = _figure()
    fig.add_bar(y=names, x=[b.service_saved for b in rows], orientation="h",
                name="lateness saved [unit-weeks]", marker_color=colour(0),
                customdata=[[b.relax, b.service_per_unit, b.unit] for b in rows],
                hovertemplate="%{y}<br>%{customdata[0]}<br>saves %{x:,.1f} unit-weeks"
                              "<br>%{customdata[1]:,.3g} per extra %{customdata[2]}<extra></extra>")
    fig.add_bar(y=names, x=[b.cost_saved for b in rows], orientation="h", xaxis="x2",
                name=f"cost saved [{currency}]", marker_color=colour(1), visible="legendonly"
                if any(b.service_saved > 0 for b in rows) else True)
    fig.update_layout(barmode="group", xaxis2=dict(overlaying="x", side="top", showgrid=False),
                      yaxis=dict(automargin=True))
    return _layout(fig, height=max(260, 60 + 34 * len(rows)), top=60)


def why_section(scenario: Scenario, plan: Plan, explanation: Explanation) -> Section:
    """Ranked bottlenecks as a chart and in words, then the missed due dates."""
    if explanation.note:
        return Section("Why this plan", f"<p>{escape(explanation.note)}</p>")
    content: list = []
    shown = [b for b in explanation.bottlenecks if b.service_saved > 0 or b.cost_saved > 0]
    if shown:
        content.append(bottleneck_chart(explanation, scenario.currency))
        items = "".join(f"<li>{escape(bottleneck_sentence(b, scenario.currency))}</li>"
                        for b in shown[:5])
        content.append(f"<h3>In words</h3><ol>{items}</ol>")
    elif explanation.rules:
        items = "".join(f"<li>{escape(r)}</li>" for r in explanation.rules)
        content.append(f"<h3>Hard rules</h3><ul>{items}</ul>")
    else:
        content.append("<p>No capacity, supplier or policy rule holds this plan back: "
                       "one more unit of any of them would change neither lateness nor cost.</p>")
    if explanation.shortfalls:
        items = "".join(f"<li>{escape(shortfall_sentence(m))}</li>"
                        for m in explanation.shortfalls[:20])
        content.append(f"<h3>Missed due dates</h3><ul>{items}</ul>")
    else:
        content.append("<p>Every due date is met.</p>")
    return Section(
        "Why this plan", content,
        "The plan's line starts are fixed and its linear program solved again to price each "
        "limit (dual values): the lateness, then the cost, that a little more of it would save. "
        f"The plan's LP: S = {amount(explanation.service or 0)} unit-weeks, "
        f"C = {amount(explanation.cost or 0)} {escape(scenario.currency)}. "
        "Bars show the saving of the relaxation named in each sentence; the top ones were "
        "re-planned to confirm it.")


def compare_section(scenario: Scenario, comparison: Comparison) -> Section:
    """Two plans side by side: deltas, activations, deliveries, suppliers."""
    from surge.explain.compare import dated, deliveries_figure

    c = comparison
    rows = "".join(f"<tr><td>{escape(k)}</td><td class='num'>{amount(a)}</td>"
                   f"<td class='num'>{amount(b)}</td><td class='num'>{amount(b - a)}</td></tr>"
                   for k, a, b in c.numbers())
    table = ("<div class='table-wrap'><table><thead><tr><th></th><th class='num'>this plan</th>"
             f"<th class='num'>{escape(c.name_b)}</th><th class='num'>change</th></tr></thead>"
             f"<tbody>{rows}</tbody></table></div>")
    changes = "".join(f"<li>{escape(line)}</li>" for line in c.sentences(when=dated(scenario)))
    return Section(f"Compared with {c.name_b}",
                   [table, f"<ul>{changes}</ul>", deliveries_figure(scenario, c)],
                   "Lateness S and cost C of both plans, what changed in line activations and "
                   "orders, and the cumulative deliveries of both.")


def extra_sections(scenario: Scenario, plan: Plan, *, explain: bool = False,
                   compare: str | Path | None = None) -> list[Section]:
    """The sections ``surge report --explain --compare OTHER`` adds."""
    from surge.explain import explain as run_explain
    from surge.explain.compare import compare as run_compare

    out = []
    if explain:
        out.append(why_section(scenario, plan, run_explain(scenario, plan)))
    if compare is not None:
        other = Plan.read(compare)
        out.append(compare_section(scenario, run_compare(plan, other, scenario,
                                                         names=("this plan", Path(compare).name))))
    return out
