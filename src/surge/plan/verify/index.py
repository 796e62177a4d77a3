"""The plan index: a plan's rows resolved against its scenario once, as arrays.

Every check of the verifier reads this index and nothing else, so no check depends on
another having run first. Rows with a reference the scenario does not have (a line, an
operation, ...) are left out of the arrays; the index keeps the ``unknown-object``
violations they give. A non-finite quantity counts as 0 here (the ``quantity`` check
reports it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from surge.plan.model import Activation, Plan
from surge.plan.verify.result import Violation
from surge.scenario.due import due_matrix
from surge.scenario.model import Line, Offer, Option, Scenario, Supplier


def codes(ids: Iterable[str]) -> dict[str, int]:
    """The position of each id."""
    return {x: i for i, x in enumerate(ids)}


def lookup(codes: dict[str, int], values: list[Any]) -> np.ndarray:
    """Index of each id in ``codes``; -1 when unknown."""
    return np.fromiter((codes.get(x, -1) for x in values), dtype=np.int64, count=len(values))


def weekly_sums(n: int, T: int, row: np.ndarray, week: np.ndarray,
                q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum of ``q`` per row and week, shape (n, T), and its size (the sum of ``|q|``, which
    scales the tolerance of a check)."""
    total, size = np.zeros((n, T)), np.zeros((n, T))
    np.add.at(total, (row, week), q)
    np.add.at(size, (row, week), np.abs(q))
    return total, size


@dataclass(frozen=True)
class Codes:
    """Positions of the scenario's objects by id, and the supplier offers in one list."""

    items: dict[str, int]
    sites: dict[str, int]
    lines: dict[str, int]
    ops: dict[str, int]
    demands: dict[str, int]
    offers: dict[tuple[str, str], int]  # (supplier, item) -> position in offer_list
    offer_list: tuple[tuple[Supplier, Offer], ...]
    site_of_line: np.ndarray

    @classmethod
    def of(cls, sc: Scenario) -> Codes:
        offer_list = tuple((s, o) for s in sc.suppliers for o in s.offers)
        sites = codes(s.id for s in sc.sites)
        return cls(
            items=codes(i.id for i in sc.items), sites=sites,
            lines=codes(ln.id for ln in sc.lines), ops=codes(o.id for o in sc.operations),
            demands=codes(d.id for d in sc.demands),
            offers={(s.id, o.item): k for k, (s, o) in enumerate(offer_list)},
            offer_list=offer_list,
            site_of_line=np.array([sites[ln.site] for ln in sc.lines], dtype=np.int64),
        )


@dataclass(frozen=True)
class KnownActivation:
    """An activation row whose line and option exist."""

    row: int
    activation: Activation
    line: Line
    option: Option


@dataclass(frozen=True)
class Lines:
    """Per line (scenario order): what the plan's activations make of it.

    When a line is activated twice, the first activation listed is the one that runs.
    ``offered`` [h] is hours_per_week x ramp(week - ready), shape (lines, weeks).
    ``activation_cost`` [currency] sums every known activation.
    """

    activations: tuple[KnownActivation, ...]
    active: np.ndarray
    ready: np.ndarray
    hours_per_week: np.ndarray
    cost_per_hour: np.ndarray
    caps: tuple[frozenset[str], ...]
    offered: np.ndarray
    activation_cost: float


@dataclass(frozen=True)
class Rows:
    """The rows of one plan list whose references exist: ``idx`` their positions in the
    list, ``objs`` the objects a violation names, ``q`` the quantity, ``in_t`` whether
    ``week`` lies within the horizon."""

    idx: np.ndarray
    objs: tuple[tuple[str, ...], ...]
    week: np.ndarray
    q: np.ndarray
    in_t: np.ndarray


@dataclass(frozen=True)
class ProductionRows(Rows):
    """``hours`` [h] = q x hours_per_unit / yield; ``arrives`` = week + the operation's lead;
    ``runs``: in the horizon on an active, ready line whose option has the capability."""

    op: np.ndarray
    line: np.ndarray
    lead: np.ndarray
    hours: np.ndarray
    arrives: np.ndarray
    site: np.ndarray
    produces: np.ndarray
    active: np.ndarray
    capable: np.ndarray
    ready: np.ndarray
    runs: np.ndarray


@dataclass(frozen=True)
class PurchaseRows(Rows):
    """``offer`` indexes :attr:`Codes.offer_list`; ``claimed`` is the plan's arrival week."""

    offer: np.ndarray
    site: np.ndarray
    item: np.ndarray
    lead: np.ndarray
    available: np.ndarray
    claimed: np.ndarray
    arrival: np.ndarray


@dataclass(frozen=True)
class ShipmentRows(Rows):
    item: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    lead: np.ndarray
    claimed: np.ndarray
    arrival: np.ndarray


@dataclass(frozen=True)
class DeliveryRows(Rows):
    """``delivered``, ``size`` (sum of |q|) and ``due`` [units] per demand and week."""

    dem: np.ndarray
    site: np.ndarray
    item: np.ndarray
    delivered: np.ndarray
    size: np.ndarray
    due: np.ndarray


@dataclass(frozen=True)
class PlanIndex:
    """A plan resolved against its scenario: built once by :meth:`build`, read by every check."""

    sc: Scenario
    plan: Plan
    T: int
    code: Codes
    unknown: tuple[Violation, ...]  # the unknown-object violations, in list and row order
    references: int  # how many references were looked up
    lines: Lines
    production: ProductionRows
    purchases: PurchaseRows
    shipments: ShipmentRows
    deliveries: DeliveryRows

    @classmethod
    def build(cls, sc: Scenario, plan: Plan) -> PlanIndex:
        code, refs = Codes.of(sc), _References()
        lines = _lines(sc, plan, code, refs)
        return cls(sc=sc, plan=plan, T=sc.weeks, code=code,
                   lines=lines,
                   production=_production(sc, plan, code, refs, lines),
                   purchases=_purchases(sc, plan, code, refs),
                   shipments=_shipments(sc, plan, code, refs),
                   deliveries=_deliveries(sc, plan, code, refs),
                   unknown=tuple(refs.unknown), references=refs.count)


class _References:
    """Looks up a row's references while the index is built; keeps the unknown ones."""

    def __init__(self) -> None:
        self.unknown: list[Violation] = []
        self.count = 0

    def known(self, kind: str, i: int, pairs: list[tuple[str, str, bool]]) -> bool:
        self.count += len(pairs)
        good = True
        for what, value, exists in pairs:
            if not exists:
                self.unknown.append(Violation(
                    "unknown-object", (value,), None,
                    f"{kind}[{i}] names {what} '{value}', which the scenario does not have"))
                good = False
        return good


def _quantities(rows: list[Any], keep: list[int]) -> np.ndarray:
    q = np.array([rows[i].quantity for i in keep], dtype=float)
    return np.where(np.isfinite(q), q, 0.0)


def _weeks(rows: list[Any], keep: list[int], key: str = "week") -> np.ndarray:
    return np.array([getattr(rows[i], key) for i in keep], dtype=np.int64)


def _in_horizon(week: np.ndarray, T: int) -> np.ndarray:
    return (week >= 0) & (week <= T - 1)


def _lines(sc: Scenario, plan: Plan, code: Codes, refs: _References) -> Lines:
    T, nL = sc.weeks, len(sc.lines)
    known: list[KnownActivation] = []
    for i, a in enumerate(plan.activations):
        line = sc.lines[code.lines[a.line]] if a.line in code.lines else None
        option = next((o for o in line.options if o.id == a.option), None) if line else None
        if refs.known("activations", i, [
            ("line", a.line, line is not None),
            *([("option", a.option, option is not None)] if line is not None else []),
        ]):
            assert line is not None and option is not None
            known.append(KnownActivation(i, a, line, option))
    active = np.zeros(nL, dtype=bool)
    ready = np.full(nL, T, dtype=np.int64)
    hours_per_week, cost_per_hour = np.zeros(nL), np.zeros(nL)
    caps: list[frozenset[str]] = [frozenset()] * nL
    ramp: list[list[float]] = [[] for _ in range(nL)]
    cost = 0.0
    for k_a in known:
        a, option = k_a.activation, k_a.option
        r = a.start_week + option.lead_time_weeks
        if k_a.line.committed is not None:  # its fixed cost is spent
            cost += option.weekly_cost * max(0, T - max(0, r))
        else:
            cost += option.fixed_cost + option.weekly_cost * max(0, T - r)
        k = code.lines[a.line]
        if not active[k]:  # the first activation of a line is the one that runs
            active[k], ready[k] = True, r
            hours_per_week[k], cost_per_hour[k] = option.hours_per_week, option.cost_per_hour
            caps[k], ramp[k] = frozenset(option.capabilities), list(option.ramp_up)
    width = max((len(r) for r in ramp), default=0) + 1
    ramp_table = np.ones((nL, width))
    for k, rk in enumerate(ramp):
        ramp_table[k, : len(rk)] = rk
    age = np.arange(T)[None, :] - ready[:, None]
    share = np.where(age < 0, 0.0,
                     np.take_along_axis(ramp_table, np.clip(age, 0, width - 1), axis=1))
    offered = np.where(active[:, None], hours_per_week[:, None] * share, 0.0)
    return Lines(activations=tuple(known), active=active, ready=ready,
                 hours_per_week=hours_per_week, cost_per_hour=cost_per_hour, caps=tuple(caps),
                 offered=offered, activation_cost=cost)


def _production(sc: Scenario, plan: Plan, code: Codes, refs: _References,
                lines: Lines) -> ProductionRows:
    rows = plan.production
    keep = [i for i, p in enumerate(rows) if refs.known("production", i, [
        ("operation", p.operation, p.operation in code.ops),
        ("line", p.line, p.line in code.lines)])]
    op = lookup(code.ops, [rows[i].operation for i in keep])
    line = lookup(code.lines, [rows[i].line for i in keep])
    week, q = _weeks(rows, keep), _quantities(rows, keep)
    per_unit = np.array([o.hours_per_unit / o.yield_ for o in sc.operations])[op]
    lead = np.array([o.lead_time_weeks for o in sc.operations], dtype=np.int64)[op]
    in_t = _in_horizon(week, sc.weeks)
    active = lines.active[line]
    capable = np.fromiter(
        (sc.operations[o].capability in lines.caps[ln] for o, ln in zip(op, line, strict=True)),
        dtype=bool, count=len(op))
    ready = week >= lines.ready[line]
    return ProductionRows(
        idx=np.array(keep, dtype=np.int64),
        objs=tuple((rows[i].line, rows[i].operation) for i in keep),
        week=week, q=q, in_t=in_t, op=op, line=line, lead=lead, hours=q * per_unit,
        arrives=week + lead, site=code.site_of_line[line],
        produces=lookup(code.items, [o.produces for o in sc.operations])[op],
        active=active, capable=capable, ready=ready, runs=in_t & active & capable & ready)


def _purchases(sc: Scenario, plan: Plan, code: Codes, refs: _References) -> PurchaseRows:
    rows = plan.purchases
    keep = [i for i, b in enumerate(rows) if refs.known("purchases", i, [
        ("supplier offer of item", f"{b.supplier}/{b.item}", (b.supplier, b.item) in code.offers),
        ("site", b.site, b.site in code.sites)])]
    offer = np.fromiter((code.offers[(rows[i].supplier, rows[i].item)] for i in keep),
                        dtype=np.int64, count=len(keep))
    objs = tuple((rows[i].supplier, rows[i].item, rows[i].site) for i in keep)
    week = _weeks(rows, keep)
    lead = np.array([o.lead_time_weeks for _, o in code.offer_list], dtype=np.int64)[offer]
    return PurchaseRows(
        idx=np.array(keep, dtype=np.int64), objs=objs, week=week, q=_quantities(rows, keep),
        in_t=_in_horizon(week, sc.weeks), offer=offer,
        site=lookup(code.sites, [o[2] for o in objs]),
        item=lookup(code.items, [o[1] for o in objs]), lead=lead,
        available=np.array([o.available_from_week for _, o in code.offer_list],
                           dtype=np.int64)[offer],
        claimed=_weeks(rows, keep, "arrival_week"), arrival=week + lead)


def _shipments(sc: Scenario, plan: Plan, code: Codes, refs: _References) -> ShipmentRows:
    rows = plan.shipments
    keep = [i for i, s in enumerate(rows) if refs.known("shipments", i, [
        ("item", s.item, s.item in code.items), ("site", s.from_, s.from_ in code.sites),
        ("site", s.to, s.to in code.sites)])]
    objs = tuple((rows[i].item, rows[i].from_, rows[i].to) for i in keep)
    week = _weeks(rows, keep)
    lead = np.full(len(keep), sc.transport.lead_time_weeks, dtype=np.int64)
    return ShipmentRows(
        idx=np.array(keep, dtype=np.int64), objs=objs, week=week, q=_quantities(rows, keep),
        in_t=_in_horizon(week, sc.weeks), item=lookup(code.items, [o[0] for o in objs]),
        src=lookup(code.sites, [o[1] for o in objs]), dst=lookup(code.sites, [o[2] for o in objs]),
        lead=lead, claimed=_weeks(rows, keep, "arrival_week"), arrival=week + lead)


def _deliveries(sc: Scenario, plan: Plan, code: Codes, refs: _References) -> DeliveryRows:
    rows = plan.deliveries
    keep = [i for i, d in enumerate(rows)
            if refs.known("deliveries", i, [("demand", d.demand, d.demand in code.demands)])]
    dem = lookup(code.demands, [rows[i].demand for i in keep])
    week, q = _weeks(rows, keep), _quantities(rows, keep)
    in_t = _in_horizon(week, sc.weeks)
    delivered, size = weekly_sums(len(sc.demands), sc.weeks, dem[in_t], week[in_t], q[in_t])
    return DeliveryRows(
        idx=np.array(keep, dtype=np.int64), objs=tuple((rows[i].demand,) for i in keep),
        week=week, q=q, in_t=in_t, dem=dem,
        site=np.array([code.sites[d.site] for d in sc.demands], dtype=np.int64)[dem],
        item=np.array([code.items[d.item] for d in sc.demands], dtype=np.int64)[dem],
        delivered=delivered, size=size, due=due_matrix(sc))
