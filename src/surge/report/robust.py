"""The report's "A plan that holds" section: cost against certainty, buffers in words.

For a plan made by ``surge plan --target-on-time`` (its ``robust`` key) and, when given,
its frontier file (``surge frontier`` or ``--frontier``): the frontier chart (cost against
the lowest P(on time), the chosen plan marked), what each step buys, the deterministic plan
and the chosen plan side by side, and the buffers in plain words with their costs.
"""

from __future__ import annotations

from html import escape
from typing import Any

import plotly.graph_objects as go

from surge.explain.buffers import (
    buffer_sentences,
    cost_sentences,
    robust_info,
    summary_sentence,
)
from surge.plan.model import Plan
from surge.report.charts import _figure, _layout, colour
from surge.report.html import Section, _cards, _table
from surge.robust.frontier import cap_words, money
from surge.scenario.model import Scenario


def frontier_chart(points: list[dict[str, Any]], target: float, currency: str) -> go.Figure:
    """Cost against the lowest P(on time) of each frontier plan; the chosen one marked."""
    fig = _figure()
    xs = [p["min_p_on_time"] for p in points]
    ys = [p["cost"] for p in points]
    err = [p.get("min_p_stderr") or 0.0 for p in points]
    steps = [p.get("step", "") for p in points]
    fig.add_scatter(x=xs, y=ys, mode="lines+markers", name="frontier (verified plans)",
                    line=dict(color=colour(0), width=2, shape="hv"),
                    error_x=dict(type="data", array=err, visible=True, thickness=1),
                    customdata=steps,
                    hovertemplate="P %{x:.3f}<br>C %{y:,.0f}<br>%{customdata}<extra></extra>")
    chosen = [p for p in points if p.get("chosen")]
    if chosen:
        fig.add_scatter(x=[chosen[0]["min_p_on_time"]], y=[chosen[0]["cost"]], mode="markers",
                        name="chosen plan", marker=dict(size=16, symbol="star",
                                                        color=colour(1)))
    fig.add_vline(x=target, line_dash="dash", line_color="#6b7280",
                  annotation_text=f"target {target:g}", annotation_position="top left")
    fig.update_xaxes(title_text="lowest P(on time) over the due dates (fresh runs)",
                     range=[-0.02, 1.02], tickformat=".0%")
    lo, hi = min(ys), max(ys)
    pad = max(0.02 * hi, 0.05 * (hi - lo), 1.0)
    fig.update_yaxes(title_text=f"cost C [{currency}]", tickformat=",.0f",
                     range=[lo - pad, hi + pad])
    return _layout(fig, height=380)


def _side_by_side(det: dict[str, Any], chosen: dict[str, Any], currency: str) -> str:
    """The deterministic plan and the chosen plan: cost, P and each due date's P."""
    rows = [
        ["cost C", f"{det['cost']:,.0f}", f"{chosen['cost']:,.0f}"],
        ["lowest P(on time)", f"{det['min_p_on_time']:.3f} ± {det['min_p_stderr']:.3f}",
         f"{chosen['min_p_on_time']:.3f} ± {chosen['min_p_stderr']:.3f}"],
        ["P(all due dates met)", f"{det['p_all_met']:.3f}", f"{chosen['p_all_met']:.3f}"],
        ["expected S [unit-weeks]", f"{det['expected_service']:,.1f}",
         f"{chosen['expected_service']:,.1f}"],
    ]
    theirs = {(d["demand"], d["week"]): d["p_on_time"] for d in det.get("due_dates", [])}
    for d in chosen.get("due_dates", []):
        before = theirs.get((d["demand"], d["week"]))
        rows.append([f"P(on time) {escape(d['demand'])} week {d['week']}",
                     "—" if before is None else f"{before:.3f}", f"{d['p_on_time']:.3f}"])
    return _table(["", "deterministic optimum", f"risk-aware plan ({currency})"], rows, {1, 2})


def robust_section(scenario: Scenario, plan: Plan,
                   frontier: dict[str, Any] | None = None) -> Section | None:
    """The section, or None for a plan that is neither risk-aware nor given a frontier."""
    info = robust_info(plan)
    if info is None and frontier is None:
        return None
    cur = scenario.currency
    content: list[Any] = []
    if info is not None:
        content.append(_cards([
            ("Target", f"P ≥ {info['target']:g}",
             "reached" if info["reached"] else "NOT reached: best plan found"),
            ("Lowest P(on time)", f"{info['min_p_on_time']:.3f}",
             f"± {info['min_p_stderr']:.3f}, {info['runs']:,} fresh runs"),
            ("Cost of certainty", money(info["extra_cost"], cur),
             f"over the deterministic {money(info['deterministic_cost'], cur).lstrip('+')}"),
        ]))
        content.append(f"<p>{escape(summary_sentence(scenario, plan))}</p>")
        cap = info.get("cap")
        if cap:
            content.append(f"<p><b>What caps it:</b> {escape(cap_words(cap))}</p>")
    points = (frontier or {}).get("points") or []
    if points:
        target = float((frontier or {}).get("target", info["target"] if info else 0.9))
        content += ["<h3>Cost against certainty</h3>",
                    frontier_chart(points, target, cur)]
        rows = [[f"{p['cost']:,.0f}" + (" ★" if p.get("chosen") else ""),
                 f"{p['min_p_on_time']:.3f}", f"{p['p_all_met']:.3f}", escape(p["step"])]
                for p in points]
        content.append("<h3>What each step buys</h3>"
                       + _table([f"C [{cur}]", "lowest P", "P(all met)", "step"], rows, {0, 1, 2}))
        chosen = next((p for p in points if p.get("chosen")), points[-1])
        content.append("<h3>Deterministic plan and risk-aware plan, side by side</h3>"
                       + _side_by_side(points[0], chosen, cur))
    words = buffer_sentences(scenario, plan)
    if words:
        items = "".join(f"<li>{escape(w)}</li>" for w in words)
        content.append(f"<h3>The buffers, in words</h3><ul>{items}</ul>")
    costs = cost_sentences(scenario, plan)
    if costs:
        items = "".join(f"<li>{escape(c)}</li>" for c in costs)
        content.append(f"<h3>What each buffer step cost</h3><ol>{items}</ol>")
    return Section("A plan that holds", content,
                   "Risk-aware planning (docs/robust.md): the least-cost plan found whose every "
                   "due date holds with the target probability, measured by the risk "
                   "simulation on runs the search never tuned on.", anchor="robust")
