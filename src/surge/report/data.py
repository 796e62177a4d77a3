"""The numbers behind the report: KPIs and tables computed from a scenario and its plan.

Everything here is plain pandas and reads the plan as written (it does not check it; that is
``surge verify``'s job). Weeks are the scenario's week numbers ``0 .. weeks-1``.

>>> from surge.scenario import load
>>> from surge.plan.model import Plan
>>> sc = load("examples/minimal.yaml")
>>> kpis(sc, Plan(scenario=sc.name, status="infeasible", message="budget"))["lines_activated"]
0
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from surge.errors import InputError
from surge.plan.model import TOL, Plan
from surge.scenario.due import due_per_week
from surge.scenario.model import Scenario

# --- consistency between the files ------------------------------------------------------


def check_plan_matches(scenario: Scenario, plan: Plan) -> None:
    """Raise :class:`InputError` if the plan names objects the scenario does not have.

    The report only needs the ids to resolve; every other rule is ``surge verify``'s.
    """
    if plan.scenario != scenario.name:
        raise InputError(
            f"the plan is for scenario '{plan.scenario}', not '{scenario.name}': "
            "give the scenario the plan was made for"
        )
    known = {
        "line": scenario.by_id("lines"),
        "operation": scenario.by_id("operations"),
        "supplier": scenario.by_id("suppliers"),
        "demand": scenario.by_id("demands"),
        "item": scenario.by_id("items"),
        "site": scenario.by_id("sites"),
    }
    found: list[str] = []

    def need(kind: str, value: str, where: str) -> None:
        if value not in known[kind]:
            found.append(f"{where}: unknown {kind} '{value}'")

    for i, a in enumerate(plan.activations):
        need("line", a.line, f"activations[{i}]")
        line = known["line"].get(a.line)
        if line is not None and a.option not in {o.id for o in line.options}:
            found.append(f"activations[{i}]: line '{a.line}' has no option '{a.option}'")
    for i, p in enumerate(plan.production):
        need("operation", p.operation, f"production[{i}]")
        need("line", p.line, f"production[{i}]")
    for i, b in enumerate(plan.purchases):
        need("supplier", b.supplier, f"purchases[{i}]")
        need("item", b.item, f"purchases[{i}]")
        need("site", b.site, f"purchases[{i}]")
    for i, s in enumerate(plan.shipments):
        need("item", s.item, f"shipments[{i}]")
        need("site", s.from_, f"shipments[{i}].from")
        need("site", s.to, f"shipments[{i}].to")
    for i, d in enumerate(plan.deliveries):
        need("demand", d.demand, f"deliveries[{i}]")
    if found:
        raise InputError(
            f"the plan does not fit scenario '{scenario.name}' ({len(found)} unknown id"
            f"{'s' if len(found) > 1 else ''}):\n  " + "\n  ".join(found[:20])
        )


# --- deliveries -------------------------------------------------------------------------


def _per_week(rows: list[tuple[int, float]], weeks: int) -> np.ndarray:
    out = np.zeros(weeks)
    for week, qty in rows:
        if 0 <= week < weeks:
            out[week] += qty
    return out


def deliveries(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """Per demand and week: units due and delivered in the week, and both cumulated.

    Columns ``demand, item, site, week, due, delivered, cum_due, cum_delivered`` [units].
    """
    frames = []
    for d in scenario.demands:
        due = due_per_week(d, scenario.weeks)
        got = _per_week([(x.week, x.quantity) for x in plan.deliveries if x.demand == d.id],
                        scenario.weeks)
        frames.append(pd.DataFrame({
            "demand": d.id, "item": d.item, "site": d.site, "week": np.arange(scenario.weeks),
            "due": due, "delivered": got, "cum_due": due.cumsum(), "cum_delivered": got.cumsum(),
        }))
    if not frames:  # a scenario without demands: an empty table with the same columns
        return pd.DataFrame(columns=["demand", "item", "site", "week", "due", "delivered",
                                     "cum_due", "cum_delivered"])
    return pd.concat(frames, ignore_index=True)


def on_time_units(cum_due: np.ndarray, due: np.ndarray, cum_delivered: np.ndarray) -> float:
    """Units delivered by their due week, deliveries serving the earliest due first [units].

    The tranche due in week ``w`` covers cumulative units ``cum_due[w] - due[w] ..
    cum_due[w]``; the part of it delivered by ``w`` is on time.
    """
    return float(np.clip(cum_delivered - (cum_due - due), 0.0, due).sum())


def completion_week(cum_delivered: np.ndarray, total: float) -> int | None:
    """First week by which ``total`` units are delivered (within 1e-6 relative), or None."""
    done = np.flatnonzero(cum_delivered >= total - TOL * max(1.0, total))
    return int(done[0]) if done.size else None


# --- KPIs -------------------------------------------------------------------------------


def kpis(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """Key figures of a plan, as plain data (``surge plan``'s summary table reuses them).

    Keys
    ----
    ``status``, ``message``; ``service`` (S) [unit-weeks] and ``cost`` (C) [currency] as the
    plan states them; ``costs`` ``{activation, operating, purchase, transport, total}`` or
    None; ``lines_activated`` [-]; ``first_delivery_week`` (None if nothing is delivered);
    ``total_due``, ``total_delivered`` [units]; ``on_time_share`` [-] (units delivered by
    their due week / total due, deliveries serving the earliest due first) and
    ``on_time_by_demand`` ``{demand: share}``; ``completion_weeks`` ``{demand: week or
    None}``, the week each demand is complete.
    """
    table = deliveries(scenario, plan)
    total_due = float(table["due"].sum())
    on_time: dict[str, float] = {}
    completion: dict[str, int | None] = {}
    for demand, rows in table.groupby("demand", sort=False):
        cum, due = rows["cum_delivered"].to_numpy(), rows["due"].to_numpy()
        units = on_time_units(rows["cum_due"].to_numpy(), due, cum)
        on_time[str(demand)] = units / due.sum()
        completion[str(demand)] = completion_week(cum, float(due.sum()))
    on_time_total = sum(on_time[d.id] * d.total for d in scenario.demands)
    delivered_weeks = [d.week for d in plan.deliveries if d.quantity >= TOL]
    return {
        "status": plan.status,
        "message": plan.message,
        "service": plan.objective.service,
        "cost": plan.objective.cost,
        "costs": plan.costs.model_dump(include=set(COST_PARTS) | {"total"}) if plan.costs else None,
        "lines_activated": len({a.line for a in plan.activations}),
        "first_delivery_week": min(delivered_weeks) if delivered_weeks else None,
        "total_due": total_due,
        "total_delivered": float(table["delivered"].sum()),
        "on_time_share": on_time_total / total_due if total_due > 0 else 1.0,
        "on_time_by_demand": on_time,
        "completion_weeks": completion,
    }


def slack(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """How much room the plan leaves at each due date of each demand.

    Columns ``demand, week, cum_due`` [units], ``surplus`` [units] (cumulative delivered
    minus cumulative due at the due week; negative: short) and ``weeks_early`` [weeks]
    (how many weeks before the due week the cumulative due was reached; None: not met by
    then). A due date with ``surplus`` 0 and ``weeks_early`` 0 has no slack: any delay or
    shortfall upstream makes it late.
    """
    table = deliveries(scenario, plan)
    rows = []
    for d in scenario.demands:
        mine = table[table["demand"] == d.id]
        cum_due, cum = mine["cum_due"].to_numpy(), mine["cum_delivered"].to_numpy()
        for w in sorted({x.week for x in d.due if 0 <= x.week < scenario.weeks}):
            need = cum_due[w]
            reached = np.flatnonzero(cum[: w + 1] >= need - TOL * max(1.0, need))
            surplus = float(cum[w] - need)
            rows.append({"demand": d.id, "week": w, "cum_due": float(need),
                         "surplus": 0.0 if abs(surplus) < TOL * max(1.0, need) else surplus,
                         "weeks_early": int(w - reached[0]) if reached.size else None})
    return pd.DataFrame(rows, columns=["demand", "week", "cum_due", "surplus", "weeks_early"])


def no_slack(table: pd.DataFrame) -> int:
    """Due dates of :func:`slack` met exactly in their week with nothing to spare [-]."""
    if table.empty:
        return 0
    tight = (table["surplus"] == 0) & (table["weeks_early"] == 0)
    return int(tight.sum())


COST_PARTS = ("activation", "operating", "purchase", "transport")


def cost_breakdown(plan: Plan) -> pd.Series:
    """The plan's costs by part (activation, operating, purchase, transport) [currency]."""
    if plan.costs is None:
        return pd.Series(dtype=float)
    return pd.Series({part: float(getattr(plan.costs, part)) for part in COST_PARTS})


# --- lines ------------------------------------------------------------------------------


def activations(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """One row per activated line, with the phases of its conversion.

    Columns ``line, site, organization, option, start, ready, full, end`` [week]: converting
    from ``start`` to ``ready``, ramping up from ``ready`` to ``full`` (``ready`` plus the
    length of ``ramp_up``), at full rate to ``end`` (= ``weeks``, the end of the horizon).
    """
    lines, sites = scenario.by_id("lines"), scenario.by_id("sites")
    rows = []
    for a in plan.activations:
        line = lines[a.line]
        option = next(o for o in line.options if o.id == a.option)
        rows.append({
            "line": a.line, "site": line.site, "organization": sites[line.site].organization,
            "option": a.option, "start": a.start_week, "ready": a.ready_week,
            "full": min(a.ready_week + len(option.ramp_up), scenario.weeks),
            "end": scenario.weeks,
            "capabilities": ", ".join(option.capabilities),
            "hours_per_week": option.hours_per_week,
        })
    columns = ["line", "site", "organization", "option", "start", "ready", "full", "end",
               "capabilities", "hours_per_week"]
    return pd.DataFrame(rows, columns=columns).sort_values(["start", "line"], ignore_index=True)


def hours_offered(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """Hours offered by each activated line in each week [h], line x week."""
    lines = scenario.by_id("lines")
    out = {}
    for a in plan.activations:
        option = next(o for o in lines[a.line].options if o.id == a.option)
        out[a.line] = [option.hours_per_week * option.ramp(t - a.ready_week)
                       for t in range(scenario.weeks)]
    return pd.DataFrame.from_dict(out, orient="index", columns=range(scenario.weeks))


def hours_used(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """Line hours used by the plan's production [h], line x week: ``q * hours_per_unit / yield``."""
    ops = scenario.by_id("operations")
    used: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(scenario.weeks))
    for p in plan.production:
        op = ops[p.operation]
        if 0 <= p.week < scenario.weeks:
            used[p.line][p.week] += p.quantity * op.hours_per_unit / op.yield_
    return pd.DataFrame.from_dict(dict(used), orient="index", columns=range(scenario.weeks))


def utilisation(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """Hours used / hours offered, line x week [-]; NaN where the line offers no hours.

    Rows are the activated lines (then any other line that produces), in start order.
    """
    offered = hours_offered(scenario, plan)
    used = hours_used(scenario, plan)
    order = list(activations(scenario, plan)["line"]) + sorted(set(used.index) - set(offered.index))
    offered = offered.reindex(order).fillna(0.0)
    used = used.reindex(order).fillna(0.0)
    return used.div(offered.where(offered > 0))


# --- purchases --------------------------------------------------------------------------


def purchases(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """One row per purchase, with the supplier's country and the spend [currency].

    Columns ``supplier, country, item, site, week, arrival_week, quantity, spend``.
    """
    suppliers = scenario.by_id("suppliers")
    rows = []
    for b in plan.purchases:
        sup = suppliers[b.supplier]
        price = next((o.unit_price for o in sup.offers if o.item == b.item), 0.0)
        rows.append({"supplier": b.supplier, "country": sup.country, "item": b.item,
                     "site": b.site, "week": b.week, "arrival_week": b.arrival_week,
                     "quantity": b.quantity, "spend": b.quantity * price})
    columns = ["supplier", "country", "item", "site", "week", "arrival_week", "quantity", "spend"]
    return pd.DataFrame(rows, columns=columns)


def purchase_totals(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """Totals per supplier and item: units, spend and share of all purchase spend."""
    table = purchases(scenario, plan)
    totals = (table.groupby(["supplier", "country", "item"], as_index=False)[["quantity", "spend"]]
              .sum().sort_values(["spend", "supplier"], ascending=[False, True], ignore_index=True))
    spend = totals["spend"].sum()
    totals["share"] = totals["spend"] / spend if spend > 0 else 0.0
    return totals


# --- stock ------------------------------------------------------------------------------


def key_items(scenario: Scenario, plan: Plan) -> list[str]:
    """Items worth watching: those demanded or bought in the plan, in scenario order."""
    wanted = {d.item for d in scenario.demands} | {b.item for b in plan.purchases}
    return [i.id for i in scenario.items if i.id in wanted]


def stock(scenario: Scenario, plan: Plan, items: list[str] | None = None) -> pd.DataFrame:
    """End-of-week stock per item summed over sites [units], item x week.

    Recomputed from the plan's flows by the material balance of the scenario format:
    stock(t) = stock(t-1) + output, purchases and shipments arriving in t - inputs consumed,
    shipments leaving and deliveries in t (initial inventory before week 0). Shipments move
    stock between sites, so summed over sites only their units in transit are missing.
    """
    items = key_items(scenario, plan) if items is None else items
    weeks = scenario.weeks
    flow = {i: np.zeros(weeks + 1) for i in items}  # index `weeks` catches late arrivals

    def add(item: str, week: int, qty: float) -> None:
        if item in flow and 0 <= week:
            flow[item][min(week, weeks)] += qty

    ops, demands = scenario.by_id("operations"), scenario.by_id("demands")
    for p in plan.production:
        op = ops[p.operation]
        add(op.produces, p.week + op.lead_time_weeks, p.quantity)
        for item, per_unit in op.consumes.items():
            add(item, p.week, -p.quantity * per_unit / op.yield_)
    for b in plan.purchases:
        add(b.item, b.arrival_week, b.quantity)
    for s in plan.shipments:
        add(s.item, s.arrival_week, s.quantity)
        add(s.item, s.week, -s.quantity)
    for d in plan.deliveries:
        add(demands[d.demand].item, d.week, -d.quantity)
    initial: defaultdict[str, float] = defaultdict(float)
    for st in scenario.inventory:
        initial[st.item] += st.quantity
    data = {i: initial[i] + flow[i][:weeks].cumsum() for i in items}
    return pd.DataFrame.from_dict(data, orient="index", columns=range(weeks))


# --- risk file (risk.md, version 1) -----------------------------------------------------

_RISK_LISTS = {
    "due_dates": ("demand", "week", "cumulative_due", "p_on_time"),
    "deliveries": ("demand", "week", "p10", "p50", "p90"),
    "completion": ("demand", "week", "probability"),
    "criticality": ("kind", "id", "drop", "stderr"),
}

FRAGILE = 0.9
"""P(all due dates met) below this is a fragile plan: never shown as a plain success [-]."""


def check_risk(risk: Any, scenario: Scenario, label: str = "risk file") -> dict[str, Any]:
    """Check a risk document (format v1, :class:`surge.risk.file.RiskFile`) for this scenario.

    Returns the document; raises :class:`InputError` naming each bad value.
    """
    from surge.risk.file import read_risk

    doc = read_risk(risk, label)
    if doc.scenario != scenario.name:
        raise InputError(f"{label}: made for scenario '{doc.scenario}', "
                         f"not '{scenario.name}'")
    return dict(risk)


def risk_table(risk: dict[str, Any], key: str) -> pd.DataFrame:
    """One list of a risk document as a table (columns as in risk.md)."""
    return pd.DataFrame(risk.get(key, []), columns=list(_RISK_LISTS[key]))
