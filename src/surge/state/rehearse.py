"""A rehearsal of the rolling process (``surge rehearse``): the value of replanning, measured.

One *future* is one sampled reality: every disruption the scenario's ``uncertainty``
allows (risk.md: order delays, fill rates and outages of suppliers, slips and availability
of lines, yields of operations), drawn from the same distributions as the risk simulator
and keyed by what it strikes (an order by offer, site and order week; a yield by
operation, line and week), so that two ways of running the programme meet the same future
(common random numbers). The same future is then lived twice:

* **plan once**: the plan is executed as written for the whole horizon, catching up what
  could not be done as hours and material allow (the risk simulator's execution rule);
* **rolling**: every ``step`` weeks the facts so far are written as an actuals file, the
  scenario is rolled to that week, replanned (:func:`surge.state.replan`, verified) and the
  new plan is executed from then on.

Both end with the achieved ``S`` (the scenario's definition, on what was delivered) and
``C`` (what was spent, as the roll counts it), and the rolling run with its nervousness
(summed over its replans).

What the actuals know when (documented in docs/state.md): a supplier confirms each order's
arrival week and quantity when it is placed (``expected``; the order is recorded at the
confirmed quantity, so an order short by its fill rate is billed for what comes); an order
that would arrive after the horizon is cancelled; a conversion's slip is known once it has
started (``expected_ready_week``); yields and a line's weeks down are known as they happen,
and the stock is counted at every roll (``stock``), so the books' planned yields never
mislead the replan.

>>> from surge.state.rehearse import stable_key
>>> stable_key("order", "pl-motors", "motor", "cleon", 3) == stable_key(
...     "order", "pl-motors", "motor", "cleon", 3)
True
"""

from __future__ import annotations

import time
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from surge.errors import InputError
from surge.plan.model import Plan
from surge.scenario.model import Option, Scenario
from surge.state.actuals import (
    EPS,
    ActualActivation,
    ActualDelivery,
    ActualProduction,
    ActualPurchase,
    Actuals,
    ActualShipment,
    Arrival,
    Count,
)
from surge.state.replan import replan
from surge.state.roll import _Roller

Node = tuple[str, str]  # (site, item)
PASSES = 2  # production and shipments are tried twice a week (same-week chains)


def stable_key(*parts: object) -> int:
    """A 32-bit key of ``parts`` that is the same in every process (not ``hash``)."""
    return zlib.crc32("\x1f".join(str(p) for p in parts).encode())


# --- one future ----------------------------------------------------------------------


class Future:
    """One sampled reality of ``scenario``: disruptions drawn on first use, by key."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.sc, self.seed, self.T = scenario, int(seed), scenario.weeks
        self.unc = scenario.uncertainty
        self._slip: dict[str, int] = {}
        self._up: dict[str, np.ndarray] = {}
        self._closed: dict[str, np.ndarray] = {}  # supplier -> weeks it ships nothing
        self._orders: dict[tuple[str, str, str, int], tuple[int, float]] = {}
        self._yields: dict[tuple[str, str, int], float] = {}

    def rng(self, *key: object) -> np.random.Generator:
        return np.random.default_rng([self.seed, stable_key(*key)])

    def slip(self, line: str) -> int:
        """Extra weeks before ``line`` is ready, once per line [weeks]."""
        if line not in self._slip:
            dist = self.unc.line(line).slip_weeks if self.unc is not None else None
            self._slip[line] = _weeks(self.rng("slip", line), dist)
        return self._slip[line]

    def up(self, line: str, week: int) -> bool:
        """Whether ``line`` works at all in ``week``."""
        if line not in self._up:
            p = self.unc.line(line).availability if self.unc is not None else None
            draws = self.rng("up", line).random(self.T)
            self._up[line] = draws < (1.0 if p is None else p)
        return bool(self._up[line][week])

    def closed(self, supplier: str) -> np.ndarray:
        """(weeks,) bool: the weeks ``supplier`` ships nothing (outages)."""
        if supplier not in self._closed:
            out = np.zeros(self.T, dtype=bool)
            risk = self.unc.supplier(supplier).outage if self.unc is not None else None
            if risk is not None and risk.probability_per_week > 0:
                starts = self.rng("outage", supplier).random(self.T) < risk.probability_per_week
                for t in np.flatnonzero(starts):
                    out[t:t + risk.weeks] = True
            self._closed[supplier] = out
        return self._closed[supplier]

    def order(self, supplier: str, item: str, site: str, week: int) -> tuple[int, float]:
        """(extra weeks of lead time, fill rate) of the order of ``item`` placed with
        ``supplier`` for ``site`` in ``week``: drawn once per order."""
        key = (supplier, item, site, week)
        if key not in self._orders:
            risk = self.unc.supplier(supplier) if self.unc is not None else None
            rng = self.rng("order", *key)
            delay = _weeks(rng, risk.delay_weeks if risk is not None else None)
            fill = 1.0
            if risk is not None and risk.fill_rate is not None:
                fill = _beta(rng, risk.fill_rate.mean, risk.fill_rate.sd)
            self._orders[key] = (delay, fill)
        return self._orders[key]

    def arrival(self, supplier: str, week: int) -> int | None:
        """The week an order due to arrive in ``week`` arrives: when an outage ends
        (``None``: not within the horizon)."""
        closed = self.closed(supplier)
        while week < self.T and closed[week]:
            week += 1
        return week if week < self.T else None

    def yield_(self, operation: str, line: str, week: int, planned: float) -> float:
        """The yield of ``operation`` on ``line`` in ``week`` [-]."""
        key = (operation, line, week)
        if key not in self._yields:
            sd = self.unc.operation(operation).yield_sd if self.unc is not None else None
            self._yields[key] = _beta(self.rng("yield", *key), planned, sd or 0.0)
        return self._yields[key]


def _weeks(rng: np.random.Generator, dist: dict[int, float] | None) -> int:
    """A draw of a distribution over whole weeks ``{weeks: probability}`` (none: 0)."""
    if not dist:
        return 0
    weeks = sorted(dist)
    p = np.asarray([dist[w] for w in weeks], dtype=float)
    return int(weeks[int(rng.choice(len(weeks), p=p / p.sum()))])


def _beta(rng: np.random.Generator, mean: float, sd: float) -> float:
    """A beta draw with that mean and standard deviation (``sd = 0``: the mean)."""
    if sd <= 0 or mean <= 0 or mean >= 1:
        return float(mean)
    k = mean * (1 - mean) / sd**2 - 1
    return float(rng.beta(mean * k, (1 - mean) * k))


# --- executing a plan in one future --------------------------------------------------


@dataclass
class Schedule:
    """A plan in the programme's weeks: what to do each week."""

    activations: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # line -> ...
    production: dict[int, list[tuple[str, str, float]]] = field(
        default_factory=lambda: defaultdict(list))  # week -> (operation, line, good units)
    purchases: dict[int, list[tuple[str, str, str, float]]] = field(
        default_factory=lambda: defaultdict(list))  # week -> (supplier, item, site, units)
    shipments: dict[int, list[tuple[str, str, str, float]]] = field(
        default_factory=lambda: defaultdict(list))  # week -> (item, from, to, units)

    @classmethod
    def of(cls, plan: Plan) -> Schedule:
        """The schedule of ``plan`` (weeks of the programme)."""
        s = cls()
        s.activations = {a.line: (a.option, a.start_week, a.ready_week) for a in plan.activations}
        for p in plan.production:
            s.production[p.week].append((p.operation, p.line, p.quantity))
        for b in plan.purchases:
            s.purchases[b.week].append((b.supplier, b.item, b.site, b.quantity))
        for x in plan.shipments:
            s.shipments[x.week].append((x.item, x.from_, x.to, x.quantity))
        return s


class Executor:
    """Lives a future week by week with a schedule, and writes down what happened."""

    def __init__(self, scenario: Scenario, future: Future) -> None:
        sc = self.sc = scenario
        self.future, self.T, self.week = future, sc.weeks, 0
        self.ops, self.lines = sc.by_id("operations"), sc.by_id("lines")
        self.offers = {(s.id, o.item): o for s in sc.suppliers for o in s.offers}
        self.sites = sc.by_id("sites")
        self.stock: dict[Node, float] = defaultdict(float)
        self.arrive: dict[int, list[tuple[Node, float]]] = defaultdict(list)
        for s in sc.inventory:
            self.stock[(s.site, s.item)] += s.quantity
        for r in sc.receipts:
            self.arrive[r.week].append(((r.site, r.item), r.quantity))
        self.option: dict[str, Option] = {}
        self.ready: dict[str, int] = {}
        for ln in sc.lines:
            opt = ln.committed_option()
            if opt is not None and ln.committed is not None:
                self.option[ln.id], self.ready[ln.id] = opt, ln.committed.ready_week
        self.started: dict[str, tuple[str, int]] = {}  # line -> (option, start week)
        self.made: list[ActualProduction] = []
        self.orders: list[tuple[str, str, str, int, float, int]] = []  # ..., units, arrival
        self.sent: list[tuple[str, str, str, int, int, float]] = []
        self.delivered: dict[str, np.ndarray] = {d.id: np.zeros(self.T) for d in sc.demands}
        self.prod_backlog: dict[tuple[str, str], float] = defaultdict(float)
        self.ship_backlog: dict[tuple[str, str, str], float] = defaultdict(float)
        depth = _depth(sc)
        self.op_order = {op.id: (depth[op.produces], op.id) for op in sc.operations}
        self.cum_due = {d.id: _cum_due(d, self.T) for d in sc.demands}

    def new_schedule(self) -> None:
        """A replan: what the old plan had not done is the new plan's business."""
        self.prod_backlog.clear()
        self.ship_backlog.clear()

    def run_week(self, s: Schedule) -> None:
        """Week ``self.week``: arrivals, conversions, orders, work, shipments, deliveries."""
        t, f = self.week, self.future
        for node, q in self.arrive.pop(t, []):
            self.stock[node] += q
        for line, (opt_id, start, ready) in sorted(s.activations.items()):
            if start == t and line not in self.ready:
                opt = next(o for o in self.lines[line].options if o.id == opt_id)
                self.option[line], self.started[line] = opt, (opt_id, t)
                self.ready[line] = ready + f.slip(line)
        for sid, item, site, q in s.purchases.get(t, []):
            delay, fill = f.order(sid, item, site, t)
            week = f.arrival(sid, t + self.offers[(sid, item)].lead_time_weeks + delay)
            if week is None or q * fill <= EPS:
                continue  # would not arrive within the horizon: cancelled, not billed
            self.orders.append((sid, item, site, t, q * fill, week))
            self._later(week, (site, item), q * fill)
        hours = {line: (opt.hours_per_week * opt.ramp(t - self.ready[line])
                        if self.ready[line] <= t and f.up(line, t) else 0.0)
                 for line, opt in self.option.items()}
        want = self.prod_backlog
        for op_id, line, q in s.production.get(t, []):
            want[(op_id, line)] += q
        ship = self.ship_backlog
        for item, a, z, q in s.shipments.get(t, []):
            ship[(item, a, z)] += q
        made: dict[tuple[str, str], float] = defaultdict(float)
        for _ in range(PASSES):
            for key in sorted(want, key=lambda k: self.op_order[k[0]]):
                made[key] += self._make(key, want, hours)
            for lane in sorted(ship):
                self._ship(lane, ship)
        for (op_id, line), q in sorted(made.items()):
            if q > EPS:
                self.made.append(ActualProduction(operation=op_id, line=line, week=t,
                                                  quantity=q))
        self._deliver(t)
        self.week += 1

    def _later(self, week: int, node: Node, q: float) -> None:
        if week <= self.week:
            self.stock[node] += q
        else:
            self.arrive[week].append((node, q))

    def _make(self, key: tuple[str, str], want: dict[tuple[str, str], float],
              hours: dict[str, float]) -> float:
        """Start what hours and inputs allow of ``want[key]``; good units made."""
        op, line = self.ops[key[0]], key[1]
        t, site = self.week, self.lines[line].site
        if want[key] <= EPS or line not in hours or t + op.lead_time_weeks > self.T - 1:
            return 0.0
        starts = want[key] / op.yield_
        if op.hours_per_unit > 0:
            starts = min(starts, hours[line] / op.hours_per_unit)
        for item, per in op.consumes.items():
            starts = min(starts, max(0.0, self.stock[(site, item)]) / per)
        if starts <= EPS:
            return 0.0
        for item, per in op.consumes.items():
            self.stock[(site, item)] -= starts * per
        hours[line] -= starts * op.hours_per_unit
        want[key] = max(0.0, want[key] - starts * op.yield_)
        good = starts * self.future.yield_(op.id, line, t, op.yield_)
        self._later(t + op.lead_time_weeks, (site, op.produces), good)
        return good

    def _ship(self, key: tuple[str, str, str], ship: dict[tuple[str, str, str], float]) -> None:
        item, a, z = key
        tau, t = self.sc.transport.lead_time_weeks, self.week
        q = min(ship[key], max(0.0, self.stock[(a, item)]))
        if q <= EPS or t + tau > self.T - 1:
            return
        self.stock[(a, item)] -= q
        ship[key] -= q
        self.sent.append((item, a, z, t, t + tau, q))
        self._later(t + tau, (z, item), q)

    def _deliver(self, t: int) -> None:
        """As soon as units are at a demand's site, up to its total due; the earliest
        outstanding due week first (then the higher weight, then the smaller id)."""
        got = {d: float(x[:t].sum()) for d, x in self.delivered.items()}

        def rank(dm: Any) -> tuple[float, float, str]:
            cum = self.cum_due[dm.id]
            late = np.flatnonzero(cum > got[dm.id] + EPS)
            return (float(late[0]) if late.size else np.inf, -dm.weight, dm.id)

        for dm in sorted(self.sc.demands, key=rank):
            node = (dm.site, dm.item)
            q = min(max(0.0, self.stock[node]), self.cum_due[dm.id][-1] - got[dm.id])
            if q > EPS:
                self.stock[node] -= q
                self.delivered[dm.id][t] += q
                got[dm.id] += q

    # --- what happened, as an actuals file ------------------------------------------

    def actuals(self) -> Actuals:
        """The facts of weeks ``0 .. week-1``, with the stock counted at the end."""
        W = self.week
        acts = []
        for line, (opt_id, start) in sorted(self.started.items()):
            r = self.ready[line]
            acts.append(ActualActivation(line=line, option=opt_id, start_week=start,
                                         ready_week=r if r < W else None,
                                         expected_ready_week=None if r < W else r))
        buys = []
        for sid, item, site, week, q, arrival in self.orders:
            got = [Arrival(week=arrival, quantity=q)]
            buys.append(ActualPurchase(supplier=sid, item=item, site=site, week=week, quantity=q,
                                       received=got if arrival < W else [],
                                       expected=got if arrival >= W else []))
        sent = [ActualShipment.model_validate({"item": i, "from": a, "to": z, "week": w,
                                               "arrival_week": r, "quantity": q})
                for i, a, z, w, r, q in self.sent]
        deliveries = [ActualDelivery(demand=d, week=int(w), quantity=float(x[w]))
                      for d, x in self.delivered.items() for w in np.flatnonzero(x > EPS)]
        counts = [Count(site=s, item=i, quantity=max(0.0, q))
                  for (s, i), q in sorted(self.stock.items())]
        return Actuals(surge_actuals=1, scenario=self.sc.name, through_week=W,
                       activations=acts, production=list(self.made), purchases=buys,
                       shipments=sent, deliveries=deliveries, stock=counts)

    def service(self) -> float:
        """``S`` of what was delivered over the whole horizon [unit-weeks]."""
        total = 0.0
        for dm in self.sc.demands:
            back = np.maximum(0.0, self.cum_due[dm.id] - np.cumsum(self.delivered[dm.id]))
            unmet = dm.unmet_weeks if dm.unmet_weeks is not None else self.T
            total += dm.weight * float(back.sum() + unmet * back[-1])
        return total

    def cost(self) -> float:
        """``C``: what the whole horizon cost, counted as the roll counts spending."""
        return sum(_Roller(self.sc, self.actuals()).spent().values())


def _depth(sc: Scenario) -> dict[str, int]:
    """Item -> levels of operations below it (0: bought only): components first."""
    makes = {op.produces: op for op in sc.operations}
    memo: dict[str, int] = {}

    def visit(item: str, seen: frozenset[str]) -> int:
        if item not in memo:
            op = makes.get(item)
            memo[item] = 0 if op is None or item in seen else 1 + max(
                (visit(i, seen | {item}) for i in op.consumes), default=0)
        return memo[item]

    return {i.id: visit(i.id, frozenset()) for i in sc.items}


def _cum_due(dm: Any, T: int) -> np.ndarray:
    due = np.zeros(T)
    for x in dm.due:
        due[x.week] += x.quantity
    return np.cumsum(due)


# --- the rehearsal -------------------------------------------------------------------


@dataclass
class Replan:
    """One replan of a rolling run."""

    week: int  # W, programme weeks
    status: str
    verified: bool
    nervousness: float  # [units]
    seconds: float


@dataclass
class Lived:
    """One future lived both ways."""

    seed: int
    once_service: float  # S achieved by the plan executed as written [unit-weeks]
    once_cost: float     # C spent [currency]
    rolling_service: float
    rolling_cost: float
    replans: list[Replan] = field(default_factory=list)

    @property
    def nervousness(self) -> float:
        return sum(r.nervousness for r in self.replans)

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "once": {"service": self.once_service,
                                            "cost": self.once_cost},
                "rolling": {"service": self.rolling_service, "cost": self.rolling_cost,
                            "nervousness": self.nervousness},
                "replans": [r.__dict__ for r in self.replans]}


@dataclass
class Rehearsal:
    """The futures of one rehearsal and the plan they started from."""

    scenario: str
    step: int
    freeze: int
    stability: float
    plan_service: float  # S* of the plan made once [unit-weeks]
    plan_cost: float     # C*
    futures: list[Lived] = field(default_factory=list)

    def mean(self, what: str) -> float:
        return float(np.mean([getattr(f, what) for f in self.futures])) if self.futures else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"surge_rehearsal": 1, "scenario": self.scenario, "weeks_per_step": self.step,
                "freeze": self.freeze, "stability": self.stability,
                "plan": {"service": self.plan_service, "cost": self.plan_cost},
                "mean": {k: self.mean(k) for k in ("once_service", "once_cost",
                                                   "rolling_service", "rolling_cost",
                                                   "nervousness")},
                "futures": [f.to_dict() for f in self.futures]}


def shift_plan(plan: Plan, W: int) -> Plan:
    """A plan of the scenario rolled to ``W`` in the original programme's weeks."""
    def moved(rows: list[Any], *keys: str) -> list[Any]:
        return [r.model_copy(update={k: getattr(r, k) + W for k in keys}) for r in rows]

    return plan.model_copy(update={
        "activations": moved(plan.activations, "start_week", "ready_week"),
        "production": moved(plan.production, "week"),
        "purchases": moved(plan.purchases, "week", "arrival_week"),
        "shipments": moved(plan.shipments, "week", "arrival_week"),
        "deliveries": moved(plan.deliveries, "week")})


def live(scenario: Scenario, plan: Plan, future: Future, step: int | None, *, freeze: int = 0,
         stability: float = 0.0, window: int | None = None,
         time_limit: float | None = None) -> tuple[Executor, list[Replan]]:
    """Live ``future`` with ``plan``, replanning every ``step`` weeks (``None``: never)."""
    ex, current = Executor(scenario, future), plan
    schedule, replans = Schedule.of(plan), []
    for t in range(scenario.weeks):
        if step and t > 0 and t % step == 0:
            t0 = time.perf_counter()
            r = replan(scenario, current, ex.actuals(), freeze, window, stability,
                       time_limit=time_limit)
            ok = r.plan.status in ("optimal", "feasible")
            replans.append(Replan(t, r.plan.status, r.verification.ok,
                                  r.changes.nervousness if ok else 0.0,
                                  time.perf_counter() - t0))
            if ok and r.verification.ok:
                new = shift_plan(r.plan, t)
                firm = [p for p in current.purchases if t <= p.week < t + freeze]
                current = new.model_copy(update={"purchases": firm + list(new.purchases)})
                schedule = Schedule.of(current)
                ex.new_schedule()
        ex.run_week(schedule)
    return ex, replans


def rehearse(scenario: Scenario, plan: Plan, *, step: int, seeds: list[int], freeze: int = 0,
             stability: float = 0.0, window: int | None = None,
             time_limit: float | None = None) -> Rehearsal:
    """Live each seed's future with ``plan`` once as written and once rolling every
    ``step`` weeks (see the module doc)."""
    if step < 1:
        raise InputError(f"--weeks-per-step must be >= 1 week, got {step}")
    if plan.status not in ("optimal", "feasible"):
        raise InputError(f"the plan to rehearse is {plan.status}: {plan.message}")
    out = Rehearsal(scenario.name, step, freeze, stability, plan.objective.service or 0.0,
                    plan.objective.cost or 0.0)
    for seed in seeds:
        once, _ = live(scenario, plan, Future(scenario, seed), None)
        rolling, replans = live(scenario, plan, Future(scenario, seed), step, freeze=freeze,
                                stability=stability, window=window, time_limit=time_limit)
        out.futures.append(Lived(seed, once.service(), once.cost(), rolling.service(),
                                 rolling.cost(), replans))
    return out


__all__ = ["Executor", "Future", "Lived", "Rehearsal", "Replan", "Schedule", "live",
           "rehearse", "shift_plan"]
