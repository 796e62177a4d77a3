"""Plain data for the templates: headlines, tables, CSV exports and sentences with dates.

Each function takes a scenario and plan as the user may see them (cut by the scope) and
returns lists and dicts of strings and numbers; the templates only lay them out.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from surge.explain.compare import Comparison
from surge.fmt import amount
from surge.plan.model import Plan
from surge.report import data
from surge.scenario.model import Scenario
from surge.service.views import ELSEWHERE


def day(scenario: Scenario, week: int) -> str:
    """``01 Mar 2027``: the first day of ``week``."""
    return f"{scenario.week_date(week):%d %b %Y}"


# --- headline ------------------------------------------------------------------------------


@dataclass
class Headline:
    """The plan's key figures and its verdict: ``level`` is ``good`` (green), ``warn``,
    ``bad`` or ``none``; a fragile plan (P(all due dates met) < 90 %) is never ``good``."""

    status: str
    level: str
    verdict: str
    cards: list[tuple[str, str, str]] = field(default_factory=list)


def headline(scenario: Scenario, plan: Plan, risk: dict[str, Any] | None) -> Headline:
    """S, C, P(on time) once a risk run exists, on-time share and the verdict in words."""
    if not plan.has_plan:
        return Headline(plan.status, "bad", plan.message or f"the plan is {plan.status}")
    k = data.kpis(scenario, plan)
    cur = scenario.currency
    service = k["service"] or 0.0
    late = service > 1e-6 * max(1.0, k["total_due"])
    cards = [("Lateness S", f"{amount(0.0 if not late else service)}",
              "unit-weeks late" + ("" if late else " — every unit on time")),
             ("Cost C", f"{amount(k['cost'] or 0.0)} {cur}", _costs(k["costs"], cur)),
             ("On-time share", f"{k['on_time_share']:.1%}",
              f"{amount(k['total_due'] * k['on_time_share'])} of {amount(k['total_due'])} units"),
             ("Lines converted", f"{k['lines_activated']}", f"of {len(scenario.lines)} candidates"),
             ("First delivery", day(scenario, k["first_delivery_week"])
              if k["first_delivery_week"] is not None else "—", "")]
    p = risk.get("p_all_met") if risk and risk.get("uncertainty", True) else None
    words = []
    level = "bad" if late else "good"
    if p is not None:
        cards.insert(0, ("P(on time)", f"{p:.1%}",
                         f"all due dates met in {p:.1%} of {risk.get('runs', 0):,} runs"  # type: ignore[union-attr]
                         ))
        if p < data.FRAGILE:
            level = "bad" if p < 0.5 else "warn"
            words.append(f"A fragile plan: under the scenario's disruptions every due date "
                         f"holds in only {p:.1%} of the simulated runs.")
        else:
            words.append(f"Every due date holds in {p:.1%} of the simulated runs.")
    else:
        words.append("No risk run yet: how the plan stands up to disruptions is not measured.")
        if level == "good":
            level = "none"
    tight = data.no_slack(data.slack(scenario, plan))
    if tight:
        words.append(f"No slack at {tight} due date{'s' if tight != 1 else ''}: met in the "
                     "due week with nothing to spare.")
    if late:
        words.insert(0, f"{amount(service)} unit-weeks late.")
    return Headline(plan.status, level, " ".join(words), cards)


def _costs(costs: dict[str, float] | None, cur: str) -> str:
    if not costs:
        return ""
    return " · ".join(f"{part} {amount(costs.get(part) or 0.0)}" for part in data.COST_PARTS)


def dated_weeks(scenario: Scenario, first: int | None, last: int | None) -> str:
    """``the weeks of 05 Apr – 19 Apr 2027``, ``the week of 05 Apr 2027``, ``the whole horizon``."""
    if first is None:
        return "the whole horizon"
    if last is None or last == first:
        return f"the week of {day(scenario, first)}"
    return f"the weeks of {scenario.week_date(first):%d %b} – {day(scenario, last)}"


_WEEKS = re.compile(r"\bweeks (\d+)-(\d+)\b")
_WEEK = re.compile(r"\bweek (\d+)\b")


def with_dates(scenario: Scenario, text: str) -> str:
    """A sentence of :mod:`surge.explain` with its week numbers written as dates.

    >>> from surge.scenario import load
    >>> sc = load("examples/minimal.yaml")
    >>> with_dates(sc, "short by week 2; limits in weeks 0-1")
    'short by the week of 19 Jan 2026; limits in the weeks of 05 Jan – 12 Jan 2026'
    """
    def weeks(m: re.Match[str]) -> str:
        return dated_weeks(scenario, int(m.group(1)), int(m.group(2)))

    text = _WEEKS.sub(weeks, text)
    return _WEEK.sub(lambda m: dated_weeks(scenario, int(m.group(1)), None), text)


# --- buffers in plain words --------------------------------------------------------------


def buffers(scenario: Scenario, plan: Plan) -> list[str]:
    """One sentence per due date: how early it is met and with how many units to spare."""
    out = []
    for r in data.slack(scenario, plan).itertuples():
        when = f"{r.demand}, {amount(r.cum_due)} units by {day(scenario, int(r.week))}"
        if r.weeks_early is None:
            out.append(f"{when}: missed, {amount(-r.surplus)} units short then.")
        elif r.surplus == 0 and r.weeks_early == 0:
            out.append(f"{when}: no buffer — met in the due week with nothing to spare; any "
                       "delay upstream makes it late.")
        else:
            early = (f"reached {r.weeks_early} week{'s' if r.weeks_early != 1 else ''} early"
                     if r.weeks_early else "met in the due week")
            spare = f" with {amount(r.surplus)} units to spare" if r.surplus > 0 else ""
            out.append(f"{when}: {early}{spare}.")
    return out


# --- production, arrivals ------------------------------------------------------------------


@dataclass
class WeekTable:
    """Rows of labels and one number per week (blank where zero)."""

    weeks: list[str]
    head: list[str]
    rows: list[tuple[list[str], list[str], str]]  # (labels, cells per week, total)


def production(scenario: Scenario, plan: Plan) -> WeekTable:
    """Units started per line and operation each week."""
    ops = scenario.by_id("operations")
    qty: defaultdict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0] * scenario.weeks)
    for p in plan.production:
        if 0 <= p.week < scenario.weeks:
            qty[(p.line, p.operation)][p.week] += p.quantity
    rows = []
    for (line, op), per in sorted(qty.items()):
        item = ops[op].produces if op in ops else ""
        rows.append(([line, op, item], [amount(q) if q > 0.5e-6 else "" for q in per],
                     amount(sum(per))))
    return WeekTable([f"{scenario.week_date(w):%d %b}" for w in range(scenario.weeks)],
                     ["line", "operation", "makes"], rows)


def production_csv(scenario: Scenario, plan: Plan) -> str:
    """The production table as CSV, one row per line, operation and week."""
    ops, lines, sites = (scenario.by_id("operations"), scenario.by_id("lines"),
                         scenario.by_id("sites"))
    rows = [["line", "site", "organization", "operation", "item", "week", "week_starts",
             "quantity"]]
    for p in sorted(plan.production, key=lambda p: (p.line, p.operation, p.week)):
        line = lines.get(p.line)
        site = line.site if line else ""
        org = sites[site].organization if site in sites else ""
        item = ops[p.operation].produces if p.operation in ops else ""
        rows.append([p.line, site, org, p.operation, item, str(p.week),
                     scenario.week_date(p.week).isoformat(), f"{p.quantity:.6g}"])
    return _csv(rows)


def conversions(scenario: Scenario, plan: Plan) -> list[dict[str, str]]:
    """Each converted line: option, start, ready and full-rate dates."""
    out = []
    for r in data.activations(scenario, plan).itertuples():
        out.append({"line": str(r.line), "site": str(r.site), "option": str(r.option),
                    "capabilities": str(r.capabilities),
                    "hours": amount(float(r.hours_per_week)),
                    "start": day(scenario, int(r.start)), "ready": day(scenario, int(r.ready)),
                    "full": day(scenario, int(r.full)) if r.full < scenario.weeks else "—"})
    return out


def movements(scenario: Scenario, plan: Plan) -> list[dict[str, Any]]:
    """What arrives at, leaves from and is delivered at the plan's sites, by date.

    Kinds ``arrives`` (a purchase or shipment arriving), ``leaves`` (a shipment leaving)
    and ``delivered`` (to a demand). The far end of a shipment cut by the scope reads
    ``(another organization)``.
    """
    suppliers = scenario.by_id("suppliers")
    demands = scenario.by_id("demands")
    rows: list[dict[str, Any]] = []
    for b in plan.purchases:
        sup = suppliers.get(b.supplier)
        rows.append({"kind": "arrives", "week": b.arrival_week, "site": b.site, "item": b.item,
                     "quantity": b.quantity,
                     "other": f"supplier {b.supplier}" + (f" ({sup.country})" if sup else ""),
                     "ordered": b.week})
    for s in plan.shipments:
        if s.to != ELSEWHERE or s.from_ == ELSEWHERE:
            rows.append({"kind": "arrives", "week": s.arrival_week, "site": s.to,
                         "item": s.item, "quantity": s.quantity, "other": f"from {s.from_}",
                         "ordered": s.week})
        if s.from_ != ELSEWHERE:
            rows.append({"kind": "leaves", "week": s.week, "site": s.from_, "item": s.item,
                         "quantity": s.quantity, "other": f"to {s.to}", "ordered": s.week})
    for d in plan.deliveries:
        dem = demands.get(d.demand)
        if dem is not None:
            rows.append({"kind": "delivered", "week": d.week, "site": dem.site,
                         "item": dem.item, "quantity": d.quantity,
                         "other": f"demand {d.demand}", "ordered": d.week})
    rows = [r for r in rows if r["site"] != ELSEWHERE]
    rows.sort(key=lambda r: (r["week"], r["site"], r["kind"], r["item"], r["other"]))
    for r in rows:
        r["date"] = day(scenario, r["week"])
        r["sent"] = day(scenario, r["ordered"])
        r["units"] = amount(r["quantity"])
    return rows


def part_csv(scenario: Scenario, plan: Plan) -> str:
    """A manufacturer's part as one CSV: what its lines make and what moves at its sites."""
    ops = scenario.by_id("operations")
    lines = scenario.by_id("lines")
    rows = [["kind", "week", "week_starts", "site", "line", "operation", "item", "quantity",
             "other_end"]]
    for p in sorted(plan.production, key=lambda p: (p.week, p.line, p.operation)):
        line = lines.get(p.line)
        rows.append(["make", str(p.week), scenario.week_date(p.week).isoformat(),
                     line.site if line else "", p.line, p.operation,
                     ops[p.operation].produces if p.operation in ops else "",
                     f"{p.quantity:.6g}", ""])
    for m in movements(scenario, plan):
        rows.append([m["kind"], str(m["week"]), scenario.week_date(m["week"]).isoformat(),
                     m["site"], "", "", m["item"], f"{m['quantity']:.6g}", m["other"]])
    return _csv(rows)


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:  # a cell starting like a formula is quoted as text for spreadsheets
        writer.writerow(["'" + c if c[:1] in ("=", "+", "@") else c for c in row])
    return out.getvalue()


# --- the revision ------------------------------------------------------------------------


def suppliers_by_country(scenario: Scenario) -> list[dict[str, Any]]:
    """Countries with their suppliers and what each offers (price, lead time, capacity)."""
    by: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in scenario.suppliers:
        offers = []
        for o in s.offers:
            cap = o.capacity_per_week
            cap_text = amount(cap) if isinstance(cap, int | float) else \
                f"{amount(min(cap))}–{amount(max(cap))}"
            offers.append({"item": o.item, "price": amount(o.unit_price),
                           "lead": o.lead_time_weeks, "capacity": cap_text})
        by[s.country].append({"id": s.id, "name": s.name or "", "offers": offers})
    return [{"country": c, "suppliers": by[c]} for c in sorted(by)]


def demands(scenario: Scenario) -> list[dict[str, Any]]:
    """Each demand with its due dates (as dates) and cumulative quantities."""
    out = []
    for d in scenario.demands:
        cum, due = 0.0, []
        for x in sorted(d.due, key=lambda x: x.week):
            cum += x.quantity
            due.append({"date": day(scenario, x.week), "quantity": amount(x.quantity),
                        "cumulative": amount(cum)})
        out.append({"id": d.id, "item": d.item, "site": d.site, "weight": d.weight,
                    "total": amount(d.total), "due": due})
    return out


# --- comparing two plans -----------------------------------------------------------------


def change_sentences(scenario: Scenario, c: Comparison) -> list[str]:
    """What changed from plan A to plan B, weeks named by their dates (the CLI's and the
    report's words: :meth:`Comparison.sentences`)."""
    from surge.explain.compare import dated

    return c.sentences(when=dated(scenario, numbered=False))
