"""The independent verifier: every rule of the scenario format, recomputed from a plan file.

It shares nothing with the optimiser but the scenario loader and the plan model: it
rebuilds stocks, hours, capacities, backlogs and costs from the plan's rows with numpy,
checks each constraint family of the scenario format within the plan format's tolerance
(1e-6 relative to the size of the terms) and compares ``S`` and ``C`` with what the plan
claims. Reading :func:`verify` tells you every family that is checked.

The empty plan of the minimal scenario: the 200 drones due in week 7 never come, so
S = 200 x (1 week late + 8 unmet weeks) = 1,800 and C = 0.

>>> import surge
>>> from surge.plan.model import Plan
>>> sc = surge.load("examples/minimal.yaml")
>>> empty = Plan(scenario=sc.name, status="feasible",
...              objective={"service": 1800.0, "cost": 0.0},
...              costs={"activation": 0, "operating": 0, "purchase": 0, "transport": 0, "total": 0})
>>> v = verify(sc, empty)
>>> v.ok, v.service, v.cost
(True, 1800.0, 0.0)
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surge.fmt import num, pct
from surge.plan.model import TOL, Plan, is_close
from surge.scenario.model import Scenario

MAX_QUANTITY = 1e12  # larger quantities overflow sums and tolerances: never a real plan
EARTH_RADIUS_KM = 6371.0
COST_PARTS = ("activation", "operating", "purchase", "transport")

# The order of every list in a plan file (docs/plan.md), written out here on purpose:
# the verifier does not borrow the writer's idea of what is sorted.
SORTED_BY: dict[str, tuple[str, ...]] = {
    "activations": ("line", "option", "start_week", "ready_week"),
    "production": ("operation", "line", "week"),
    "purchases": ("supplier", "item", "site", "week", "arrival_week"),
    "shipments": ("item", "from_", "to", "week", "arrival_week"),
    "deliveries": ("demand", "week"),
}


@dataclass(frozen=True)
class Violation:
    """One rule broken by a plan: which rule, which objects, which week, by how much.

    ``excess`` is how far the plan is over the limit, in the rule's unit ([units], [h],
    [EUR], ...); 0 for rules that are not amounts (a wrong id, a wrong week).
    """

    rule: str
    objects: tuple[str, ...]
    week: int | None
    message: str
    excess: float = 0.0

    def __str__(self) -> str:
        where = f" week {self.week}" if self.week is not None else ""
        return f"[{self.rule}]{where}: {self.message}"


@dataclass
class Verification:
    """What the verifier found, and ``S`` and ``C`` recomputed from the plan alone.

    ``service`` [unit-weeks], ``cost`` and ``costs`` [currency] are ``None`` for a plan
    that holds no plan (status ``infeasible`` or ``error``). ``checks`` counts the
    inequalities and comparisons evaluated, per rule. ``warnings`` do not make a plan fail.
    """

    ok: bool
    violations: list[Violation]
    warnings: list[Violation] = field(default_factory=list)
    service: float | None = None
    cost: float | None = None
    costs: dict[str, float] | None = None
    service_by_demand: dict[str, float] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)

    @property
    def n_checks(self) -> int:
        return sum(self.checks.values())

    @property
    def rules(self) -> set[str]:
        """The rules broken, e.g. ``{"stock-balance"}``."""
        return {v.rule for v in self.violations}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify(scenario: Scenario, plan: Plan) -> Verification:
    """Check every constraint of ``scenario`` on ``plan`` and recompute ``S`` and ``C``.

    Parameters
    ----------
    scenario : a valid scenario (from :func:`surge.load`).
    plan : the plan to check (from :meth:`Plan.read` or a solver).

    Returns
    -------
    Verification with ``ok`` true when no rule is broken.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is a violation, below
        return _run(_Verifier(scenario, plan))


def _run(v: _Verifier) -> Verification:
    """The checks in order; each family reads the plan index the earlier ones built."""
    v.check_header()
    if not v.plan.has_plan:
        v.check_empty_plan()
        return v.result()
    v.check_format()
    v.check_quantities()
    v.check_activations()
    v.check_production()
    v.check_line_capacity()
    v.check_purchases()
    v.check_supplier_capacity()
    v.check_shipments()
    v.check_deliveries()
    v.check_stock_balance()
    v.compute_service()
    v.compute_costs()
    v.check_overflow()
    v.check_policy()
    v.check_claims()
    v.check_gap()
    return v.result()


# --- helpers --------------------------------------------------------------------------


def slack(rhs: Any, terms: Any) -> Any:
    """How far ``lhs`` may exceed ``rhs``: 1e-6 relative to the size of the terms."""
    return TOL * np.maximum(np.maximum(1.0, np.abs(rhs)), terms)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance [km] on a sphere of radius 6371.0 km; arrays welcome."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _codes(ids: list[str]) -> dict[str, int]:
    return {x: i for i, x in enumerate(ids)}


def _lookup(codes: dict[str, int], values: list[Any]) -> np.ndarray:
    """Index of each id in ``codes``; -1 when unknown."""
    return np.fromiter((codes.get(x, -1) for x in values), dtype=np.int64, count=len(values))


class _Verifier:
    """The state of one verification; one method per family, called in order by verify()."""

    def __init__(self, sc: Scenario, plan: Plan) -> None:
        self.sc, self.plan, self.T = sc, plan, sc.weeks
        self.violations: list[Violation] = []
        self.warnings: list[Violation] = []
        self.checks: Counter[str] = Counter()
        self.service: float | None = None
        self.cost: float | None = None
        self.costs: dict[str, float] | None = None
        self.service_by_demand: dict[str, float] = {}
        self.items = _codes([i.id for i in sc.items])
        self.sites = _codes([s.id for s in sc.sites])
        self.lines = _codes([ln.id for ln in sc.lines])
        self.ops = _codes([o.id for o in sc.operations])
        self.demands = _codes([d.id for d in sc.demands])
        self.offers: dict[tuple[str, str], int] = {}
        self.offer_list = []
        for s in sc.suppliers:
            for o in s.offers:
                self.offers[(s.id, o.item)] = len(self.offer_list)
                self.offer_list.append((s, o))
        self.site_of_line = np.array([self.sites[ln.site] for ln in sc.lines], dtype=np.int64)
        self.flows: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, rule: str, objects: tuple[str, ...], week: int | None, message: str,
            excess: float = 0.0) -> None:
        self.violations.append(Violation(rule, objects, week, message, float(excess)))

    def warn(self, rule: str, objects: tuple[str, ...], message: str) -> None:
        self.warnings.append(Violation(rule, objects, None, message))

    def result(self) -> Verification:
        return Verification(
            ok=not self.violations, violations=self.violations, warnings=self.warnings,
            service=self.service, cost=self.cost, costs=self.costs,
            service_by_demand=self.service_by_demand, checks=dict(self.checks),
        )

    # --- the plan as a whole ------------------------------------------------------------

    def check_header(self) -> None:
        if self.plan.scenario != self.sc.name:
            self.warn("scenario-name", (self.plan.scenario,),
                      f"the plan is for scenario '{self.plan.scenario}', "
                      f"this scenario is '{self.sc.name}'")
        if self.plan.has_plan and self.plan.objective.mode != self.sc.objective.mode:
            self.warn("objective-mode", (self.plan.objective.mode,),
                      f"the plan was made in mode '{self.plan.objective.mode}', "
                      f"the scenario asks for '{self.sc.objective.mode}'")

    def check_empty_plan(self) -> None:
        """An infeasible or error plan: empty lists and null numbers."""
        status = self.plan.status
        for kind in SORTED_BY:
            self.checks["status"] += 1
            rows = getattr(self.plan, kind)
            if rows:
                self.add("status", (kind,), None,
                         f"a plan with status '{status}' must have no {kind}, got {len(rows)} rows")
        self.checks["status"] += 1
        if self.plan.costs is not None:
            self.add("status", ("costs",), None,
                     f"a plan with status '{status}' must have costs null, got "
                     f"{self.plan.costs.total}")
        numbers = {**self.plan.objective.model_dump(exclude={"mode"}),
                   **(self.plan.objective.model_extra or {})}
        for key, value in numbers.items():
            self.checks["status"] += 1
            if value is not None:
                self.add("status", (f"objective.{key}",), None,
                         f"a plan with status '{status}' must have objective.{key} null, got "
                         f"{value!r}")

    def check_format(self) -> None:
        """Lists sorted as docs/plan.md says, no quantity below 1e-6 (warnings)."""
        for kind, keys in SORTED_BY.items():
            rows = getattr(self.plan, kind)
            tuples = [tuple(getattr(r, k) for k in keys) for r in rows]
            self.checks["format"] += 1
            bad = next((i for i in range(1, len(tuples)) if tuples[i] < tuples[i - 1]), None)
            if bad is not None:
                self.warn("sorting", (kind,),
                          f"{kind} are not sorted by {', '.join(k.rstrip('_') for k in keys)}: "
                          f"row {bad} comes before row {bad - 1}")
            dup = next((i for i in range(1, len(tuples)) if tuples[i] == tuples[i - 1]), None)
            if dup is not None:
                self.warn("duplicate-row", (kind,),
                          f"{kind} rows {dup - 1} and {dup} have the same keys {tuples[dup]}; "
                          "their quantities are added")
            tiny = [i for i, r in enumerate(rows)
                    if 0 <= getattr(r, "quantity", 1.0) < TOL]
            if tiny:
                self.warn("tiny-quantity", (kind,),
                          f"{len(tiny)} {kind} rows have a quantity below 1e-6 and should be left "
                          f"out (rows {', '.join(map(str, tiny[:5]))}"
                          f"{', ...' if len(tiny) > 5 else ''})")

    def check_quantities(self) -> None:
        for kind in ("production", "purchases", "shipments", "deliveries"):
            for i, r in enumerate(getattr(self.plan, kind)):
                self.checks["quantity"] += 1
                if not math.isfinite(r.quantity) or not -TOL <= r.quantity <= MAX_QUANTITY:
                    self.add("quantity", (kind,), r.week,
                             f"{kind}[{i}] has quantity {num(r.quantity)}; quantities must be "
                             "finite and >= 0" + ("" if not r.quantity >= MAX_QUANTITY else
                                                  f" and at most {MAX_QUANTITY:g}"),
                             max(0.0, -r.quantity))

    def in_horizon(self, kind: str, weeks: np.ndarray, what: str, objs: list[tuple[str, ...]],
                   rows: np.ndarray) -> np.ndarray:
        """Mask of weeks within 0..T-1; a violation for each one outside."""
        ok = (weeks >= 0) & (weeks <= self.T - 1)
        self.checks["horizon"] += len(weeks)
        for j in np.flatnonzero(~ok):
            self.add("horizon", objs[j], int(weeks[j]),
                     f"{kind}[{rows[j]}]: {what} week {weeks[j]} is outside the horizon "
                     f"0..{self.T - 1}")
        return ok

    def known(self, kind: str, i: int, pairs: list[tuple[str, str, bool]]) -> bool:
        """Whether every reference of row ``i`` exists; a violation for each that does not."""
        self.checks["unknown-object"] += len(pairs)
        good = True
        for what, value, exists in pairs:
            if not exists:
                self.add("unknown-object", (value,), None,
                         f"{kind}[{i}] names {what} '{value}', which the scenario does not have")
                good = False
        return good

    def flow(self, site: np.ndarray, item: np.ndarray, week: np.ndarray, q: np.ndarray) -> None:
        """Record stock movements (+ in, - out) for the balance; out-of-horizon ones dropped."""
        keep = (week >= 0) & (week <= self.T - 1) & np.isfinite(q)
        self.flows.append((site[keep], item[keep], week[keep], q[keep]))

    # --- lines ------------------------------------------------------------------------

    def check_activations(self) -> None:
        """At most one activation per line, start within the option's window, ready = s + lead."""
        sc, T = self.sc, self.T
        nL = len(sc.lines)
        self.active = np.zeros(nL, dtype=bool)
        self.ready = np.full(nL, T, dtype=np.int64)
        self.hours_per_week = np.zeros(nL)
        self.cost_per_hour = np.zeros(nL)
        self.caps: list[frozenset[str]] = [frozenset()] * nL
        ramp: list[list[float]] = [[] for _ in range(nL)]
        self.activation_cost = 0.0
        seen: dict[str, list[int]] = {}
        for i, a in enumerate(self.plan.activations):
            line = sc.lines[self.lines[a.line]] if a.line in self.lines else None
            option = next((o for o in line.options if o.id == a.option), None) if line else None
            if not self.known("activations", i, [
                ("line", a.line, line is not None),
                *([("option", a.option, option is not None)] if line is not None else []),
            ]):
                continue
            assert line is not None and option is not None
            self.checks["activation"] += 3
            r = a.start_week + option.lead_time_weeks
            if line.committed is not None:
                self.check_committed(line, a)
                self.activation_cost += option.weekly_cost * max(0, T - max(0, r))
            elif not option.earliest_start_week <= a.start_week <= T - 1:
                self.add("activation", (a.line, a.option), a.start_week,
                         f"line {a.line} option {a.option} starts in week {a.start_week}; it may "
                         f"start in weeks {option.earliest_start_week}..{T - 1}")
            if a.ready_week != r:
                self.add("activation", (a.line, a.option), a.start_week,
                         f"line {a.line} option {a.option} started in week {a.start_week} is ready "
                         f"in week {r} (lead time {option.lead_time_weeks}), "
                         f"the plan says {a.ready_week}")
            seen.setdefault(a.line, []).append(i)
            if line.committed is None:
                self.activation_cost += option.fixed_cost + option.weekly_cost * max(0, T - r)
            if len(seen[a.line]) == 1:  # the first activation of a line is the one that runs
                k = self.lines[a.line]
                self.active[k], self.ready[k] = True, r
                self.hours_per_week[k] = option.hours_per_week
                self.cost_per_hour[k] = option.cost_per_hour
                self.caps[k], ramp[k] = frozenset(option.capabilities), list(option.ramp_up)
        for line in sc.lines:
            if line.committed is not None and line.id not in seen:
                self.checks["activation"] += 1
                self.add("activation", (line.id,), None,
                         f"line {line.id} is committed to option {line.committed.option} ready "
                         f"in week {line.committed.ready_week}; the plan does not activate it")
        for line_id, rows in seen.items():
            self.checks["activation"] += 1
            if len(rows) > 1:
                self.add("activation", (line_id,), None,
                         f"line {line_id} is activated {len(rows)} times (activations rows "
                         f"{', '.join(map(str, rows))}); at most one activation per line")
        # hours offered[line, week] = hours_per_week * ramp(week - ready)
        width = max((len(r) for r in ramp), default=0) + 1
        ramp_table = np.ones((nL, width))
        for k, r in enumerate(ramp):
            ramp_table[k, : len(r)] = r
        age = np.arange(T)[None, :] - self.ready[:, None]
        share = np.where(age < 0, 0.0,
                         np.take_along_axis(ramp_table, np.clip(age, 0, width - 1), axis=1))
        self.offered = np.where(self.active[:, None], self.hours_per_week[:, None] * share, 0.0)

    def check_committed(self, line: Any, a: Any) -> None:
        """A committed line is activated with its committed option and ready week."""
        c = line.committed
        if a.option != c.option or a.ready_week != c.ready_week:
            self.add("activation", (a.line, a.option), a.start_week,
                     f"line {a.line} is committed to option {c.option} ready in week "
                     f"{c.ready_week}; the plan activates option {a.option} ready in week "
                     f"{a.ready_week}")

    def check_production(self) -> None:
        """References, horizon, and that each row runs on an active, ready, capable line."""
        sc, T = self.sc, self.T
        rows = self.plan.production
        keep = [i for i, p in enumerate(rows) if self.known("production", i, [
            ("operation", p.operation, p.operation in self.ops),
            ("line", p.line, p.line in self.lines)])]
        idx = np.array(keep, dtype=np.int64)
        op = _lookup(self.ops, [rows[i].operation for i in keep])
        line = _lookup(self.lines, [rows[i].line for i in keep])
        week = np.array([rows[i].week for i in keep], dtype=np.int64)
        q = np.array([rows[i].quantity for i in keep], dtype=float)
        q = np.where(np.isfinite(q), q, 0.0)
        objs = [(rows[i].line, rows[i].operation) for i in keep]
        lead = np.array([o.lead_time_weeks for o in sc.operations], dtype=np.int64)[op]
        per_unit = np.array([o.hours_per_unit / o.yield_ for o in sc.operations])[op]
        in_t = self.in_horizon("production", week, "production", objs, idx)
        arrives = week + lead
        late = in_t & (arrives > T - 1)
        self.checks["horizon"] += len(week)
        for j in np.flatnonzero(late):
            self.add("horizon", objs[j], int(week[j]),
                     f"production[{idx[j]}]: {objs[j][1]} on {objs[j][0]} in week {week[j]} gives "
                     f"output in week {arrives[j]} (lead time {lead[j]}), after the horizon's "
                     f"last week {T - 1}")
        active = self.active[line]
        cap_ok = np.fromiter(
            (sc.operations[o].capability in self.caps[ln] for o, ln in zip(op, line, strict=False)),
            dtype=bool, count=len(op))
        ready = week >= self.ready[line]
        self.checks["line-inactive"] += len(op)
        self.checks["capability"] += len(op)
        self.checks["line-not-ready"] += len(op)
        for j in np.flatnonzero(~active):
            self.add("line-inactive", objs[j], int(week[j]),
                     f"production[{idx[j]}]: {num(q[j])} of {objs[j][1]} on line {objs[j][0]}, "
                     "which no activation converts")
        for j in np.flatnonzero(active & ~cap_ok):
            cap = sc.operations[op[j]].capability
            self.add("capability", objs[j], int(week[j]),
                     f"production[{idx[j]}]: {objs[j][1]} needs capability '{cap}', the option "
                     f"activated on line {objs[j][0]} has {sorted(self.caps[line[j]])}")
        for j in np.flatnonzero(active & cap_ok & ~ready):
            self.add("line-not-ready", objs[j], int(week[j]),
                     f"production[{idx[j]}]: {num(q[j])} of {objs[j][1]} on line {objs[j][0]} in "
                     f"week {week[j]}, before the line is ready in week {self.ready[line[j]]}")
        self.prod = dict(op=op, line=line, week=week, q=q, hours=q * per_unit,
                         runs=in_t & active & cap_ok & ready)
        site = self.site_of_line[line]
        produces = _lookup(self.items, [o.produces for o in sc.operations])[op]
        self.flow(site, produces, np.where(in_t, arrives, -1), q)
        pairs = [(k, self.items[i], qty / o.yield_) for k, o in enumerate(sc.operations)
                 for i, qty in o.consumes.items()]
        if pairs and len(op):
            inputs = pd.DataFrame(pairs, columns=["op", "item", "per_unit"])
            rows_df = pd.DataFrame({"op": op, "site": site, "week": week, "q": q})
            used = rows_df.merge(inputs, on="op")
            self.flow(used["site"].to_numpy(), used["item"].to_numpy(), used["week"].to_numpy(),
                      -(used["q"] * used["per_unit"]).to_numpy())

    def check_line_capacity(self) -> None:
        """Hours used per line and week <= hours offered (by capability and in total).

        The per-capability limit is implied by the total one once every row runs on a
        capability of its line's option (checked by ``capability``), so the total is checked.
        """
        p, T = self.prod, self.T
        nL = len(self.sc.lines)
        used = np.zeros((nL, T))
        size = np.zeros((nL, T))
        m = p["runs"]
        np.add.at(used, (p["line"][m], p["week"][m]), p["hours"][m])
        np.add.at(size, (p["line"][m], p["week"][m]), np.abs(p["hours"][m]))
        self.checks["line-capacity"] += int(self.active.sum()) * T
        over = used - self.offered > slack(self.offered, size)
        for k, t in zip(*np.nonzero(over), strict=False):
            lid = self.sc.lines[k].id
            self.add("line-capacity", (lid,), int(t),
                     f"line {lid} works {num(used[k, t])} h in week {t} but offers "
                     f"{num(self.offered[k, t])} h ({num(self.hours_per_week[k])} h/week x ramp "
                     f"{num(self.offered[k, t] / self.hours_per_week[k])}), "
                     f"{num(used[k, t] - self.offered[k, t])} h too many",
                     used[k, t] - self.offered[k, t])
        self.hours_used = used

    # --- supply -----------------------------------------------------------------------

    def check_purchases(self) -> None:
        """References, order window, arrival = week + lead within the horizon."""
        rows = self.plan.purchases
        keep = []
        for i, b in enumerate(rows):
            offer_known = (b.supplier, b.item) in self.offers
            if self.known("purchases", i, [
                ("supplier offer of item", f"{b.supplier}/{b.item}", offer_known),
                ("site", b.site, b.site in self.sites),
            ]):
                keep.append(i)
        offer = np.fromiter((self.offers[(rows[i].supplier, rows[i].item)] for i in keep),
                            dtype=np.int64, count=len(keep))
        week = np.array([rows[i].week for i in keep], dtype=np.int64)
        claimed = np.array([rows[i].arrival_week for i in keep], dtype=np.int64)
        q = np.array([rows[i].quantity for i in keep], dtype=float)
        q = np.where(np.isfinite(q), q, 0.0)
        objs = [(rows[i].supplier, rows[i].item, rows[i].site) for i in keep]
        idx = np.array(keep, dtype=np.int64)
        lead = np.array([o.lead_time_weeks for _, o in self.offer_list], dtype=np.int64)[offer]
        avail = np.array([o.available_from_week for _, o in self.offer_list], dtype=np.int64)[offer]
        in_t = self.in_horizon("purchases", week, "order", objs, idx)
        arrival = week + lead
        self.arrivals("purchases", objs, idx, week, claimed, arrival, lead)
        self.checks["supplier-availability"] += len(week)
        for j in np.flatnonzero(week < avail):
            self.add("supplier-availability", objs[j][:2], int(week[j]),
                     f"purchases[{idx[j]}]: {objs[j][1]} ordered from {objs[j][0]} in week "
                     f"{week[j]}, but the offer is available from week {avail[j]}")
        self.buy = dict(offer=offer, week=week, q=q, in_t=in_t)
        site = _lookup(self.sites, [o[2] for o in objs])
        item = _lookup(self.items, [o[1] for o in objs])
        self.flow(site, item, np.where(in_t, arrival, -1), q)

    def arrivals(self, kind: str, objs: list[tuple[str, ...]], idx: np.ndarray, week: np.ndarray,
                 claimed: np.ndarray, arrival: np.ndarray, lead: np.ndarray) -> None:
        """The plan's arrival weeks match week + lead, and arrive within the horizon."""
        self.checks["lead-time"] += len(week)
        self.checks["horizon"] += len(week)
        for j in np.flatnonzero(claimed != arrival):
            self.add("lead-time", objs[j], int(week[j]),
                     f"{kind}[{idx[j]}] leaves in week {week[j]} and arrives in week {arrival[j]} "
                     f"(lead time {lead[j]}), the plan says week {claimed[j]}")
        for j in np.flatnonzero((week >= 0) & (week <= self.T - 1) & (arrival > self.T - 1)):
            self.add("horizon", objs[j], int(week[j]),
                     f"{kind}[{idx[j]}] in week {week[j]} arrives in week {arrival[j]} "
                     f"(lead time {lead[j]}), after the horizon's last week {self.T - 1}")

    def check_supplier_capacity(self) -> None:
        """Units ordered per offer and week, over all sites, <= capacity_per_week."""
        b, T = self.buy, self.T
        n = len(self.offer_list)
        ordered, size = np.zeros((n, T)), np.zeros((n, T))
        m = b["in_t"]
        np.add.at(ordered, (b["offer"][m], b["week"][m]), b["q"][m])
        np.add.at(size, (b["offer"][m], b["week"][m]), np.abs(b["q"][m]))
        cap = np.array([[o.capacity(t) for t in range(T)]
                        for _, o in self.offer_list]).reshape(n, T)
        self.checks["supplier-capacity"] += n * T
        over = ordered - cap > slack(cap, size)
        for k, t in zip(*np.nonzero(over), strict=False):
            s, o = self.offer_list[k]
            self.add("supplier-capacity", (s.id, o.item), int(t),
                     f"{num(ordered[k, t])} {o.item} ordered from {s.id} in week {t}, "
                     f"capacity {num(cap[k, t])}: {num(ordered[k, t] - cap[k, t])} too many",
                     ordered[k, t] - cap[k, t])

    def check_shipments(self) -> None:
        """References, from != to, arrival = week + transport lead within the horizon."""
        rows = self.plan.shipments
        keep = [i for i, s in enumerate(rows) if self.known("shipments", i, [
            ("item", s.item, s.item in self.items), ("site", s.from_, s.from_ in self.sites),
            ("site", s.to, s.to in self.sites)])]
        idx = np.array(keep, dtype=np.int64)
        objs = [(rows[i].item, rows[i].from_, rows[i].to) for i in keep]
        item = _lookup(self.items, [o[0] for o in objs])
        src = _lookup(self.sites, [o[1] for o in objs])
        dst = _lookup(self.sites, [o[2] for o in objs])
        week = np.array([rows[i].week for i in keep], dtype=np.int64)
        claimed = np.array([rows[i].arrival_week for i in keep], dtype=np.int64)
        q = np.array([rows[i].quantity for i in keep], dtype=float)
        q = np.where(np.isfinite(q), q, 0.0)
        lead = np.full(len(keep), self.sc.transport.lead_time_weeks, dtype=np.int64)
        self.checks["shipment-route"] += len(keep)
        for j in np.flatnonzero(src == dst):
            self.add("shipment-route", objs[j], int(week[j]),
                     f"shipments[{idx[j]}] ships {objs[j][0]} from {objs[j][1]} to itself; "
                     "a shipment goes to another site")
        in_t = self.in_horizon("shipments", week, "departure", objs, idx)
        arrival = week + lead
        self.arrivals("shipments", objs, idx, week, claimed, arrival, lead)
        self.flow(src, item, np.where(in_t, week, -1), -q)
        self.flow(dst, item, np.where(in_t, arrival, -1), q)
        self.ship = dict(item=item, src=src, dst=dst, q=q)

    # --- demand -------------------------------------------------------------------------

    def check_deliveries(self) -> None:
        """References, horizon, and cumulative delivered <= the demand's total due."""
        sc, T = self.sc, self.T
        rows = self.plan.deliveries
        keep = [i for i, d in enumerate(rows)
                if self.known("deliveries", i, [("demand", d.demand, d.demand in self.demands)])]
        idx = np.array(keep, dtype=np.int64)
        dem = _lookup(self.demands, [rows[i].demand for i in keep])
        week = np.array([rows[i].week for i in keep], dtype=np.int64)
        q = np.array([rows[i].quantity for i in keep], dtype=float)
        q = np.where(np.isfinite(q), q, 0.0)
        objs = [(rows[i].demand,) for i in keep]
        in_t = self.in_horizon("deliveries", week, "delivery", objs, idx)
        nD = len(sc.demands)
        delivered, size = np.zeros((nD, T)), np.zeros((nD, T))
        np.add.at(delivered, (dem[in_t], week[in_t]), q[in_t])
        np.add.at(size, (dem[in_t], week[in_t]), np.abs(q[in_t]))
        due = np.zeros((nD, T))
        for k, d in enumerate(sc.demands):
            for x in d.due:
                due[k, x.week] += x.quantity
        self.delivered, self.due = delivered, due
        total = due.sum(axis=1)
        cum = delivered.cumsum(axis=1)
        over = cum - total[:, None] > slack(total[:, None], size.cumsum(axis=1))
        self.checks["delivery-excess"] += nD * T
        for k in np.flatnonzero(over.any(axis=1)):
            t = int(np.argmax(over[k]))
            d = sc.demands[k]
            self.add("delivery-excess", (d.id,), t,
                     f"demand {d.id} has {num(cum[k, t])} {d.item} delivered by week {t}, more "
                     f"than the {num(total[k])} due in all", cum[k, -1] - total[k])
        site = np.array([self.sites[d.site] for d in sc.demands], dtype=np.int64)[dem]
        item = np.array([self.items[d.item] for d in sc.demands], dtype=np.int64)[dem]
        self.flow(site, item, np.where(in_t, week, -1), -q)

    def check_stock_balance(self) -> None:
        """Stock per site, item and end of week is never negative."""
        nI, T = len(self.sc.items), self.T
        init = [(self.sites[s.site], self.items[s.item], 0, s.quantity) for s in self.sc.inventory]
        init += [(self.sites[r.site], self.items[r.item], r.week, r.quantity)
                 for r in self.sc.receipts]
        parts = list(self.flows)
        if init:
            parts.append(tuple(np.array(c) for c in zip(*init, strict=False)))  # type: ignore[arg-type]
        site = np.concatenate([p[0] for p in parts]).astype(np.int64)
        item = np.concatenate([p[1] for p in parts]).astype(np.int64)
        week = np.concatenate([p[2] for p in parts]).astype(np.int64)
        q = np.concatenate([p[3] for p in parts]).astype(float)
        pair, inverse = np.unique(site * nI + item, return_inverse=True)
        net, gross = np.zeros((len(pair), T)), np.zeros((len(pair), T))
        np.add.at(net, (inverse, week), q)
        np.add.at(gross, (inverse, week), np.abs(q))
        stock, size = net.cumsum(axis=1), gross.cumsum(axis=1)
        short = -stock > slack(0.0, size)
        self.checks["stock-balance"] += len(self.sc.sites) * nI * T
        for k in np.flatnonzero(short.any(axis=1)):
            s_id, i_id = self.sc.sites[pair[k] // nI].id, self.sc.items[pair[k] % nI].id
            weeks = np.flatnonzero(short[k])
            # one violation per run of consecutive weeks below zero
            runs = np.split(weeks, np.flatnonzero(np.diff(weeks) > 1) + 1)
            for run in runs:
                t0, t1 = int(run[0]), int(run[-1])
                low = int(run[np.argmin(stock[k, run])])
                inflow = net[k, t0] + (gross[k, t0] - net[k, t0]) / 2
                outflow = (gross[k, t0] - net[k, t0]) / 2
                span = (f"; below zero through week {t1}, lowest {num(stock[k, low])} "
                        f"in week {low}" if t1 > t0 else "")
                self.add("stock-balance", (s_id, i_id), t0,
                         f"stock of {i_id} at {s_id} is {num(stock[k, t0])} at the end of week "
                         f"{t0} "
                         f"(in {num(inflow)}, out {num(outflow)} that week){span}: more is used, "
                         "shipped or delivered than is on hand", -float(stock[k, low]))

    # --- objective ----------------------------------------------------------------------

    def compute_service(self) -> None:
        """S = sum_d weight_d * (sum_t backlog_d(t) + unmet_weeks_d * backlog_d(T-1))."""
        backlog = np.maximum(0.0, self.due.cumsum(axis=1) - self.delivered.cumsum(axis=1))
        weight = np.array([d.weight for d in self.sc.demands])
        unmet = np.array([d.unmet_weeks or 0 for d in self.sc.demands], dtype=float)
        per = weight * (backlog.sum(axis=1) + unmet * backlog[:, -1]) if len(weight) else weight
        self.service_by_demand = {d.id: float(s)
                                  for d, s in zip(self.sc.demands, per, strict=False)}
        self.service = float(per.sum())

    def compute_costs(self) -> None:
        """C = activation + hours x cost_per_hour + purchases + transport."""
        p, b, s = self.prod, self.buy, self.ship
        operating = float((p["hours"] * self.cost_per_hour[p["line"]]
                           * self.active[p["line"]]).sum())
        price = np.array([o.unit_price for _, o in self.offer_list])
        purchase = float((b["q"] * price[b["offer"]]).sum()) if len(b["q"]) else 0.0
        lat = np.array([x.lat for x in self.sc.sites])
        lon = np.array([x.lon for x in self.sc.sites])
        weight = np.array([x.weight_kg for x in self.sc.items])
        km = haversine_km(lat[s["src"]], lon[s["src"]], lat[s["dst"]], lon[s["dst"]])
        transport = float((s["q"] * weight[s["item"]] * km).sum()
                          * self.sc.transport.cost_per_kg_km)
        self.costs = {"activation": float(self.activation_cost), "operating": operating,
                      "purchase": purchase, "transport": transport}
        self.cost = sum(self.costs.values())
        self.costs["total"] = self.cost
        self.cost_terms = sum(abs(x) for x in self.costs.values())

    def check_policy(self) -> None:
        """Budget, share of one organization's output, share of restricted origins."""
        pol, sc = self.sc.policy, self.sc
        assert self.cost is not None
        if pol.budget is not None:
            self.checks["policy-budget"] += 1
            if self.cost - pol.budget > slack(pol.budget, self.cost_terms):
                self.add("policy-budget", ("budget",), None,
                         f"the plan costs {num(self.cost)}, over the budget of {num(pol.budget)} "
                         f"by {num(self.cost - pol.budget)}", self.cost - pol.budget)
        if pol.max_share_per_organization is not None:
            self.check_organization_share(pol.max_share_per_organization)
        if pol.restricted_origins is not None:
            ro = pol.restricted_origins
            b = self.buy
            countries = set(ro.countries)
            restricted = np.array([s.country in countries for s, _ in self.offer_list], dtype=bool)
            item_of = _lookup(self.items, [o.item for _, o in self.offer_list])
            nI = len(sc.items)
            total, limited = np.zeros(nI), np.zeros(nI)
            np.add.at(total, item_of[b["offer"]], b["q"])
            np.add.at(limited, item_of[b["offer"]], b["q"] * restricted[b["offer"]])
            cap = ro.max_share * total
            self.checks["policy-restricted-origins"] += nI
            for k in np.flatnonzero(limited - cap > slack(cap, total)):
                self.add("policy-restricted-origins", (sc.items[k].id,), None,
                         f"{num(limited[k])} of the {num(total[k])} {sc.items[k].id} ordered "
                         f"({pct(limited[k], total[k])}) come from {', '.join(sorted(countries))}; "
                         f"at most {num(100 * ro.max_share)}% may", limited[k] - cap[k])

    def check_organization_share(self, share: float) -> None:
        """For each demanded item: good output on one organization's lines <= share x all."""
        sc, p = self.sc, self.prod
        orgs = _codes([o.id for o in sc.organizations])
        org_of_line = np.array([orgs[sc.sites[s].organization] for s in self.site_of_line],
                               dtype=np.int64)
        produces = _lookup(self.items, [o.produces for o in sc.operations])
        nI, nO = len(sc.items), len(sc.organizations)
        out = np.zeros((nI, nO))
        np.add.at(out, (produces[p["op"]], org_of_line[p["line"]]), p["q"])
        total = out.sum(axis=1)
        demanded = sorted({self.items[d.item] for d in sc.demands})
        self.checks["policy-organization-share"] += len(demanded) * nO
        for k in demanded:
            cap = share * total[k]
            for g in np.flatnonzero(out[k] - cap > slack(cap, total[k])):
                self.add("policy-organization-share", (sc.organizations[g].id, sc.items[k].id),
                         None,
                         f"{sc.organizations[g].id} makes {num(out[k, g])} of the "
                         f"{num(total[k])} {sc.items[k].id} made ({pct(out[k, g], total[k])}); "
                         f"one organization may make at most {num(100 * share)}%",
                         out[k, g] - cap)

    def check_claims(self) -> None:
        """The plan's own S, C, cost breakdown (and value) match the recomputed ones."""
        obj, costs = self.plan.objective, self.plan.costs
        assert self.costs is not None and self.service is not None and self.cost is not None
        self.claim("claimed-service", "objective.service", obj.service, self.service)
        self.claim("claimed-cost", "objective.cost", obj.cost, self.cost)
        for part in (*COST_PARTS, "total"):
            claimed = getattr(costs, part) if costs is not None else None
            self.claim("claimed-cost", f"costs.{part}", claimed, self.costs[part])
        extra = obj.model_extra or {}
        if self.sc.objective.mode == "weighted":
            value = self.cost + self.sc.objective.late_penalty * self.service
            self.claim("claimed-value", "objective.value", extra.get("value"), value)
            bound, claimed_value = extra.get("bound"), extra.get("value")
            pairs = [("objective.bound", bound, claimed_value)]
        else:
            pairs = [("objective.service_bound", obj.service_bound, obj.service),
                     ("objective.cost_bound", obj.cost_bound, obj.cost)]
        for key, bound, value in pairs:
            if isinstance(bound, (int, float)) and isinstance(value, (int, float)):
                self.checks["claimed-bound"] += 1
                if bound > value and not is_close(bound, value):
                    self.add("claimed-bound", (key,), None,
                             f"{key} is {num(bound)}, above the value {num(value)} it bounds "
                             "from below")

    def check_overflow(self) -> None:
        """Recomputed S and C must be finite: an overflow never passes (inf in a tolerance
        would let anything through)."""
        numbers = {"service S": self.service, "cost C": self.cost, **(self.costs or {})}
        self.checks["overflow"] += len(numbers)
        for name, x in numbers.items():
            if x is None or not math.isfinite(x):
                self.add("overflow", (name,), None,
                         f"{name} recomputed from the plan is {x}: the plan's numbers overflow")

    def check_gap(self) -> None:
        """A plan claimed ``optimal`` has its value and proven bound within the gap."""
        if self.plan.status != "optimal":
            return
        obj, gap = self.plan.objective, self.sc.objective.mip_gap
        extra = obj.model_extra or {}
        if self.sc.objective.mode == "weighted":
            pairs = [("objective.value", extra.get("value"), extra.get("bound"))]
        else:
            pairs = [("objective.service", obj.service, obj.service_bound),
                     ("objective.cost", obj.cost, obj.cost_bound)]
        for key, value, bound in pairs:
            if not (isinstance(value, (int, float)) and isinstance(bound, (int, float))):
                continue
            self.checks["optimal-gap"] += 1
            allowed = max(gap, TOL) * max(abs(value), 1.0) + TOL
            if not (math.isfinite(value) and math.isfinite(bound)) or value - bound > allowed:
                self.add("optimal-gap", (key,), None,
                         f"the plan says optimal, but {key} {num(value)} and its bound "
                         f"{num(bound)} are {num(value - bound)} apart, more than the mip_gap "
                         f"of {num(gap)} allows")

    def claim(self, rule: str, key: str, claimed: Any, actual: float) -> None:
        self.checks[rule] += 1
        if not isinstance(claimed, (int, float)) or isinstance(claimed, bool):
            self.add(rule, (key,), None, f"{key} is missing (null); the plan's numbers give "
                     f"{num(actual)}")
        elif not is_close(float(claimed), actual):
            self.add(rule, (key,), None, f"{key} is {num(claimed)} but the plan's own numbers give "
                     f"{num(actual)} (claimed minus recomputed: {num(claimed - actual)})",
                     abs(claimed - actual))
