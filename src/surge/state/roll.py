"""Rolling a scenario to week ``W`` (state.md): the rest of the programme as it stands.

The rolled scenario is an ordinary scenario: time shifted by ``-W``, stock from the books
(or the count), everything under way as ``receipts``, converted lines ``committed``, the
remaining dues, the budget less what was spent; with a plan and ``freeze = F``, the plan's
orders and conversions of weeks ``W .. W+F-1`` are kept as firm.

Examples
--------
>>> import surge
>>> from surge.state import load_actuals, roll  # doctest: +SKIP
>>> sc = surge.load("examples/uav-france.yaml")  # doctest: +SKIP
>>> result = roll(sc, load_actuals("examples/uav-france-week8.yaml", sc))  # doctest: +SKIP
>>> result.scenario.weeks  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from surge.errors import InputError
from surge.plan.model import Plan
from surge.scenario.geo import haversine_km
from surge.scenario.load import load, yaml12
from surge.scenario.model import Option, Scenario
from surge.state.actuals import EPS, Actuals

Key = tuple[str, str]  # (site, item)


@dataclass
class StockCorrection:
    """A counted stock that replaces the books' figure at the end of week ``W-1``."""

    site: str
    item: str
    computed: float  # [units]
    counted: float   # [units]

    @property
    def difference(self) -> float:
        return self.counted - self.computed


@dataclass
class RollResult:
    """The rolled scenario and what the roll found on the way."""

    scenario: Scenario
    document: dict[str, Any]  # the rolled scenario as plain data (what `surge roll` writes)
    through_week: int
    service_incurred: float  # S of weeks < W [unit-weeks]
    spent: dict[str, float]  # by part, and "total" [currency]
    corrections: list[StockCorrection] = field(default_factory=list)
    frozen_purchases: int = 0
    frozen_activations: int = 0


def roll(scenario: Scenario, actuals: Actuals, plan: Plan | None = None,
         freeze: int = 0) -> RollResult:
    """The scenario of weeks ``W ..`` of ``scenario`` given ``actuals`` (see module doc).

    Raises
    ------
    InputError
        When ``W >= weeks``, when ``freeze > 0`` without a plan, or when the actuals are
        inconsistent (a stock computed from them falls below zero: site, item and week).
    """
    W, T = actuals.through_week, scenario.weeks
    if W >= T:
        raise InputError(f"through_week {W} must be < weeks = {T} of scenario '{scenario.name}'")
    if freeze < 0:
        raise InputError(f"--freeze must be >= 0 weeks, got {freeze}")
    if freeze and plan is None:
        raise InputError("--freeze needs --plan: the plan whose near orders become firm")
    r = _Roller(scenario, actuals)
    stock, corrections = r.stock()
    doc = scenario.dump()
    doc["start"] = (scenario.start + dt.timedelta(weeks=W)).isoformat()
    doc["weeks"] = T - W
    doc["inventory"] = [{"site": s, "item": i, "quantity": q}
                        for (s, i), q in sorted(stock.items()) if q > EPS]
    receipts = r.receipts()
    committed = r.committed()
    spent = r.spent()
    frozen_p = frozen_a = 0
    if plan is not None and freeze > 0:
        frozen_p, frozen_a = r.freeze(plan, freeze, doc, receipts, committed, spent)
    doc["receipts"] = [{"site": s, "item": i, "week": w, "quantity": q}
                       for (s, i, w), q in sorted(receipts.items()) if q > EPS]
    _shift_lines(doc, W, committed)
    _shift_suppliers(doc, W, r.cap_cut)
    doc["demands"] = r.demands()
    spent["total"] = sum(spent.values())
    if scenario.policy.budget is not None:
        doc["policy"]["budget"] = scenario.policy.budget - spent["total"]
    rolled = load(doc)
    return RollResult(rolled, rolled.dump(), W, r.service_incurred(), spent, corrections,
                      frozen_p, frozen_a)


def _shift_lines(doc: dict[str, Any], W: int, committed: dict[str, tuple[str, int]]) -> None:
    for line in doc["lines"]:
        line.pop("committed", None)
        if line["id"] in committed:
            option, ready = committed[line["id"]]
            line["committed"] = {"option": option, "ready_week": ready}
        for opt in line["options"]:
            opt["earliest_start_week"] = max(0, opt.get("earliest_start_week", 0) - W)


def _shift_suppliers(doc: dict[str, Any], W: int, cut: dict[tuple[str, str], np.ndarray]) -> None:
    T = doc["weeks"]
    for sup in doc["suppliers"]:
        for offer in sup["offers"]:
            offer["available_from_week"] = max(0, offer.get("available_from_week", 0) - W)
            cap = offer["capacity_per_week"]
            cap = cap[W:] if isinstance(cap, list) else [cap] * T
            reduce = cut.get((sup["id"], offer["item"]))
            if reduce is not None:
                cap = [max(0.0, c - x) for c, x in zip(cap, reduce, strict=True)]
            elif all(c == cap[0] for c in cap):
                cap = cap[0]
            offer["capacity_per_week"] = cap


class _Roller:
    """The arithmetic of one roll (all week numbers are of the original scenario)."""

    def __init__(self, sc: Scenario, a: Actuals) -> None:
        self.sc, self.a, self.W, self.T = sc, a, a.through_week, sc.weeks
        self.lines = sc.by_id("lines")
        self.ops = sc.by_id("operations")
        self.offers = {(s.id, o.item): o for s in sc.suppliers for o in s.offers}
        self.cap_cut: dict[tuple[str, str], np.ndarray] = {}
        self.option: dict[str, Option] = {}  # line -> option it runs (actual or committed)
        for ln in sc.lines:
            opt = ln.committed_option()
            if opt is not None:
                self.option[ln.id] = opt
        for act in a.activations:
            self.option[act.line] = next(o for o in self.lines[act.line].options
                                         if o.id == act.option)

    # --- inventory -----------------------------------------------------------------

    def flows(self) -> dict[Key, np.ndarray]:
        """Net inflow per (site, item) and week ``0 .. W-1`` [units]; also gross in ``[1]``."""
        W = self.W
        net: dict[Key, np.ndarray] = defaultdict(lambda: np.zeros((2, W)))

        def add(key: Key, week: int, q: float) -> None:
            if 0 <= week < W:
                net[key][0, week] += q
                net[key][1, week] += abs(q)

        for stock in self.sc.inventory:
            add((stock.site, stock.item), 0, stock.quantity)
        for rec in self.sc.receipts:
            add((rec.site, rec.item), rec.week, rec.quantity)
        for p in self.a.production:
            op, site = self.ops[p.operation], self.lines[p.line].site
            add((site, op.produces), p.week + op.lead_time_weeks, p.quantity)
            for item, per in op.consumes.items():
                add((site, item), p.week, -p.quantity * per / op.yield_)
        for b in self.a.purchases:
            for got in b.received:
                add((b.site, b.item), got.week, got.quantity)
        for s in self.a.shipments:
            add((s.from_, s.item), s.week, -s.quantity)
            add((s.to, s.item), s.arrival_week, s.quantity)
        demands = self.sc.by_id("demands")
        for d in self.a.deliveries:
            dm = demands[d.demand]
            add((dm.site, dm.item), d.week, -d.quantity)
        return net

    def stock(self) -> tuple[dict[Key, float], list[StockCorrection]]:
        counted = {(c.site, c.item): c.quantity for c in self.a.stock}
        out: dict[Key, float] = {}
        bad = []
        for key, arr in self.flows().items():
            level, size = np.cumsum(arr[0]), np.cumsum(arr[1])
            short = np.flatnonzero(level < -EPS * np.maximum(1.0, size))
            if short.size and key not in counted:
                t = int(short[0])
                bad.append(f"stock of {key[1]} at {key[0]} would be {level[t]:.6g} at the end "
                           f"of week {t}: more is used, shipped or delivered than the "
                           "actuals bring in")
            out[key] = max(0.0, float(level[-1]))
        if bad:
            raise InputError(f"the actuals are inconsistent ({len(bad)} "
                             f"stock{'s' if len(bad) > 1 else ''} below zero)\n  "
                             + "\n  ".join(bad))
        corrections = []
        for key, q in sorted(counted.items()):
            computed = out.get(key, 0.0)
            if abs(q - computed) > EPS * max(1.0, computed):
                corrections.append(StockCorrection(key[0], key[1], computed, q))
            out[key] = q
        return out, corrections

    # --- what is under way ---------------------------------------------------------

    def receipts(self) -> dict[tuple[str, str, int], float]:
        """(site, item, rolled week) -> units arriving whatever the plan does [units]."""
        W = self.W
        out: dict[tuple[str, str, int], float] = defaultdict(float)

        def add(site: str, item: str, week: int, q: float) -> None:
            if W <= week <= self.T - 1:
                out[(site, item, week - W)] += q

        for rec in self.sc.receipts:
            add(rec.site, rec.item, rec.week, rec.quantity)
        for b in self.a.purchases:
            left = b.quantity - b.n_received
            if b.expected:
                for e in b.expected:
                    add(b.site, b.item, e.week, e.quantity)
            elif left > EPS:
                lead = self.offers[(b.supplier, b.item)].lead_time_weeks
                add(b.site, b.item, max(W, b.week + lead), left)
        for s in self.a.shipments:
            add(s.to, s.item, s.arrival_week, s.quantity)
        for p in self.a.production:
            op = self.ops[p.operation]
            add(self.lines[p.line].site, op.produces, p.week + op.lead_time_weeks, p.quantity)
        return out

    def ready_week(self, line: str) -> int:
        """Actual, else expected, else planned-from-start ready week of a converted line."""
        act = next((x for x in self.a.activations if x.line == line), None)
        if act is None:
            committed = self.lines[line].committed
            assert committed is not None
            return committed.ready_week
        if act.ready_week is not None:
            return act.ready_week
        if act.expected_ready_week is not None:
            return act.expected_ready_week
        return max(self.W, act.start_week + self.option[line].lead_time_weeks)

    def committed(self) -> dict[str, tuple[str, int]]:
        """Line -> (option, ready week of the rolled horizon) of every converted line."""
        return {line: (opt.id, self.ready_week(line) - self.W)
                for line, opt in sorted(self.option.items())}

    # --- demands and money ---------------------------------------------------------

    def delivered(self) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for d in self.a.deliveries:
            out[d.demand] += d.quantity
        return out

    def demands(self) -> list[dict[str, Any]]:
        """Each demand's remaining due (cumulative due minus delivered), weeks shifted."""
        delivered, out = self.delivered(), []
        for dm in self.sc.demands:
            left = delivered.get(dm.id, 0.0)
            due: dict[int, float] = defaultdict(float)
            for x in sorted(dm.due, key=lambda x: x.week):
                q = x.quantity - min(left, x.quantity)
                left = max(0.0, left - x.quantity)
                if q > EPS:
                    due[max(0, x.week - self.W)] += q
            if due:
                doc = dm.model_dump(mode="json", exclude_none=True)
                doc["due"] = [{"week": w, "quantity": q} for w, q in sorted(due.items())]
                out.append(doc)
        return out

    def service_incurred(self) -> float:
        """``S`` of weeks ``0 .. W-1``: weighted backlog already suffered [unit-weeks]."""
        W, total = self.W, 0.0
        got: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(W))
        for d in self.a.deliveries:
            got[d.demand][d.week] += d.quantity
        for dm in self.sc.demands:
            due = np.zeros(W)
            for x in dm.due:
                if x.week < W:
                    due[x.week] += x.quantity
            backlog = np.maximum(0.0, np.cumsum(due) - np.cumsum(got[dm.id]))
            total += dm.weight * float(backlog.sum())
        return total

    def spent(self) -> dict[str, float]:
        """What weeks ``0 .. W-1`` cost, by part of ``C`` [currency]."""
        W = self.W
        activation = 0.0
        for line, opt in self.option.items():
            if self.lines[line].committed is None:
                activation += opt.fixed_cost  # the fixed cost of a committed line was spent
            r = self.ready_week(line)
            activation += opt.weekly_cost * max(0, W - max(0, r))
        operating = 0.0
        for p in self.a.production:
            op = self.ops[p.operation]
            operating += p.quantity * op.hours_per_unit / op.yield_ * \
                self.option[p.line].cost_per_hour
        purchase = sum(b.quantity * self.offers[(b.supplier, b.item)].unit_price
                       for b in self.a.purchases)
        sites, weight = self.sc.by_id("sites"), {i.id: i.weight_kg for i in self.sc.items}
        transport = 0.0
        for s in self.a.shipments:
            a, b = sites[s.from_], sites[s.to]
            transport += s.quantity * weight[s.item] * self.sc.transport.cost_per_kg_km * \
                haversine_km(a.lat, a.lon, b.lat, b.lon)
        return {"activation": activation, "operating": operating, "purchase": purchase,
                "transport": transport}

    # --- freeze --------------------------------------------------------------------

    def freeze(self, plan: Plan, F: int, doc: dict[str, Any],
               receipts: dict[tuple[str, str, int], float],
               committed: dict[str, tuple[str, int]], spent: dict[str, float]) -> tuple[int, int]:
        """Make the plan's orders and conversions of weeks ``W .. W+F-1`` firm."""
        W, Tr = self.W, self.T - self.W
        n_p = n_a = 0
        spent["frozen"] = 0.0
        for p in plan.purchases:
            if not W <= p.week < W + F:
                continue
            offer = self.offers.get((p.supplier, p.item))
            if offer is None:
                raise InputError(f"plan purchases: supplier '{p.supplier}' has no offer of "
                                 f"'{p.item}' in the scenario")
            if W <= p.arrival_week <= self.T - 1:
                receipts[(p.site, p.item, p.arrival_week - W)] += p.quantity
            cut = self.cap_cut.setdefault((p.supplier, p.item), np.zeros(Tr))
            cut[p.week - W] += p.quantity
            spent["frozen"] += p.quantity * offer.unit_price
            n_p += 1
        for a in plan.activations:
            if not W <= a.start_week < W + F or a.line in committed:
                continue
            opt = next((o for o in self.lines[a.line].options if o.id == a.option), None) \
                if a.line in self.lines else None
            if opt is None:
                raise InputError(f"plan activations: line '{a.line}' has no option "
                                 f"'{a.option}' in the scenario")
            committed[a.line] = (a.option, a.ready_week - W)
            spent["frozen"] += opt.fixed_cost
            n_a += 1
        return n_p, n_a


def write_scenario(doc: dict[str, Any], path: str | Path) -> None:
    """Write a scenario document: YAML for ``.yaml``/``.yml``, JSON otherwise."""
    p = Path(path)
    if p.suffix.lower() in (".yaml", ".yml"):
        buf = io.StringIO()
        yaml = yaml12()
        yaml.default_flow_style = None
        yaml.width = 100
        yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # key order
        yaml.dump(doc, buf)
        text = buf.getvalue()
    else:
        text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
