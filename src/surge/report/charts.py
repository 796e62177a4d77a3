"""The report's charts: one function per chart, each returning a plotly ``Figure``.

Every function takes the scenario and the plan (and the risk document for the risk charts)
and draws the tables of :mod:`surge.report.data`; they are usable alone in a notebook:

>>> from surge.scenario import load
>>> from surge.plan.model import Plan
>>> sc = load("examples/minimal.yaml")
>>> cost_donut(sc, Plan(scenario=sc.name, status="error")).data
()
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from surge.plan.model import Plan
from surge.report import data
from surge.scenario.model import Scenario

PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899",
           "#84cc16", "#f97316", "#64748b", "#0ea5e9", "#a855f7"]
COST_COLOURS = {"activation": "#2563eb", "operating": "#10b981", "purchase": "#f59e0b",
                "transport": "#8b5cf6"}
FONT = "Inter, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
FACETS_PER_ROW = 2
_AXIS = {"gridcolor": "#eef0f3", "linecolor": "#d1d5db", "zerolinecolor": "#e5e7eb",
         "ticks": "", "automargin": True}
# A light template of our own: plotly's named ones are deep-copied per figure (slow).
TEMPLATE = {"layout": {"plot_bgcolor": "white", "paper_bgcolor": "white", "colorway": PALETTE,
                       "xaxis": _AXIS, "yaxis": _AXIS}}


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def week_label(scenario: Scenario, week: int) -> str:
    """``W3 · 19 Jan 2026``: the week number and the first day of the week."""
    return f"W{week} · {scenario.week_date(week):%d %b %Y}"


def _figure(*traces: Any) -> go.Figure:
    return go.Figure(list(traces), layout={"template": TEMPLATE})


def _layout(fig: go.Figure, *, height: int, top: int = 50, **kwargs: Any) -> go.Figure:
    """Size, fonts and margins; the legend sits in the top margin (``top`` [px])."""
    fig.update_layout(
        height=height, font=dict(family=FONT, size=12, color="#1f2937"),
        margin=dict(l=60, r=20, t=top, b=50), hoverlabel=dict(font_family=FONT),
        legend=dict(orientation="h", yref="container", y=1, yanchor="top", xanchor="left",
                    x=0),
        **kwargs,
    )
    return fig


def _week_axis(fig: go.Figure, scenario: Scenario, ticks: int = 13, **kwargs: Any) -> None:
    """At most ``ticks`` ticks, labelled with the week number and its date."""
    step = max(1, math.ceil(scenario.weeks / ticks))
    weeks = list(range(0, scenario.weeks, step))
    fig.update_xaxes(
        tickvals=weeks,
        ticktext=[f"W{w}<br>{scenario.week_date(w):%d %b}" for w in weeks],
        range=[-0.5, scenario.weeks - 0.5], tickangle=0, **kwargs,
    )


def _facets(titles: list[str], *, row_height: int = 280) -> tuple[go.Figure, int]:
    n = max(1, len(titles))
    cols = min(FACETS_PER_ROW, n)
    rows = math.ceil(n / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, figure=_figure(),
                        vertical_spacing=min(0.12, 0.5 / rows), horizontal_spacing=0.08)
    return fig, rows * row_height + 100


def _facet_layout(fig: go.Figure, scenario: Scenario, height: int) -> go.Figure:
    _week_axis(fig, scenario, ticks=7)
    fig.update_yaxes(title_text="units", rangemode="tozero", tickformat=",.0f")
    fig.update_annotations(font_size=13)  # the panel titles
    return _layout(fig, height=height, top=80)


def _due_trace(rows: Any, dates: list[str], legend: bool, line_colour: str) -> go.Scatter:
    """The cumulative due of one demand as a dashed step line (rows of data.deliveries)."""
    return go.Scatter(
        mode="lines", x=rows["week"], y=rows["cum_due"], name="due (cumulative)",
        legendgroup="due", showlegend=legend,
        line=dict(shape="hv", dash="dash", color=line_colour, width=2),
        customdata=dates, hovertemplate="%{customdata}<br>due %{y:,.0f}<extra></extra>",
    )


def _cell(i: int) -> dict[str, int]:
    return {"row": i // FACETS_PER_ROW + 1, "col": i % FACETS_PER_ROW + 1}


def _dates(scenario: Scenario) -> list[str]:
    return [week_label(scenario, w) for w in range(scenario.weeks)]


# --- deliveries -------------------------------------------------------------------------


def delivered_vs_due(scenario: Scenario, plan: Plan) -> go.Figure:
    """Cumulative units delivered vs. cumulative units due, one panel per demand (steps)."""
    table = data.deliveries(scenario, plan)
    demands = scenario.demands
    fig, height = _facets([f"{d.id} — {d.item} at {d.site}" for d in demands])
    dates = _dates(scenario)
    for i, d in enumerate(demands):
        rows = table[table["demand"] == d.id]
        first = i == 0
        fig.add_trace(_due_trace(rows, dates, first, "#9ca3af"), **_cell(i))
        fig.add_trace(go.Scatter(
            mode="lines", x=rows["week"], y=rows["cum_delivered"], name="delivered (cumulative)",
            legendgroup="delivered", showlegend=first,
            line=dict(shape="hv", color=PALETTE[0], width=3), fill="tozeroy",
            fillcolor="rgba(37,99,235,0.08)", customdata=dates,
            hovertemplate="%{customdata}<br>delivered %{y:,.0f}<extra></extra>",
        ), **_cell(i))
    return _facet_layout(fig, scenario, height)


# --- lines ------------------------------------------------------------------------------

_PHASES = (  # (name, start column, end column, pattern, opacity)
    ("converting", "start", "ready", "/", 0.45),
    ("ramping up", "ready", "full", ".", 0.7),
    ("full rate", "full", "end", "", 1.0),
)


def activation_gantt(scenario: Scenario, plan: Plan) -> go.Figure:
    """One row per activated line: converting (start -> ready), ramp-up, full rate.

    Coloured by organisation; the phase shows as hatching and shade. One trace per
    organisation and phase, so a thousand lines stay light.
    """
    acts = data.activations(scenario, plan)
    orgs = {o.id: (o.name or o.id) for o in scenario.organizations}
    org_colour = {org: colour(i) for i, org in enumerate(orgs)}
    acts["label"] = acts["line"] + " (" + acts["option"] + ")"
    labels = list(acts["label"])
    fig = _figure()
    for org, rows in acts.groupby("organization", sort=False):
        org, legend = str(org), True
        for phase, begin, end, pattern, opacity in _PHASES:
            part = rows[rows[end] > rows[begin]]
            if part.empty:
                continue
            hover = [f"<b>{r.line}</b> · {orgs.get(org, org)} · site {r.site}<br>"
                     f"option {r.option} ({r.capabilities}, {r.hours_per_week:,.0f} h/week)<br>"
                     f"{phase}: {week_label(scenario, getattr(r, begin))} → "
                     f"{week_label(scenario, getattr(r, end) - 1)}" for r in part.itertuples()]
            fig.add_trace(go.Bar(
                y=part["label"].tolist(), x=(part[end] - part[begin]).tolist(),
                base=(part[begin] - 0.5).tolist(),
                orientation="h", name=orgs.get(org, org), legendgroup=org, showlegend=legend,
                marker=dict(color=org_colour.get(org, "#64748b"), opacity=opacity,
                            pattern=dict(shape=pattern, fgcolor="white", size=6,
                                         fillmode="overlay", solidity=0.3),
                            line=dict(width=0)),
                hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            ))
            legend = False
    _week_axis(fig, scenario)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels,
                     ticksuffix="  ")
    fig.update_layout(barmode="overlay", bargap=0.35)
    height = max(220, 34 * len(acts) + 120)
    return _layout(fig, height=height)


def utilisation_heatmap(scenario: Scenario, plan: Plan) -> go.Figure:
    """Line x week: hours used / hours offered (blank where the line offers nothing)."""
    util = data.utilisation(scenario, plan)
    used = data.hours_used(scenario, plan).reindex(util.index).fillna(0.0)
    offered = data.hours_offered(scenario, plan).reindex(util.index).fillna(0.0)
    text = [[f"{week_label(scenario, w)}<br>{used.loc[line, w]:,.0f} h used of "
             f"{offered.loc[line, w]:,.0f} h offered" for w in util.columns] for line in util.index]
    z = util.to_numpy(dtype=float)
    fig = _figure(go.Heatmap(
        # numpy's stubs take where(c, None, z) for where(c)
        z=np.where(np.isnan(z), None, z).tolist(),  # type: ignore[attr-defined]
        x=list(util.columns), y=list(util.index),
        text=text, zmin=0, zmax=1, xgap=1, ygap=1,
        colorscale=[[0, "#eff6ff"], [0.5, "#60a5fa"], [0.9, "#1d4ed8"], [1, "#1e3a8a"]],
        colorbar=dict(title=dict(text="used"), tickformat=".0%", thickness=12),
        hovertemplate="<b>%{y}</b><br>%{text}<br>utilisation %{z:.0%}<extra></extra>",
    ))
    _week_axis(fig, scenario, showgrid=False)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    return _layout(fig, height=max(200, 30 * len(util) + 110))


# --- purchases and stock ----------------------------------------------------------------


def purchases_by_week(scenario: Scenario, plan: Plan) -> go.Figure:
    """Spend on orders placed each week, stacked by supplier (legend shows the country)."""
    table = data.purchases(scenario, plan)
    fig = _figure()
    order = (table.groupby("supplier")["spend"].sum().sort_values(ascending=False).index
             if len(table) else [])
    for i, supplier in enumerate(order):
        rows = table[table["supplier"] == supplier]
        weekly = rows.groupby("week").agg(spend=("spend", "sum"), quantity=("quantity", "sum"),
                                          items=("item", lambda s: ", ".join(sorted(set(s)))))
        country = rows["country"].iloc[0]
        fig.add_trace(go.Bar(
            x=weekly.index, y=weekly["spend"], name=f"{supplier} ({country})",
            marker_color=colour(i),
            customdata=[[week_label(scenario, w), q, it] for w, q, it in
                        zip(weekly.index, weekly["quantity"], weekly["items"], strict=True)],
            hovertemplate=(f"<b>{supplier}</b> ({country})<br>ordered %{{customdata[0]}}<br>"
                           f"%{{customdata[1]:,.0f}} units of %{{customdata[2]}}<br>"
                           f"%{{y:,.0f}} {scenario.currency}<extra></extra>"),
        ))
    _week_axis(fig, scenario)
    fig.update_yaxes(title_text=f"ordered [{scenario.currency}]", tickformat="~s")
    fig.update_layout(barmode="stack", bargap=0.2)
    return _layout(fig, height=360)


def stock_over_time(scenario: Scenario, plan: Plan) -> go.Figure:
    """End-of-week stock of the key items (demanded or bought), summed over sites."""
    table = data.stock(scenario, plan)
    dates = _dates(scenario)
    fig = _figure()
    for i, item in enumerate(table.index):
        fig.add_trace(go.Scatter(
            x=list(table.columns), y=table.loc[item].clip(lower=0.0), name=str(item),
            mode="lines+markers", marker=dict(size=5), line=dict(color=colour(i), width=2),
            customdata=dates,
            hovertemplate=f"<b>{item}</b><br>%{{customdata}}<br>%{{y:,.0f}} units<extra></extra>",
        ))
    _week_axis(fig, scenario)
    top = float(table.to_numpy().max()) if table.size else 0.0
    fig.update_yaxes(title_text="end-of-week stock [units]", rangemode="tozero",
                     tickformat=",.0f" if top >= 10 else ",.2~f", range=None if top > 0 else [0, 1])
    return _layout(fig, height=340)


def cost_donut(scenario: Scenario, plan: Plan) -> go.Figure:
    """The plan's cost C by part: activation, operating, purchase, transport."""
    parts = data.cost_breakdown(plan)
    fig = _figure()
    if parts.empty:
        return fig
    fig.add_trace(go.Pie(
        labels=[p.capitalize() for p in parts.index], values=parts.to_numpy(), hole=0.62,
        sort=False, direction="clockwise", textinfo="percent", textposition="inside",
        insidetextorientation="horizontal",
        marker=dict(colors=[COST_COLOURS[p] for p in parts.index],
                    line=dict(color="white", width=2)),
        hovertemplate=f"%{{label}}: %{{value:,.0f}} {scenario.currency} (%{{percent}})"
                      "<extra></extra>",
    ))
    fig.add_annotation(text=f"<b>{parts.sum():,.0f}</b><br>{scenario.currency}",
                       showarrow=False, font=dict(size=15))
    fig = _layout(fig, height=320, top=20)
    fig.update_layout(legend=dict(orientation="v", yref="paper", y=0.5, yanchor="middle",
                                  x=1.02, xanchor="left"), margin=dict(l=10, r=10, b=20))
    return fig


# --- risk -------------------------------------------------------------------------------


def delivery_fan(scenario: Scenario, risk: dict[str, Any]) -> go.Figure:
    """P10-P90 band and median of cumulative deliveries vs. the cumulative due, per demand."""
    fan = data.risk_table(risk, "deliveries")
    due = data.deliveries(scenario, Plan(scenario=scenario.name, status="error"))
    demands = scenario.demands
    fig, height = _facets([f"{d.id} — {d.item} at {d.site}" for d in demands])
    dates = _dates(scenario)
    for i, d in enumerate(demands):
        rows = fan[fan["demand"] == d.id].sort_values("week")
        first = i == 0
        weeks = rows["week"].to_numpy()
        when = [dates[int(w)] if 0 <= w < len(dates) else f"W{w}" for w in weeks]
        fig.add_trace(go.Scatter(mode="lines", x=weeks, y=rows["p10"], showlegend=False,
                                 line=dict(width=0, shape="hv"), legendgroup="band",
                                 hoverinfo="skip"), **_cell(i))
        fig.add_trace(go.Scatter(
            mode="lines", x=weeks, y=rows["p90"], fill="tonexty", fillcolor="rgba(37,99,235,0.18)",
            line=dict(width=0, shape="hv"), name="P10–P90", legendgroup="band", showlegend=first,
            customdata=[[w, p] for w, p in zip(when, rows["p10"].tolist(), strict=True)],
            hovertemplate="%{customdata[0]}<br>P10 %{customdata[1]:,.0f} – P90 %{y:,.0f}"
                          "<extra></extra>"), **_cell(i))
        fig.add_trace(go.Scatter(
            mode="lines", x=weeks, y=rows["p50"], name="median (P50)", legendgroup="p50",
            showlegend=first,
            line=dict(color=PALETTE[0], width=2.5, shape="hv"), customdata=when,
            hovertemplate="%{customdata}<br>median %{y:,.0f}<extra></extra>"), **_cell(i))
        fig.add_trace(_due_trace(due[due["demand"] == d.id], dates, first, "#111827"),
                      **_cell(i))
    return _facet_layout(fig, scenario, height)


def _risk_colour(p: float) -> str:
    return "#10b981" if p >= 0.9 else "#f59e0b" if p >= 0.5 else "#ef4444"


def on_time_bars(scenario: Scenario, risk: dict[str, Any]) -> go.Figure:
    """P(on time) for each due date of each demand, green >= 90 %, amber >= 50 %, red below."""
    table = data.risk_table(risk, "due_dates").sort_values(["demand", "week"])
    labels = [f"{r.demand}<br>{week_label(scenario, int(r.week))}" for r in table.itertuples()]
    p = table["p_on_time"].astype(float)
    fig = _figure(go.Bar(
        x=labels, y=p, marker_color=[_risk_colour(x) for x in p], width=0.55,
        text=[f"{x:.0%}" for x in p], textposition="outside",
        customdata=table["cumulative_due"],
        hovertemplate="%{x}<br>%{customdata:,.0f} units by then<br>P(on time) %{y:.1%}"
                      "<extra></extra>",
    ))
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", title_text="P(on time)")
    return _layout(fig, height=340)


def criticality_tornado(scenario: Scenario, risk: dict[str, Any]) -> go.Figure:
    """Drop in expected S when each source is made perfectly reliable, largest on top."""
    table = data.risk_table(risk, "criticality").sort_values("drop", ascending=True)
    table["label"] = table["kind"] + " " + table["id"]
    fig = _figure()
    for kind, rows in table.groupby("kind", sort=True):
        fig.add_trace(go.Bar(
            y=rows["label"].tolist(), x=rows["drop"].tolist(), orientation="h", name=f"{kind}s",
            marker_color="#ef4444" if kind == "supplier" else "#2563eb",
            error_x=dict(type="data", array=rows["stderr"].tolist(), color="#374151",
                         thickness=1.2),
            customdata=rows["stderr"].tolist(),
            hovertemplate="%{y}<br>expected S drops by %{x:,.1f} ± %{customdata:,.1f} "
                          "unit-weeks<extra></extra>",
        ))
    fig.update_yaxes(categoryorder="array", categoryarray=table["label"].tolist(),
                     ticksuffix="  ")
    fig.update_xaxes(title_text="drop in expected S when perfectly reliable [unit-weeks]",
                     zeroline=True, zerolinecolor="#9ca3af")
    fig.update_layout(barmode="overlay")
    return _layout(fig, height=max(220, 26 * len(table) + 120))
