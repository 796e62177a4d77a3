"""The pages' charts: the report's charts (:mod:`surge.report.charts`) with dates on the axes,
plus the maps (sites, flows), purchases by country and the comparison of two plans.

Every figure is drawn from a scenario and plan *as the user may see them* (already cut to
a manufacturer's part), so a chart can show nothing the scope did not hand out.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from surge.explain.compare import Comparison
from surge.plan.model import Plan
from surge.report import charts
from surge.scenario.model import Scenario

CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
          "topojsonURL": "/static/topojson/"}
"""Plotly's configuration for every chart (maps read their borders from our own files)."""

EUROPE = (-25.0, 45.0, 34.0, 72.0)  # lon min, lon max, lat min, lat max of the Europe map


def to_json(fig: go.Figure | str) -> str:
    """The figure as JSON safe to place inside a ``<script>`` element (a string is taken
    as such JSON already, e.g. from the cache)."""
    if isinstance(fig, str):
        return fig
    text = json.dumps({"data": fig.data, "layout": fig.layout}, cls=PlotlyJSONEncoder,
                      separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def date_ticks(scenario: Scenario, ticks: int = 9) -> dict[str, Any]:
    """Week axis ticks labelled with the first day of the week (the year where it changes)."""
    step = max(1, math.ceil(scenario.weeks / ticks))
    weeks = list(range(0, scenario.weeks, step))
    text, year = [], None
    for w in weeks:
        day = scenario.week_date(w)
        text.append(f"{day:%d %b}" + (f"<br>{day.year}" if day.year != year else ""))
        year = day.year
    return {"tickvals": weeks, "ticktext": text, "tickangle": 0}


def dated(fig: go.Figure, scenario: Scenario, ticks: int = 9) -> go.Figure:
    """Replace the week numbers on every x axis of ``fig`` by dates."""
    fig.update_xaxes(**date_ticks(scenario, ticks), title_text=None)
    return fig


# --- the report's charts, dated -----------------------------------------------------------


def deliveries(scenario: Scenario, plan: Plan) -> go.Figure:
    """Cumulative delivered against cumulative due, one panel per demand."""
    return dated(charts.delivered_vs_due(scenario, plan), scenario, ticks=5)


def gantt(scenario: Scenario, plan: Plan) -> go.Figure:
    """Conversions: converting (start to ready), ramping up, full rate; colour by organisation."""
    return dated(charts.activation_gantt(scenario, plan), scenario)


def utilisation(scenario: Scenario, plan: Plan) -> go.Figure:
    """Line x week heatmap of hours used over hours offered."""
    fig = dated(charts.utilisation_heatmap(scenario, plan), scenario)
    return fig.update_layout(margin_t=10)  # no legend: the colour bar says what is what


def purchases_by_week(scenario: Scenario, plan: Plan) -> go.Figure:
    """Spend of the orders placed each week, by supplier (country in the legend)."""
    return dated(charts.purchases_by_week(scenario, plan), scenario)


def delivery_fan(scenario: Scenario, risk: dict[str, Any]) -> go.Figure:
    return dated(charts.delivery_fan(scenario, risk), scenario, ticks=5)


def on_time(scenario: Scenario, risk: dict[str, Any]) -> go.Figure:
    return charts.on_time_bars(scenario, risk)


def criticality(scenario: Scenario, risk: dict[str, Any]) -> go.Figure:
    return charts.criticality_tornado(scenario, risk)


# --- purchases by country -----------------------------------------------------------------


def purchases_by_country(scenario: Scenario, plan: Plan) -> go.Figure:
    """Spend per country of origin, stacked by supplier, largest country on top."""
    suppliers = scenario.by_id("suppliers")
    spend: defaultdict[str, float] = defaultdict(float)
    by: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # spend, units
    for b in plan.purchases:
        sup = suppliers[b.supplier]
        price = next((o.unit_price for o in sup.offers if o.item == b.item), 0.0)
        spend[sup.country] += b.quantity * price
        by[b.supplier][0] += b.quantity * price
        by[b.supplier][1] += b.quantity
    fig = charts._figure()
    if not by:
        return charts._layout(fig, height=160)
    for i, supplier in enumerate(sorted(by)):
        sup = suppliers[supplier]
        fig.add_trace(go.Bar(
            y=[sup.country], x=[by[supplier][0]], orientation="h",
            name=f"{supplier} ({sup.country})", marker_color=charts.colour(i),
            customdata=[by[supplier][1]],
            hovertemplate=(f"<b>{sup.name or supplier}</b> (%{{y}})<br>"
                           f"%{{x:,.0f}} {scenario.currency} · %{{customdata:,.0f}} units"
                           "<extra></extra>")))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=sorted(spend, key=spend.__getitem__),
                     ticksuffix="  ")
    fig.update_xaxes(title_text=f"spend [{scenario.currency}]", tickformat="~s")
    return charts._layout(fig, height=max(220, 40 * len(spend) + 120), top=60)


# --- maps ---------------------------------------------------------------------------------


def _geo(scenario: Scenario, height: int) -> dict[str, Any]:
    lons = [s.lon for s in scenario.sites] or [0.0]
    lats = [s.lat for s in scenario.sites] or [0.0]
    lo0, lo1, la0, la1 = EUROPE
    europe = all(lo0 <= x <= lo1 for x in lons) and all(la0 <= y <= la1 for y in lats)
    pad_lon = max(2.0, (max(lons) - min(lons)) * 0.25)
    pad_lat = max(1.5, (max(lats) - min(lats)) * 0.25)
    return dict(
        scope="europe" if europe else "world", resolution=50 if europe else 110,
        projection_type="mercator", showland=True, landcolor="#f3f4f6",
        showcountries=True, countrycolor="#d1d5db", showcoastlines=True,
        coastlinecolor="#9ca3af", showocean=True, oceancolor="#eef6fb", showframe=False,
        lonaxis_range=[min(lons) - pad_lon, max(lons) + pad_lon],
        lataxis_range=[min(lats) - pad_lat, max(lats) + pad_lat],
    )


def _site_traces(scenario: Scenario) -> list[go.Scattergeo]:
    orgs = {o.id: o.name or o.id for o in scenario.organizations}
    lines_at: defaultdict[str, list[str]] = defaultdict(list)
    for line in scenario.lines:
        lines_at[line.site].append(line.id)
    by_org: defaultdict[str, list[Any]] = defaultdict(list)
    for s in scenario.sites:
        by_org[s.organization].append(s)
    traces = []
    for i, (org, sites) in enumerate(by_org.items()):
        traces.append(go.Scattergeo(
            lon=[s.lon for s in sites], lat=[s.lat for s in sites], mode="markers",
            name=orgs.get(org, org), marker=dict(size=11, color=charts.colour(i),
                                                 line=dict(color="white", width=1.5)),
            hovertext=[f"<b>{s.name or s.id}</b> ({s.id})<br>{orgs.get(org, org)} · "
                       f"{s.country}<br>lines: {', '.join(lines_at[s.id]) or 'none'}"
                       for s in sites],
            hovertemplate="%{hovertext}<extra></extra>"))
    return traces


def _map_layout(fig: go.Figure, scenario: Scenario, height: int) -> go.Figure:
    """The map fills the card's left; its legend (organisations) stands on the right."""
    fig.update_layout(geo=_geo(scenario, height))
    charts._layout(fig, height=height, top=10)
    fig.update_layout(margin=dict(l=0, r=0, b=10),
                      legend=dict(orientation="v", yref="paper", y=1, yanchor="top",
                                  xref="paper", x=1.0, xanchor="left"))
    return fig


def sites_map(scenario: Scenario) -> go.Figure:
    """Every site of the scenario on a map, coloured by organisation."""
    fig = go.Figure(_site_traces(scenario), layout={"template": charts.TEMPLATE})
    return _map_layout(fig, scenario, 480)


WIDTHS = (1.5, 3.0, 5.0, 8.0)  # line widths of the flow classes [px]


def flows_map(scenario: Scenario, plan: Plan) -> go.Figure:
    """Shipments between sites over the horizon: one line per pair of sites, its width by
    the units moved (four classes), over the sites coloured by organisation."""
    sites = scenario.by_id("sites")
    moved: defaultdict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for s in plan.shipments:
        if s.from_ in sites and s.to in sites:
            moved[(s.from_, s.to)][s.item] += s.quantity
    fig = go.Figure(layout={"template": charts.TEMPLATE})
    top = max((sum(v.values()) for v in moved.values()), default=0.0)
    classes: defaultdict[int, list[tuple[str, str, dict[str, float]]]] = defaultdict(list)
    for (a, b), items in moved.items():
        k = min(len(WIDTHS) - 1, int(len(WIDTHS) * sum(items.values()) / top)) if top else 0
        classes[k].append((a, b, items))
    for k in sorted(classes):
        lon: list[float | None] = []
        lat: list[float | None] = []
        text: list[str | None] = []
        for a, b, items in classes[k]:
            words = ", ".join(f"{q:,.0f} {it}" for it, q in sorted(items.items()))
            label = f"<b>{a} → {b}</b><br>{words}"
            lon += [sites[a].lon, sites[b].lon, None]
            lat += [sites[a].lat, sites[b].lat, None]
            text += [label, label, None]
        fig.add_trace(go.Scattergeo(
            lon=lon, lat=lat, mode="lines", name="shipments (width: units)",
            line=dict(width=WIDTHS[k], color="rgba(37,99,235,0.55)"), hovertext=text,
            hovertemplate="%{hovertext}<extra></extra>", legendgroup="flows",
            showlegend=k == min(classes)))
    for trace in _site_traces(scenario):
        fig.add_trace(trace)
    return _map_layout(fig, scenario, 520)


# --- comparing two plans ------------------------------------------------------------------


def compare_deliveries(scenario: Scenario, c: Comparison) -> go.Figure:
    """Cumulative deliveries of both plans per demand: A solid, B dashed; dated axis."""
    fig = charts._figure()
    for i, (demand, (a, b)) in enumerate(c.delivered.items()):
        weeks = list(range(len(a)))
        when = [charts.week_label(scenario, w) for w in weeks]
        for name, y, dash, width in ((c.name_a, a, None, 3), (c.name_b, b, "dash", 2)):
            fig.add_scatter(x=weeks, y=y, mode="lines", name=f"{demand} ({name})",
                            line=dict(shape="hv", color=charts.colour(i), width=width, dash=dash),
                            customdata=when,
                            hovertemplate=f"{demand} ({name})<br>%{{customdata}}<br>"
                                          "%{y:,.0f} delivered<extra></extra>")
    fig.update_yaxes(title_text="units delivered (cumulative)", rangemode="tozero")
    fig.update_xaxes(range=[-0.5, scenario.weeks - 0.5])
    return dated(charts._layout(fig, height=380, top=80), scenario)
