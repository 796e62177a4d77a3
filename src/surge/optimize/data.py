"""Index sets and parameters of the planning model, as numpy arrays.

Everything the model builder needs is computed here once, from the scenario alone:
flat lists of line options, operations, (site, item) stock nodes, purchase and shipment
lanes, and the earliest week each item can be at each site. The earliest weeks prune
variables that could never be non-zero in any feasible plan, so pruning never changes
the optimum (see docs/model.md, "Pruning").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from surge.scenario.geo import haversine_km
from surge.scenario.model import Line, Offer, Option, Scenario

NEVER = 1 << 30  # "no week": an item that can never be at a site


@dataclass
class ModelData:
    """The scenario flattened into index sets (each a list of ids) and parameter arrays."""

    sc: Scenario
    T: int
    offers: dict[tuple[str, str], Offer] = field(default_factory=dict)  # (supplier, item)
    # line options, one entry per (line, option) that can start within the horizon
    opt_line: list[str] = field(default_factory=list)
    opt_id: list[str] = field(default_factory=list)
    opt_site: list[str] = field(default_factory=list)
    opt_est: np.ndarray = field(default_factory=lambda: np.zeros(0, int))   # earliest start
    opt_last: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # latest useful start
    opt_lead: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    opt_hours: np.ndarray = field(default_factory=lambda: np.zeros(0))
    opt_fixed: np.ndarray = field(default_factory=lambda: np.zeros(0))
    opt_weekly: np.ndarray = field(default_factory=lambda: np.zeros(0))
    opt_cph: np.ndarray = field(default_factory=lambda: np.zeros(0))
    opt_ramp: list[list[float]] = field(default_factory=list)
    opt_caps: list[frozenset[str]] = field(default_factory=list)
    opt_first: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # first week with hours
    # committed lines (state.md): no activation variable, hours offered are given
    opt_committed: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    opt_ready: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # committed ready
    committed_hours: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (K, T) [h]
    receipts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (node, week) [units]
    # operations
    ops: list[str] = field(default_factory=list)
    # stock nodes (site, item) and the earliest week the item can be there
    nodes: list[tuple[str, str]] = field(default_factory=list)
    node_index: dict[tuple[str, str], int] = field(default_factory=dict)
    earliest: dict[tuple[str, str], int] = field(default_factory=dict)
    # purchase lanes (supplier, item, site) and shipment lanes (item, from, to)
    buy_lanes: list[tuple[str, str, str]] = field(default_factory=list)
    ship_lanes: list[tuple[str, str, str]] = field(default_factory=list)
    ship_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per unit [cur/unit]
    # free transport: shipments pooled per item and week (see docs/model.md)
    pooled: bool = False
    pool_out: list[tuple[str, str]] = field(default_factory=list)  # (item, from site)
    pool_in: list[tuple[str, str]] = field(default_factory=list)   # (item, to site)

    @property
    def option_names(self) -> list[str]:
        return [f"{line}/{opt}" for line, opt in zip(self.opt_line, self.opt_id, strict=False)]


def hours_start(option_lead: int, est: int, ramp: list[float]) -> int:
    """First week an option started at ``est`` offers hours."""
    first = next((k for k, r in enumerate(ramp) if r > 0), len(ramp))
    return est + option_lead + first


def _option_rows(sc: Scenario) -> list[tuple[Line, Option, int]]:
    """(line, option, latest start) of every option that can offer hours in the horizon.

    A committed line keeps only its committed option, whose latest start is ``T - 1`` (it
    has no start variable; see :func:`prepare`).
    """
    T = sc.weeks
    rows = []
    for line in sc.lines:
        committed = line.committed_option()
        if committed is not None:
            rows.append((line, committed, T - 1))
            continue
        for opt in line.options:
            last = T - 1 - opt.lead_time_weeks
            if opt.earliest_start_week > last:
                continue  # ready after the horizon: can never offer an hour
            rows.append((line, opt, last))
    return rows


def _committed_hours(sc: Scenario, rows: list[tuple[Line, Option, int]]) -> np.ndarray:
    """Hours offered by each committed option in each week, ``H * ramp(t - ready)`` [h]."""
    T = sc.weeks
    out = np.zeros((len(rows), T))
    for k, (line, opt, _) in enumerate(rows):
        if line.committed is not None:
            r = line.committed.ready_week
            out[k] = [opt.hours_per_week * opt.ramp(t - r) for t in range(T)]
    return out


def prepare(sc: Scenario) -> ModelData:
    """Flatten ``sc`` into the index sets of the model, pruned by reachability.

    Four steps: the option table (:func:`option_table`), where each operation can run and
    where each item is used (:func:`reach`), the earliest week each item can be at each
    site (:func:`earliest_weeks`, a fixpoint) and the purchase and shipment lanes
    (:func:`lanes`).
    """
    d = ModelData(sc=sc, T=sc.weeks)
    d.offers = {(sup.id, o.item): o for sup in sc.suppliers for o in sup.offers}
    d.ops = [op.id for op in sc.operations]
    option_table(d)
    first_hours, used_at = reach(d)
    d.earliest, producers = earliest_weeks(sc, first_hours, used_at)
    # Stock nodes: every (site, item) the item can reach.
    d.nodes = sorted(d.earliest)
    d.node_index = {n: i for i, n in enumerate(d.nodes)}
    lanes(d, used_at, producers)
    d.receipts = np.zeros((len(d.nodes), d.T))
    for rec in sc.receipts:
        d.receipts[d.node_index[(rec.site, rec.item)], rec.week] += rec.quantity
    return d


def option_table(d: ModelData) -> None:
    """The ``opt_*`` arrays of ``d``: one entry per (line, option) that can offer hours."""
    sc, T = d.sc, d.T
    rows = _option_rows(sc)
    d.opt_committed = np.array([line.committed is not None for line, _, _ in rows], dtype=bool)
    d.opt_ready = np.array([line.committed.ready_week if line.committed else 0
                            for line, _, _ in rows], dtype=int)
    d.committed_hours = _committed_hours(sc, rows)
    d.opt_line = [line.id for line, _, _ in rows]
    d.opt_id = [opt.id for _, opt, _ in rows]
    d.opt_site = [line.site for line, _, _ in rows]
    # a committed option has no start variable: its start window is empty (T .. T-1)
    d.opt_est = np.array([T if c else opt.earliest_start_week
                          for c, (_, opt, _) in zip(d.opt_committed, rows, strict=False)],
                          dtype=int)
    d.opt_last = np.array([last for _, _, last in rows], dtype=int)
    d.opt_lead = np.array([opt.lead_time_weeks for _, opt, _ in rows], dtype=int)
    d.opt_hours = np.array([opt.hours_per_week for _, opt, _ in rows], dtype=float)
    d.opt_fixed = np.array([opt.fixed_cost for _, opt, _ in rows], dtype=float)
    d.opt_weekly = np.array([opt.weekly_cost for _, opt, _ in rows], dtype=float)
    d.opt_cph = np.array([opt.cost_per_hour for _, opt, _ in rows], dtype=float)
    d.opt_ramp = [list(opt.ramp_up) for _, opt, _ in rows]
    d.opt_caps = [frozenset(opt.capabilities) for _, opt, _ in rows]
    d.opt_first = np.array([
        min([t for t in range(T) if d.committed_hours[k, t] > 0], default=NEVER)
        if d.opt_committed[k]
        else hours_start(int(d.opt_lead[k]), int(d.opt_est[k]), d.opt_ramp[k])
        for k in range(len(rows))], dtype=int)


def reach(d: ModelData) -> tuple[dict[tuple[str, str], int], dict[str, set[str]]]:
    """Where each operation can run and from which week (line hours only):
    ``(operation, site) -> first week with hours``; and the sites where each item is used
    (consumed by an operation that can run there, or demanded): ``item -> sites``."""
    ops = d.sc.operations
    first_hours: dict[tuple[str, str], int] = {}
    for k in range(len(d.opt_id)):
        start = int(d.opt_first[k])
        for op in ops:
            if op.capability in d.opt_caps[k]:
                key = (op.id, d.opt_site[k])
                first_hours[key] = min(first_hours.get(key, NEVER), start)
    used_at: dict[str, set[str]] = {}
    for op in ops:
        for (oid, site) in first_hours:
            if oid == op.id:
                for item in op.consumes:
                    used_at.setdefault(item, set()).add(site)
    for dem in d.sc.demands:
        used_at.setdefault(dem.item, set()).add(dem.site)
    return first_hours, used_at


def earliest_weeks(sc: Scenario, first_hours: dict[tuple[str, str], int],
                   used_at: dict[str, set[str]]
                   ) -> tuple[dict[tuple[str, str], int], dict[str, set[str]]]:
    """Earliest week each item can be at each site, ``(site, item) -> week``: a fixpoint
    over inventory, receipts, purchases (delivered straight to the sites that use the
    item), production and shipments; and the sites where each item can be produced."""
    T = sc.weeks
    earliest = _seed_earliest(sc, used_at)

    def lower(key: tuple[str, str], week: int) -> bool:
        if week <= T - 1 and week < earliest.get(key, NEVER):
            earliest[key] = week
            return True
        return False

    tau = sc.transport.lead_time_weeks
    runs_at: dict[str, list[tuple[str, int]]] = {}  # operation -> [(site, first week with hours)]
    for (oid, site), start in sorted(first_hours.items()):
        runs_at.setdefault(oid, []).append((site, start))
    producers: dict[str, set[str]] = {}  # item -> sites where it can be produced
    changed = True
    while changed:
        changed = False
        for op in sc.operations:
            for site, start in runs_at.get(op.id, ()):
                ready = max([start] + [earliest.get((site, i), NEVER) for i in op.consumes])
                if ready + op.lead_time_weeks <= T - 1:
                    producers.setdefault(op.produces, set()).add(site)
                    changed |= lower((site, op.produces), ready + op.lead_time_weeks)
        # shipments: from a site holding the item to another site using it; the two
        # earliest holders of each item are enough to know every destination's earliest.
        for dest, item, week in _shipment_reach(earliest, used_at):
            changed |= lower((dest, item), week + tau)
    return earliest, producers


def _seed_earliest(sc: Scenario, used_at: dict[str, set[str]]) -> dict[tuple[str, str], int]:
    """Earliest weeks from inventory, receipts and purchases alone."""
    T = sc.weeks
    earliest: dict[tuple[str, str], int] = {}

    def lower(key: tuple[str, str], week: int) -> None:
        if week <= T - 1 and week < earliest.get(key, NEVER):
            earliest[key] = week

    for stock in sc.inventory:
        if stock.quantity > 0:
            lower((stock.site, stock.item), 0)
    for rec in sc.receipts:
        lower((rec.site, rec.item), rec.week)
    for sup in sc.suppliers:
        for offer in sup.offers:
            t0 = next((t for t in range(offer.available_from_week, T)
                       if offer.capacity(t) > 0), None)
            if t0 is None:
                continue
            for site in used_at.get(offer.item, ()):
                lower((site, offer.item), t0 + offer.lead_time_weeks)
    return earliest


def _shipment_reach(earliest: dict[tuple[str, str], int], used_at: dict[str, set[str]]
                    ) -> list[tuple[str, str, int]]:
    """(destination, item, earliest departure) for every site using an item held
    elsewhere: the earliest of the item's two earliest holders that is not the site."""
    best: dict[str, list[tuple[int, str]]] = {}
    for (site, item), week in earliest.items():
        best.setdefault(item, []).append((week, site))
    out = []
    for item, holders in best.items():
        two = sorted(holders)[:2]
        for dest in used_at.get(item, ()):
            first = next((w for w, src in two if src != dest), None)
            if first is not None:
                out.append((dest, item, first))
    return out


def lanes(d: ModelData, used_at: dict[str, set[str]], producers: dict[str, set[str]]) -> None:
    """Purchase lanes, shipment lanes (with their unit costs) or, with free transport, the
    shipment pool's origins and destinations."""
    sc, T, earliest = d.sc, d.T, d.earliest
    # Purchase lanes: to the sites that use the item (buying elsewhere and shipping is
    # never cheaper nor sooner: delivery to any site is included in the price).
    for sup in sc.suppliers:
        for offer in sup.offers:
            for site in sorted(used_at.get(offer.item, ())):
                if (site, offer.item) in earliest:
                    d.buy_lanes.append((sup.id, offer.item, site))

    # Shipment lanes: from sites where the item is made or stocked, to other sites using
    # it. Shipping a bought item is never better than buying for the destination, and by
    # the triangle inequality a direct lane is never worse than a relay.
    sites = sc.by_id("sites")
    tau = sc.transport.lead_time_weeks
    stocked = {(s.site, s.item) for s in sc.inventory if s.quantity > 0}
    stocked |= {(r.site, r.item) for r in sc.receipts}
    cost_lanes = []
    weight = {it.id: it.weight_kg for it in sc.items}
    d.pooled = sc.transport.cost_per_kg_km == 0
    for item in sorted(used_at):
        origins = [src for src in sorted(producers.get(item, set())
                                         | {s for (s, i) in stocked if i == item})
                   if earliest.get((src, item), NEVER) + tau <= T - 1]
        users = sorted(used_at[item])
        if d.pooled:
            # Free transport with one lead time: which origin feeds which user does not
            # matter, so shipments leave origins into a pool and reach users from it
            # (origins + users variables per week instead of origins x users).
            d.pool_out += [(item, a) for a in origins if any(z != a for z in users)]
            d.pool_in += [(item, z) for z in users if any(a != z for a in origins)]
            continue
        for src in origins:
            for dst in users:
                if dst != src:
                    d.ship_lanes.append((item, src, dst))
                    a, b = sites[src], sites[dst]
                    km = haversine_km(a.lat, a.lon, b.lat, b.lon)
                    cost_lanes.append(weight[item] * km * sc.transport.cost_per_kg_km)
    d.ship_cost = np.array(cost_lanes, dtype=float)
