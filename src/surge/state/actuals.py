"""The actuals file (state.md): what happened in weeks ``0 .. through_week-1``.

Types, loading and every rule of the format, reported all at once with the scenario
format's message style (``purchases[2] 'pl-motors/motor'.received[0].week: ...``).

Examples
--------
>>> from surge.state.actuals import Actuals
>>> Actuals.model_validate({"surge_actuals": 1, "scenario": "x", "through_week": 3}).activations
[]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from surge.errors import InputError, Problem
from surge.plan.model import TOL
from surge.scenario.load import read_file
from surge.scenario.model import Option, Scenario
from surge.scenario.types import Id, NonNegative, Positive, Text, Week, as_whole, ranged, show

EPS = TOL  # quantities within this of each other are equal [units]


def _version(value: Any) -> int:
    if isinstance(value, bool) or value != 1:
        raise ValueError(f"must be 1 (the only actuals format version), got {show(value)}")
    return 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)


class ActualActivation(_Strict):
    line: Id
    option: Id
    start_week: Week
    ready_week: Week | None = None
    expected_ready_week: Annotated[int, ranged(as_whole)] | None = None


class ActualProduction(_Strict):
    operation: Id
    line: Id
    week: Week
    quantity: NonNegative


class Arrival(_Strict):
    week: Week
    quantity: Positive


class ActualPurchase(_Strict):
    supplier: Id
    item: Id
    site: Id
    week: Week
    quantity: Positive
    received: list[Arrival] = Field(default_factory=list)
    expected: list[Arrival] = Field(default_factory=list)

    @property
    def n_received(self) -> float:
        """Units received so far [units]."""
        return sum(r.quantity for r in self.received)


class ActualShipment(_Strict):
    item: Id
    from_: Id = Field(alias="from")
    to: Id
    week: Week
    arrival_week: Week
    quantity: Positive

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True,
                              serialize_by_alias=True)


class ActualDelivery(_Strict):
    demand: Id
    week: Week
    quantity: Positive


class Count(_Strict):
    site: Id
    item: Id
    quantity: NonNegative


class Actuals(_Strict):
    """What actually happened up to (not including) ``through_week``."""

    surge_actuals: Annotated[Literal[1], BeforeValidator(_version)]
    scenario: Text
    through_week: Annotated[int, ranged(as_whole, 1)]
    activations: list[ActualActivation] = Field(default_factory=list)
    production: list[ActualProduction] = Field(default_factory=list)
    purchases: list[ActualPurchase] = Field(default_factory=list)
    shipments: list[ActualShipment] = Field(default_factory=list)
    deliveries: list[ActualDelivery] = Field(default_factory=list)
    stock: list[Count] = Field(default_factory=list)


# --- loading ---------------------------------------------------------------------------


def load_actuals(source: str | Path | dict[str, Any], scenario: Scenario) -> Actuals:
    """Read an actuals file (YAML or JSON) or document and check it against ``scenario``.

    Raises
    ------
    InputError
        With every problem found (``.problems``), each with its path.
    """
    raw = source if isinstance(source, dict) else read_file(source)
    label = "actuals" if isinstance(source, dict) else str(source)
    if not isinstance(raw, dict):
        raise InputError(f"{label}: an actuals file must be a mapping of keys, got {show(raw)}")
    try:
        actuals = Actuals.model_validate(raw)
    except ValidationError as exc:
        problems = _type_problems(exc)
        raise InputError(f"{label}: {_count(problems)} found", problems) from None
    problems = actuals_problems(actuals, scenario)
    if problems:
        raise InputError(f"{label}: {_count(problems)} found", problems)
    return actuals


def _count(problems: list[Problem]) -> str:
    return f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _type_problems(exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc, kind = tuple(err["loc"]), err["type"]
        if kind == "extra_forbidden":
            out.append(Problem(_path(loc[:-1]), f"unknown key '{loc[-1]}'"))
        elif kind == "missing":
            out.append(Problem(_path(loc[:-1]), f"missing required key '{loc[-1]}'"))
        elif kind == "value_error":
            out.append(Problem(_path(loc), str((err.get("ctx") or {}).get("error", err["msg"]))))
        else:
            out.append(Problem(_path(loc), f"{err['msg']}, got {show(err.get('input'))}"))
    return out


# --- rules -----------------------------------------------------------------------------


class _Checker:
    """Collects the problems of one actuals document against its scenario."""

    def __init__(self, a: Actuals, sc: Scenario) -> None:
        self.a, self.sc, self.W, self.T = a, sc, a.through_week, sc.weeks
        self.out: list[Problem] = []
        self.ids = {kind: set(sc.by_id(kind)) for kind in
                    ("items", "operations", "sites", "lines", "suppliers", "demands")}

    def bad(self, path: str, message: str) -> None:
        self.out.append(Problem(path, message))

    def ref(self, path: str, value: str, kind: str) -> bool:
        if value not in self.ids[kind]:
            self.bad(f"{path}.{kind[:-1]}" if kind != "sites" else path,
                     f"unknown {kind[:-1]} '{value}' (not in the scenario's `{kind}`)")
            return False
        return True

    def past(self, path: str, week: int) -> None:
        if week >= self.W:
            self.bad(f"{path}.week", f"must be before through_week {self.W} (a fact of weeks "
                                     f"0..{self.W - 1}), got {week}")

    def run(self) -> list[Problem]:
        a, sc = self.a, self.sc
        if a.scenario != sc.name:
            self.bad("scenario", f"these actuals are of scenario '{a.scenario}', "
                                 f"not of '{sc.name}'")
        if self.W >= self.T:
            self.bad("through_week", f"must be < weeks = {self.T} of the scenario, got {self.W}")
        self.activations()
        self.production()
        self.purchases()
        self.shipments()
        self.deliveries()
        self.counts()
        return self.out

    def activations(self) -> None:
        lines = self.sc.by_id("lines")
        seen: dict[str, int] = {}
        for i, act in enumerate(self.a.activations):
            path = f"activations[{i}] '{act.line}'"
            if not self.ref(path, act.line, "lines"):
                continue
            if act.line in seen:
                self.bad(f"{path}.line", f"line '{act.line}' is already in activations"
                                         f"[{seen[act.line]}]; a line is converted once")
            seen.setdefault(act.line, i)
            if act.option not in {o.id for o in lines[act.line].options}:
                self.bad(f"{path}.option", f"unknown option '{act.option}' of line "
                                           f"'{act.line}'")
            if act.start_week >= self.W:
                self.bad(f"{path}.start_week", f"must be before through_week {self.W}, "
                                               f"got {act.start_week}")
            if act.ready_week is not None:
                if act.ready_week >= self.W:
                    self.bad(f"{path}.ready_week",
                             f"must be before through_week {self.W} (a line ready later is "
                             f"not ready yet: give expected_ready_week), got {act.ready_week}")
                if act.ready_week < act.start_week:
                    self.bad(f"{path}.ready_week", f"must be >= start_week {act.start_week}, "
                                                   f"got {act.ready_week}")
                if act.expected_ready_week is not None:
                    self.bad(f"{path}.expected_ready_week",
                             "give ready_week (ready) or expected_ready_week (not yet), not both")
            elif act.expected_ready_week is not None and act.expected_ready_week < self.W:
                self.bad(f"{path}.expected_ready_week",
                         f"must be >= through_week {self.W} (the line is not ready yet), "
                         f"got {act.expected_ready_week}")

    def production(self) -> None:
        ops, active = self.sc.by_id("operations"), self.active_lines()
        options = self.options_run()
        for i, row in enumerate(self.a.production):
            path = f"production[{i}] '{row.operation}'"
            known = self.ref(path, row.operation, "operations")
            if self.ref(path, row.line, "lines") and row.line not in active:
                self.bad(f"{path}.line", f"line '{row.line}' made something but is not in "
                                         "activations (list its conversion there)")
            opt = options.get(row.line)
            if known and opt is not None and ops[row.operation].capability not in \
                    opt.capabilities:
                self.bad(f"{path}.line", f"line '{row.line}' (option '{opt.id}') cannot run "
                                         f"'{row.operation}': it needs capability "
                                         f"'{ops[row.operation].capability}', the option has "
                                         f"{', '.join(opt.capabilities)}")
            self.past(path, row.week)
            if known and row.week + ops[row.operation].lead_time_weeks > self.T - 1:
                self.bad(f"{path}.week", f"its output would arrive in week "
                                         f"{row.week + ops[row.operation].lead_time_weeks}, "
                                         f"after the horizon's last week {self.T - 1}")

    def options_run(self) -> dict[str, Option]:
        """Line -> the option it runs (committed, or converted in ``activations``)."""
        lines = self.sc.by_id("lines")
        out = {ln.id: opt for ln in self.sc.lines if (opt := ln.committed_option()) is not None}
        for act in self.a.activations:
            if act.line in lines:
                opt = next((o for o in lines[act.line].options if o.id == act.option), None)
                if opt is not None:
                    out[act.line] = opt
        return out

    def active_lines(self) -> set[str]:
        return {a.line for a in self.a.activations} | {
            ln.id for ln in self.sc.lines if ln.committed is not None}

    def purchases(self) -> None:
        offers = {(s.id, o.item): o for s in self.sc.suppliers for o in s.offers}
        for i, p in enumerate(self.a.purchases):
            path = f"purchases[{i}] '{p.supplier}/{p.item}'"
            ok = self.ref(path, p.supplier, "suppliers") & self.ref(path, p.item, "items")
            if p.site not in self.ids["sites"]:
                self.bad(f"{path}.site", f"unknown site '{p.site}' (not in the scenario's "
                                         "`sites`)")
            if ok and (p.supplier, p.item) not in offers:
                self.bad(path, f"supplier '{p.supplier}' has no offer of '{p.item}'")
            self.past(path, p.week)
            for j, r in enumerate(p.received):
                self.past(f"{path}.received[{j}]", r.week)
                if r.week < p.week:
                    self.bad(f"{path}.received[{j}].week",
                             f"received in week {r.week}, before the order week {p.week}")
            for j, r in enumerate(p.expected):
                if not self.W <= r.week <= self.T - 1:
                    self.bad(f"{path}.expected[{j}].week",
                             f"must be between through_week {self.W} and the horizon's last "
                             f"week {self.T - 1}, got {r.week}")
            got = p.n_received + sum(r.quantity for r in p.expected)
            if got > p.quantity + EPS * max(1.0, p.quantity):
                self.bad(f"{path}.quantity", f"{got:g} units received and expected, more than "
                                             f"the {p.quantity:g} ordered")
            offer = offers.get((p.supplier, p.item))
            if offer is not None and not p.expected and p.quantity - p.n_received > EPS:
                due = max(self.W, p.week + offer.lead_time_weeks)
                if due > self.T - 1:
                    self.bad(path, f"{p.quantity - p.n_received:g} units still to come would "
                                   f"arrive in week {due}, after the horizon's last week "
                                   f"{self.T - 1}")

    def shipments(self) -> None:
        for i, s in enumerate(self.a.shipments):
            path = f"shipments[{i}] '{s.item}'"
            self.ref(path, s.item, "items")
            for key, site in (("from", s.from_), ("to", s.to)):
                if site not in self.ids["sites"]:
                    self.bad(f"{path}.{key}", f"unknown site '{site}' (not in the scenario's "
                                              "`sites`)")
            if s.from_ == s.to:
                self.bad(f"{path}.to", f"a shipment goes from one site to another, got "
                                       f"'{s.to}' twice")
            self.past(path, s.week)
            if not s.week <= s.arrival_week <= self.T - 1:
                self.bad(f"{path}.arrival_week", f"must be between the week sent {s.week} and "
                                                 f"the horizon's last week {self.T - 1}, "
                                                 f"got {s.arrival_week}")

    def deliveries(self) -> None:
        demands = self.sc.by_id("demands")
        total: dict[str, float] = {}
        for i, d in enumerate(self.a.deliveries):
            path = f"deliveries[{i}] '{d.demand}'"
            if self.ref(path, d.demand, "demands"):
                total[d.demand] = total.get(d.demand, 0.0) + d.quantity
            self.past(path, d.week)
        for did, q in total.items():
            due = demands[did].total
            if q > due + EPS * max(1.0, due):
                self.bad("deliveries", f"demand '{did}' has {q:g} delivered, more than the "
                                       f"{due:g} due in all")

    def counts(self) -> None:
        seen: dict[tuple[str, str], int] = {}
        for i, c in enumerate(self.a.stock):
            path = f"stock[{i}]"
            if c.site not in self.ids["sites"]:
                self.bad(f"{path}.site", f"unknown site '{c.site}' (not in the scenario's "
                                         "`sites`)")
            self.ref(path, c.item, "items")
            if (c.site, c.item) in seen:
                self.bad(path, f"stock of '{c.item}' at '{c.site}' is already counted in "
                               f"stock[{seen[(c.site, c.item)]}]")
            seen.setdefault((c.site, c.item), i)


def actuals_problems(actuals: Actuals, scenario: Scenario) -> list[Problem]:
    """Every rule of the actuals format broken by ``actuals`` against ``scenario``."""
    return _Checker(actuals, scenario).run()


def actuals_from_plan(scenario: Scenario, plan: Any, through_week: int) -> Actuals:
    """The actuals of a plan executed exactly for weeks ``0 .. through_week-1``.

    Everything the plan does before ``through_week`` happened as planned: conversions
    started (ready, or expected at their planned ready week), production, orders placed
    (received, or expected at their arrival week), shipments sent and deliveries made.
    """
    W = through_week
    acts = [ActualActivation(line=a.line, option=a.option, start_week=a.start_week,
                             ready_week=a.ready_week if a.ready_week < W else None,
                             expected_ready_week=None if a.ready_week < W else a.ready_week)
            for a in plan.activations if 0 <= a.start_week < W
            and scenario.by_id("lines")[a.line].committed is None]
    buys = []
    for p in plan.purchases:
        if p.week < W:
            got = [Arrival(week=p.arrival_week, quantity=p.quantity)]
            buys.append(ActualPurchase(
                supplier=p.supplier, item=p.item, site=p.site, week=p.week, quantity=p.quantity,
                received=got if p.arrival_week < W else [],
                expected=got if p.arrival_week >= W else []))
    return Actuals(
        surge_actuals=1, scenario=scenario.name, through_week=W, activations=acts,
        production=[ActualProduction(operation=p.operation, line=p.line, week=p.week,
                                     quantity=p.quantity) for p in plan.production if p.week < W],
        purchases=buys,
        shipments=[ActualShipment.model_validate(
            {"item": s.item, "from": s.from_, "to": s.to, "week": s.week,
             "arrival_week": s.arrival_week, "quantity": s.quantity})
                   for s in plan.shipments if s.week < W],
        deliveries=[ActualDelivery(demand=d.demand, week=d.week, quantity=d.quantity)
                    for d in plan.deliveries if d.week < W])
