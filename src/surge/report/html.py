"""One self-contained HTML page per plan: header, KPI cards, then sections of charts.

plotly.js is embedded once, inline, in the page's head; every chart after it is a ``<div>``
and a call to it, so the file opens offline. Sections are plug-ins: a :class:`Section` is a
title and content (HTML fragments and/or plotly figures); ``build_report`` takes extra ones
after its own.

>>> from surge.scenario import load
>>> from surge.plan.model import Plan
>>> sc = load("examples/minimal.yaml")
>>> page = build_report(sc, Plan(scenario=sc.name, status="infeasible", message="budget too small"))
>>> "budget too small" in page and "Plotly.newPlot" not in page
True
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, TypeAlias

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from surge.fmt import money, shown
from surge.plan.model import Plan
from surge.report import charts, data
from surge.scenario.model import Scenario

Content: TypeAlias = str | go.Figure
PLOT_CONFIG = {"displaylogo": False, "responsive": True,
               "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


@dataclass(frozen=True)
class Section:
    """A part of the report: a title, an optional intro sentence, HTML and/or figures.

    ``content`` is an HTML fragment, a plotly figure, or a sequence of them, shown in order.
    """

    title: str
    content: Content | Sequence[Content] = ()
    intro: str = ""
    anchor: str = field(default="")

    @property
    def parts(self) -> list[Content]:
        content = self.content
        return [content] if isinstance(content, (str, go.Figure)) else list(content)

    @property
    def slug(self) -> str:
        return self.anchor or re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")


SectionLike = Section | tuple[str, Any]


def as_section(value: SectionLike) -> Section:
    """A :class:`Section`, or a ``(title, content)`` pair made into one."""
    if isinstance(value, Section):
        return value
    title, content = value
    return Section(title=str(title), content=content)


# --- the page ---------------------------------------------------------------------------


def build_report(
    scenario: Scenario,
    plan: Plan,
    *,
    risk: dict[str, Any] | None = None,
    extra_sections: Iterable[SectionLike] = (),
) -> str:
    """The report of ``plan`` for ``scenario`` as one self-contained HTML document.

    A plan without a schedule (infeasible, error) gives the header with its status and
    message and no charts. ``risk`` is a risk document (format v1) of the same plan.
    """
    data.check_plan_matches(scenario, plan)
    if risk is not None:
        data.check_risk(risk, scenario)
    values = data.kpis(scenario, plan)
    sections: list[Section] = []
    if plan.has_plan:
        sections += plan_sections(scenario, plan)
        if risk is not None:
            sections.append(risk_section(scenario, risk))
    sections += [as_section(s) for s in extra_sections]
    body = [_header(scenario, plan, values, risk), _nav(sections)]
    if plan.has_plan:
        body.append(_completion_table(scenario, values, risk))
        body.append(_due_date_table(scenario, plan, risk))
    else:
        body.append('<section class="card empty"><p>This plan holds no schedule, so there is '
                    "nothing to chart. Fix what the message above names and plan again.</p>"
                    "</section>")
    body += [_render_section(s) for s in sections]
    charted = any(isinstance(part, go.Figure) for s in sections for part in s.parts)
    return _page(scenario, "\n".join(body), plotly=charted)


def write_report(
    path: str | Path,
    scenario: Scenario,
    plan: Plan,
    *,
    risk: dict[str, Any] | None = None,
    extra_sections: Iterable[SectionLike] = (),
) -> Path:
    """Write :func:`build_report`'s page to ``path`` (folders created) and return the path."""
    out = Path(path)
    page = build_report(scenario, plan, risk=risk, extra_sections=extra_sections)
    from surge.fileio import write_text

    return write_text(out, page)


def plan_sections(scenario: Scenario, plan: Plan) -> list[Section]:
    """The report's own sections for a plan that holds a schedule."""
    totals = data.purchase_totals(scenario, plan)
    return [
        Section("Deliveries", charts.delivered_vs_due(scenario, plan),
                "Cumulative units delivered (solid) against cumulative units due (dashed), "
                "per demand."),
        Section("Line activations", charts.activation_gantt(scenario, plan),
                "Each activated line: converting from its start week until ready (hatched), "
                "ramping up (dotted), then at full rate (solid) to the end of the horizon. "
                "Colour: organisation."),
        Section("Line utilisation", charts.utilisation_heatmap(scenario, plan),
                "Hours used by production (quantity × hours per unit / yield) over the hours "
                "the line offers that week; blank where it offers none."),
        Section("Purchases", [charts.purchases_by_week(scenario, plan),
                              _purchase_table(scenario, totals)],
                "Spend on orders placed each week by supplier (country), and totals."),
        Section("Stock of key items", charts.stock_over_time(scenario, plan),
                "End-of-week stock summed over sites, recomputed from the plan's flows, for "
                "the items that are demanded or bought."),
        Section("Cost breakdown", ['<div class="two-col"><div>', charts.cost_donut(scenario, plan),
                                   "</div><div>", _cost_table(scenario, plan), "</div></div>"],
                "The plan's cost C by part."),
    ]


def risk_section(scenario: Scenario, risk: dict[str, Any]) -> Section:
    """Risk: the delivery fan, P(on time) per due date, and the criticality tornado."""
    content: list[Content] = [
        _cards([
            ("Runs", f"{risk.get('runs', 0):,}", f"seed {risk.get('seed', '—')}"),
            ("P(all due dates met)", _pct(risk.get("p_all_met")), ""),
            ("Expected S [unit-weeks]", _num(risk.get("expected_service"), 1),
             f"± {_num(risk.get('service_stderr'), 1)} (standard error)"),
        ]),
        "<h3>Delivery fan</h3>", charts.delivery_fan(scenario, risk),
        "<h3>P(on time) per due date</h3>", charts.on_time_bars(scenario, risk),
    ]
    ranked = [c for c in risk.get("criticality", []) if not c.get("worse_when_perfect")]
    odd = [c for c in risk.get("criticality", []) if c.get("worse_when_perfect")]
    if ranked:
        content += ["<h3>Criticality</h3>",
                    charts.criticality_tornado(scenario, {**risk, "criticality": ranked})]
    for c in odd:
        content.append(
            f'<p class="intro">Making {escape(c["kind"])} <b>{escape(c["id"])}</b> perfectly '
            f"reliable makes expected S <b>worse</b> by {_num(-c['drop'], 1)} unit-weeks "
            f"(± {_num(c['stderr'], 1)}), beyond sampling noise. This is not a ranking: with "
            "more of its units on time, catch-up work elsewhere is reordered, and work that "
            "shares items or lines with it can lose hours or stock it would have had.</p>")
    return Section("Risk", content,
                   "The plan executed many times under random disruptions (risk file v1): "
                   "how likely each due date is to hold, and which sources matter most.")


# --- pieces -----------------------------------------------------------------------------


def _num(x: Any, digits: int = 0) -> str:
    return "—" if x is None else f"{float(x):,.{digits}f}"


def _bound(value: float | None, bound: float | None, digits: int) -> str:
    """`` · proven bound X`` when a time limit left a gap, else nothing."""
    if value is None or bound is None or abs(value - bound) <= data.TOL * max(1.0, abs(value)):
        return ""
    return f"<br><b>proven bound {_num(bound, digits)}</b>"


def _pct(x: Any) -> str:
    return "—" if x is None else f"{float(x):.1%}"


def _week(scenario: Scenario, week: int | None) -> str:
    if week is None:
        return "—"
    return f"W{week} <small>{scenario.week_date(week):%d %b %Y}</small>"


def _cards(cards: list[tuple[str, str, str]]) -> str:
    items = "".join(f'<div class="kpi"><div class="label">{escape(label)}</div>'
                    f'<div class="value">{value}</div><div class="sub">{sub}</div></div>'
                    for label, value, sub in cards)
    return f'<div class="kpis">{items}</div>'


def _header(scenario: Scenario, plan: Plan, values: dict[str, Any],
            risk: dict[str, Any] | None) -> str:
    end = scenario.weeks - 1
    subtitle = (f"{scenario.weeks} weeks: W0 {scenario.start:%d %b %Y} – W{end} "
                f"{scenario.week_date(end):%d %b %Y} · objective {escape(scenario.objective.mode)}"
                f" · {len(scenario.lines)} candidate lines · {len(scenario.demands)} demands")
    message = (f'<p class="message status-{plan.status}">{escape(plan.message)}</p>'
               if plan.message else "")
    badge, verdict = _verdict(scenario, plan, risk)
    head = (f'<header><div class="title-row"><h1>{escape(scenario.name)}</h1>{badge}</div>'
            f'<p class="subtitle">{subtitle}</p>{message}{verdict}</header>')
    if not plan.has_plan:
        return head
    cur = escape(scenario.currency)
    costs = values["costs"] or {}
    breakdown = " · ".join(f"{part} {money(costs.get(part))}" for part in data.COST_PARTS)
    due_total, late = values["total_due"], values["total_due"] * (1 - values["on_time_share"])
    o = plan.objective
    cards = [
        ("Service S", _num(values["service"], 1),
         "unit-weeks late" + (" — every unit on time" if shown(values["service"]) == 0 else "")
         + _bound(o.service, o.service_bound, 1)),
        ("Cost C", f"{money(values['cost'])} <small>{cur}</small>",
         breakdown + _bound(o.cost, o.cost_bound, 0)),
        ("Lines activated", f"{values['lines_activated']}", f"of {len(scenario.lines)} candidates"),
        ("First delivery", _week(scenario, values["first_delivery_week"]), ""),
        ("On-time share", _pct(values["on_time_share"]),
         f"{_num(due_total - late)} of {_num(due_total)} units by their due week"),
    ]
    extra = o.model_extra or {}
    if o.mode == "weighted" and extra.get("value") is not None:
        cards.insert(2, (f"C + {scenario.objective.late_penalty:g} × S", money(extra["value"]),
                         "weighted objective" + _bound(extra["value"], extra.get("bound"), 0)))
    if risk is not None:
        measured = risk.get("uncertainty", True)
        cards.insert(0, ("P(all due dates met)", _pct(risk.get("p_all_met")) if measured
                         else "not measured",
                         f"{risk.get('runs', 0):,} simulated runs · expected S "
                         f"{_num(risk.get('expected_service'), 0)} unit-weeks" if measured
                         else "the scenario has no uncertainty"))
    return head + _cards(cards)


def _verdict(scenario: Scenario, plan: Plan,
             risk: dict[str, Any] | None) -> tuple[str, str]:
    """The status badge and one plain sentence on how much the plan can absorb."""
    status = escape(plan.status)
    if not plan.has_plan:
        return f'<span class="badge status-{plan.status}">{status}</span>', ""
    table = data.slack(scenario, plan)
    tight, n = data.no_slack(table), len(table)
    words = []
    if tight:
        words.append(f"<b>No slack</b> at {tight} of {n} due date{'s' if n != 1 else ''}: "
                     "met exactly in the due week with nothing to spare, so any delay "
                     "upstream makes them late.")
    p = risk.get("p_all_met") if risk is not None and risk.get("uncertainty", True) else None
    fragile = p is not None and p < data.FRAGILE
    if p is not None:
        words.append(f"Under the scenario's disruptions, every due date holds in "
                     f"<b>{_pct(p)}</b> of {risk.get('runs', 0):,} runs"  # type: ignore[union-attr]
                     + (" — a fragile plan." if fragile else "."))
    if fragile:
        level = "late" if p is not None and p < 0.5 else "warn"
        badge = f'<span class="badge status-fragile {level}">{status} · fragile</span>'
    else:
        badge = f'<span class="badge status-{plan.status}">{status}</span>'
    kind = "fragile" if fragile else "tight" if tight else ""
    verdict = f'<p class="message verdict {kind}">{" ".join(words)}</p>' if words else ""
    return badge, verdict


def _nav(sections: list[Section]) -> str:
    if not sections:
        return ""
    links = "".join(f'<a href="#{escape(s.slug)}">{escape(s.title)}</a>' for s in sections)
    return f"<nav>{links}</nav>"


def _table(header: list[str], rows: list[list[str]], numeric: set[int], *,
           scroll: bool = False) -> str:
    head = "".join(f'<th class="{"num" if i in numeric else ""}">{escape(h)}</th>'
                   for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td class="{"num" if i in numeric else ""}">{c}</td>'
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    wrap = "table-wrap scroll" if scroll else "table-wrap"
    return (f'<div class="{wrap}"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _completion_table(scenario: Scenario, values: dict[str, Any],
                      risk: dict[str, Any] | None = None) -> str:
    at_risk = _lowest_p_on_time(risk)
    rows = []
    for d in scenario.demands:
        weeks = sorted({x.week for x in d.due})
        done = values["completion_weeks"].get(d.id)
        share = values["on_time_by_demand"].get(d.id, 0.0)
        state = _demand_state(share, done, at_risk.get(d.id))
        due = (_week(scenario, weeks[0]) if len(weeks) == 1 else
               f"{len(weeks)} dates, {_week(scenario, weeks[0])} – {_week(scenario, weeks[-1])}")
        rows.append([escape(d.id), escape(d.item), escape(d.site), _num(d.total), due,
                     _pct(share), _week(scenario, done) if done is not None else
                     "not within horizon", state])
    return ('<section class="card"><h2>Demands</h2><p class="intro">Units delivered by their '
            "due week, and the week each demand is complete (its whole quantity delivered)."
            "</p>" + _table(["demand", "item", "site", "total due", "due", "on time",
                             "complete", ""], rows, {3, 5}) + "</section>")


def _demand_state(share: float, done: int | None, p_on_time: float | None) -> str:
    """The pill of a demand: late or incomplete in the plan, or on time in the plan but with
    a due date the risk runs show likely missed, or plainly on time."""
    if share < 1 - data.TOL:
        return ('<span class="pill warn">partly late</span>' if done is not None else
                '<span class="pill late">not complete</span>')
    if p_on_time is not None and p_on_time < data.FRAGILE:
        level = "late" if p_on_time < 0.5 else "warn"
        return (f'<span class="pill {level}">on time in the plan, {_pct(p_on_time)} '
                "in the runs</span>")
    return '<span class="pill ok">on time</span>'


def _lowest_p_on_time(risk: dict[str, Any] | None) -> dict[str, float]:
    """Each demand's lowest P(on time) over its due dates, when the risk was measured: a
    plan on time as written is not shown as a plain success when a due date is likely missed
    (below :data:`surge.report.data.FRAGILE`)."""
    if risk is None or not risk.get("uncertainty", True):
        return {}
    out: dict[str, float] = {}
    for r in risk.get("due_dates", []):
        out[r["demand"]] = min(out.get(r["demand"], 1.0), float(r["p_on_time"]))
    return out


def _due_date_table(scenario: Scenario, plan: Plan, risk: dict[str, Any] | None) -> str:
    """Each due date: what the plan leaves to spare, and P(on time) when risk is known."""
    table = data.slack(scenario, plan)
    p_on = {}
    measured = risk is not None and risk.get("uncertainty", True)
    if measured:
        p_on = {(r["demand"], r["week"]): r["p_on_time"]
                for r in risk.get("due_dates", [])}  # type: ignore[union-attr]
    rows = []
    for r in table.itertuples():
        if r.weeks_early is None:
            room = '<span class="pill late">late</span>'
        elif r.surplus == 0 and r.weeks_early == 0:
            room = '<span class="pill warn">no slack</span>'
        else:
            room = f"{_num(r.surplus)} units · {r.weeks_early} wk early"
        p = p_on.get((r.demand, r.week))
        rows.append([escape(str(r.demand)), _week(scenario, int(r.week)), _num(r.cum_due), room]
                    + ([_pct(p) if p is not None else "—"] if measured else []))
    header = ["demand", "due", "cumulative due", "slack in the plan"]
    header += ["P(on time)"] if measured else []
    return ('<section class="card"><h2>Due dates</h2><p class="intro">Slack: units delivered '
            "beyond the cumulative due at the due week, and how many weeks before it the "
            "cumulative due was reached." + (" P(on time): share of the simulated runs that "
                                            "meet it." if measured else "") + "</p>"
            + _table(header, rows, {2, 4}) + "</section>")


def _purchase_table(scenario: Scenario, totals: Any) -> str:
    if totals.empty:
        return '<p class="intro">No purchases in this plan.</p>'
    rows = [[escape(r.supplier), escape(r.country), escape(r.item), _num(r.quantity),
             _num(r.spend), _pct(r.share)] for r in totals.itertuples()]
    rows.append(["<b>total</b>", "", "", "", f"<b>{_num(totals['spend'].sum())}</b>", "100.0%"])
    by_country = totals.groupby("country")["share"].sum().sort_values(ascending=False)
    chips = "".join(f'<span class="chip">{escape(str(c))} {_pct(v)}</span>'
                    for c, v in by_country.items())
    return (f'<p class="chips">Spend by country: {chips}</p>'
            + _table(["supplier", "country", "item", "units",
                      f"spend [{scenario.currency}]", "share"], rows, {3, 4, 5}, scroll=True))


def _cost_table(scenario: Scenario, plan: Plan) -> str:
    parts = data.cost_breakdown(plan)
    total = parts.sum()
    rows = [[part, _num(v), _pct(v / total if total else 0.0)] for part, v in parts.items()]
    rows.append(["<b>total C</b>", f"<b>{_num(total)}</b>", "100.0%"])
    return _table(["part", f"cost [{scenario.currency}]", "share"], rows, {1, 2})


def _figure_html(fig: go.Figure) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, config=PLOT_CONFIG,
                       default_width="100%")


def _render_section(section: Section) -> str:
    inner = "".join(_figure_html(p) if isinstance(p, go.Figure) else str(p)
                    for p in section.parts)
    intro = f'<p class="intro">{section.intro}</p>' if section.intro else ""
    return (f'<section class="card" id="{escape(section.slug)}"><h2>{escape(section.title)}</h2>'
            f"{intro}{inner}</section>")


def _page(scenario: Scenario, body: str, *, plotly: bool) -> str:
    """The whole document; plotly.js is embedded (once) only if a chart needs it."""
    from surge import __version__

    made = dt.datetime.now().strftime("%d %b %Y %H:%M")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(scenario.name)} — Surge plan report</title>
<style>{CSS}</style>
{_plotly_script() if plotly else ""}
</head><body><main>
{body}
<footer>Surge {__version__} · report generated {made} · all charts work offline</footer>
</main></body></html>
"""


def _plotly_script() -> str:
    return ("<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
            f"<script>{get_plotlyjs()}</script>")


CSS = """
:root { --ink:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#f5f7fb; --card:#fff;
        --blue:#2563eb; --green:#059669; --amber:#d97706; --red:#dc2626; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font: 14px/1.5 Inter, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
header { margin-bottom: 16px; }
header h1 { margin:0; font-size: 26px; letter-spacing: -0.01em; }
.title-row { display:flex; align-items:center; gap:14px; flex-wrap:wrap; }
.subtitle { color:var(--muted); margin:4px 0 0; }
.message { margin:10px 0 0; padding:10px 14px; border-radius:8px; background:#eef2ff; }
.message.status-infeasible, .message.status-error { background:#fef2f2; color:#7f1d1d;
       border-left: 4px solid var(--red); }
.message.status-feasible { background:#fffbeb; border-left: 4px solid var(--amber); }
.badge { text-transform:uppercase; font-size:12px; font-weight:700; letter-spacing:.06em;
         padding:4px 10px; border-radius:999px; color:#fff; background:var(--muted); }
.badge.status-optimal { background:var(--green); }
.badge.status-feasible { background:var(--amber); }
.badge.status-infeasible, .badge.status-error { background:var(--red); }
.badge.status-fragile.late { background:var(--red); }
.badge.status-fragile.warn { background:var(--amber); }
.message.verdict.fragile { background:#fef2f2; color:#7f1d1d; border-left: 4px solid var(--red); }
.message.verdict.tight { background:#fffbeb; border-left: 4px solid var(--amber); }
.kpis { display:grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap:12px;
        margin: 18px 0; }
.kpi { background:var(--card); border:1px solid var(--line); border-radius:12px; padding:14px 16px;
       box-shadow: 0 1px 2px rgba(16,24,40,.04); }
.kpi .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.05em; }
.kpi .value { font-size:24px; font-weight:650; margin-top:2px; }
.kpi .value small { font-size:13px; color:var(--muted); font-weight:500; }
.kpi .sub { color:var(--muted); font-size:12px; }
nav { display:flex; flex-wrap:wrap; gap:6px; margin: 4px 0 18px; position: sticky; top:0;
      background: var(--bg); padding: 8px 0; z-index: 10; }
nav a { color:var(--blue); text-decoration:none; padding:4px 10px; border-radius:999px;
        background:#e8efff; font-size:13px; }
nav a:hover { background:#dbe6ff; }
.card { background:var(--card); border:1px solid var(--line); border-radius:14px;
        padding: 18px 20px; margin-bottom: 18px; box-shadow: 0 1px 3px rgba(16,24,40,.05); }
.card.empty { color: var(--muted); }
.card h2 { margin:0 0 2px; font-size:18px; } .card h3 { margin:18px 0 0; font-size:15px; }
.intro { color:var(--muted); margin:0 0 8px; }
.table-wrap { overflow-x:auto; }
table { border-collapse: collapse; width:100%; margin-top:8px; font-variant-numeric: tabular-nums; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align:left; }
th { font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted);
     font-weight:600; }
td.num, th.num { text-align:right; }
td small { color: var(--muted); }
tbody tr:hover { background:#f9fafb; }
.pill { font-size:12px; padding:2px 8px; border-radius:999px; font-weight:600; }
.pill.ok { background:#d1fae5; color:#065f46; } .pill.late { background:#fee2e2; color:#991b1b; }
.pill.warn { background:#fef3c7; color:#92400e; }
.chips { color: var(--muted); margin: 10px 0 0; }
.chip { display:inline-block; background:#f3f4f6; color:var(--ink); border-radius:6px;
        padding:1px 8px; margin: 2px 4px 2px 0; font-size:12px; }
.table-wrap.scroll { max-height: 380px; overflow-y: auto; }
.table-wrap.scroll thead th { position: sticky; top: 0; background: var(--card); }
.two-col { display:grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 24px;
           align-items: center; }
@media (max-width: 800px) { .two-col { grid-template-columns: 1fr; } }
footer { color:var(--muted); font-size:12px; text-align:center; margin-top:24px; }
"""
