"""The planning MILP, one function per family of constraints (see docs/model.md).

Reading :func:`create_model` tells the whole model::

    define_variables        act, prod, buy, ship, deliver, backlog, stock
    define_activation       act is cumulative ("activated by week t"); one option per line
    define_capacity         hours of each line option <= hours it offers (lead, ramp-up)
    define_material_balance stock per site, item and week
    define_supply           units ordered per offer and week <= supplier capacity
    define_demand           deliveries <= total due; backlog >= due - delivered
    define_policy           organisation share, restricted origins, budget
    define_objective        the expressions S and C (the stages pick the objective)
    define_strengthening    valid inequalities that tighten the relaxation
"""

from __future__ import annotations

from dataclasses import dataclass

import linopy
import numpy as np

from surge.optimize.aggregate import (
    Purchases,
    add_arrivals,
    define_purchase_balance,
    define_purchase_variables,
)
from surge.optimize.data import NEVER, ModelData
from surge.optimize.terms import Terms
from surge.scenario.due import due_matrix
from surge.scenario.model import Scenario

IDLE_OUTPUT = 1e-9        # an option making at most this in total makes nothing [units]


@dataclass
class Built:
    """A built model and the label arrays needed to read a solution back."""

    m: linopy.Model
    d: ModelData
    act: np.ndarray      # (option, week) labels, -1 where no variable
    prod: np.ndarray     # (operation, option, week)
    buy: np.ndarray      # (offer, week): units ordered (pooled purchases, aggregate.py)
    ship: np.ndarray     # (ship_lane, week)
    ship_out: np.ndarray  # (pool_out, week): pooled shipments leaving (free transport)
    ship_in: np.ndarray   # (pool_in, week): pooled shipments bound for a site, by departure week
    deliver: np.ndarray  # (demand, week)
    backlog: np.ndarray  # (demand, week)
    stock: np.ndarray    # (node, week)
    hours_per_good: np.ndarray  # (operation,) line hours per good unit [h/unit]
    service: Terms | None = None  # S as a scalar sum of terms
    cost: Terms | None = None     # C as a scalar sum of terms
    cost_constant: float = 0.0    # the part of C no plan can change (committed lines) [cur]
    purchases: Purchases | None = None  # pooled purchase variables (aggregate.py)


def create_model(d: ModelData, *, relax_policy: frozenset[str] = frozenset()) -> Built:
    """Build the model of ``d``; ``relax_policy`` leaves out some policy families
    (``"budget"``, ``"organization-share"``, ``"restricted-origins"``), used to find
    which rule makes a scenario infeasible."""
    m = linopy.Model(force_dim_names=True)
    b = define_variables(m, d)
    define_activation(b)
    define_capacity(b)
    define_shipment_pool(b)
    if b.purchases is not None and d.nodes:
        define_purchase_balance(m, d, b.purchases)  # pooled purchases (aggregate.py)
    define_material_balance(b)
    define_supply(b)
    define_demand(b)
    define_objective(b)
    define_strengthening(b)
    define_policy(b, relax_policy)
    return b


# --- variables -------------------------------------------------------------------------


def define_variables(m: linopy.Model, d: ModelData) -> Built:
    sc, T = d.sc, d.T
    weeks = np.arange(T)
    K, P = len(d.opt_id), len(d.ops)
    options = d.option_names

    act_mask = (weeks[None, :] >= d.opt_est[:, None]) & (weeks[None, :] <= d.opt_last[:, None])
    act = m.add_variables(binary=True, coords=[options, weeks], dims=["option", "week"],
                          mask=act_mask, name="act") if K else None

    ops = sc.operations
    hours_per_good = np.array([op.hours_per_unit / op.yield_ for op in ops])
    prod_mask = np.zeros((P, K, T), dtype=bool)
    for p, op in enumerate(ops):
        for k in range(K):
            if op.capability not in d.opt_caps[k]:
                continue
            site = d.opt_site[k]
            ready = [d.earliest.get((site, i), NEVER) for i in op.consumes]
            first = max([int(d.opt_first[k])] + ready)
            last = T - 1 - op.lead_time_weeks
            if first <= last:
                prod_mask[p, k, first:last + 1] = True
    prod = m.add_variables(lower=0, coords=[d.ops, options, weeks],
                           dims=["operation", "option", "week"], mask=prod_mask,
                           name="prod") if K and P else None
    purchases = define_purchase_variables(m, d)

    tau = sc.transport.lead_time_weeks
    ship_first = np.array([d.earliest[(src, item)] for item, src, _ in d.ship_lanes], dtype=int)
    ship_mask = (weeks[None, :] >= ship_first[:, None]) & (weeks[None, :] + tau <= T - 1)
    ship = m.add_variables(lower=0, coords=[[f"{i}/{a}/{z}" for i, a, z in d.ship_lanes], weeks],
                           dims=["ship_lane", "week"], mask=ship_mask,
                           name="ship") if d.ship_lanes else None

    pool_first: dict[str, int] = {}
    for item, src in d.pool_out:
        pool_first[item] = min(pool_first.get(item, NEVER), d.earliest[(src, item)])
    out_first = np.array([d.earliest[(a, i)] for i, a in d.pool_out], dtype=int)
    ship_out = m.add_variables(
        lower=0, coords=[[f"{i}/{a}" for i, a in d.pool_out], weeks], dims=["pool_out", "week"],
        mask=(weeks[None, :] >= out_first[:, None]) & (weeks[None, :] + tau <= T - 1),
        name="ship-out") if d.pool_out else None
    in_first = np.array([pool_first.get(i, NEVER) for i, _ in d.pool_in], dtype=int)
    ship_in = m.add_variables(
        lower=0, coords=[[f"{i}/{z}" for i, z in d.pool_in], weeks], dims=["pool_in", "week"],
        mask=(weeks[None, :] >= in_first[:, None]) & (weeks[None, :] + tau <= T - 1),
        name="ship-in") if d.pool_in else None

    dem_ids = [x.id for x in sc.demands]
    dem_first = np.array([d.earliest.get((x.site, x.item), NEVER) for x in sc.demands])
    deliver = m.add_variables(lower=0, coords=[dem_ids, weeks], dims=["demand", "week"],
                              mask=weeks[None, :] >= dem_first[:, None], name="deliver")
    backlog = m.add_variables(lower=0, coords=[dem_ids, weeks], dims=["demand", "week"],
                              name="backlog")
    node_first = np.array([d.earliest[n] for n in d.nodes], dtype=int)
    stock = m.add_variables(lower=0, coords=[[f"{s}/{i}" for s, i in d.nodes], weeks],
                            dims=["node", "week"], mask=weeks[None, :] >= node_first[:, None],
                            name="stock") if d.nodes else None

    def labels(var: linopy.Variable | None, shape: tuple[int, ...]) -> np.ndarray:
        return var.labels.values if var is not None else np.full(shape, -1, dtype=np.int64)

    return Built(
        m=m, d=d,
        act=labels(act, (K, T)), prod=labels(prod, (P, K, T)),
        buy=purchases.order, ship=labels(ship, (len(d.ship_lanes), T)),
        ship_out=labels(ship_out, (len(d.pool_out), T)),
        ship_in=labels(ship_in, (len(d.pool_in), T)),
        deliver=deliver.labels.values, backlog=backlog.labels.values,
        stock=labels(stock, (len(d.nodes), T)), hours_per_good=hours_per_good,
        purchases=purchases,
    )


# --- constraints -----------------------------------------------------------------------


def define_activation(b: Built) -> None:
    """``act[k, t] >= act[k, t-1]`` and at most one option activated per line."""
    d, m = b.d, b.m
    if not len(d.opt_id):
        return
    prev = np.full_like(b.act, -1)
    prev[:, 1:] = b.act[:, :-1]
    mono = Terms({"option": d.option_names, "week": range(d.T)})
    k, t = np.indices(b.act.shape)
    has_prev = (b.act >= 0) & (prev >= 0)
    mono.add(np.where(has_prev, b.act, -1), 1.0, k, t)
    mono.add(np.where(has_prev, prev, -1), -1.0, k, t)
    m.add_constraints(mono.expression(m) >= 0, name="activation-cumulative",
                      mask=mono.array(has_prev, bool))

    lines = sorted(set(d.opt_line))
    line_index = {line: i for i, line in enumerate(lines)}
    once = Terms({"line": lines})
    last_labels = b.act[np.arange(len(d.opt_id)), d.opt_last]
    once.add(last_labels, 1.0, np.array([line_index[x] for x in d.opt_line]))
    several = once.count() > 1
    if several.any():
        m.add_constraints(once.expression(m) <= 1, name="activation-once",
                          mask=once.array(several, bool))


def offered_hours_coefficients(d: ModelData) -> np.ndarray:
    """``c[k, t, s]``: hours offered by option ``k`` in week ``t`` per unit of ``act[k, s]``.

    With cumulative activation ``A(s)`` and start ``A(s) - A(s-1)``, the hours offered in
    week ``t`` are ``H * sum_s start(s) * ramp(t - s - lead)``; regrouping by ``A(s)``
    gives ``H * (ramp(t-s-lead) - ramp(t-s-1-lead))`` for ``s < last`` and
    ``H * ramp(t-last-lead)`` for the last start week (no start is possible after it).
    """
    K, T = len(d.opt_id), d.T
    table = np.ones((K, T + 2))  # ramp(j) for j = -1 .. T (index j + 1)
    table[:, 0] = 0.0
    for k, shares in enumerate(d.opt_ramp):
        n = min(len(shares), T)
        table[k, 1:n + 1] = shares[:n]
    t = np.arange(T)[None, :, None]
    s = np.arange(T)[None, None, :]
    j = t - s - d.opt_lead[:, None, None]  # (K, T, T)
    ks = np.arange(K)[:, None, None]

    def ramp(jj: np.ndarray) -> np.ndarray:
        return np.where(jj < 0, 0.0, table[ks, np.clip(jj, -1, T) + 1])

    last = d.opt_last[:, None, None]
    coef = ramp(j) - np.where(s < last, ramp(j - 1), 0.0)
    valid = (s >= d.opt_est[:, None, None]) & (s <= last)
    return np.where(valid, coef, 0.0) * d.opt_hours[:, None, None]


def define_capacity(b: Built) -> None:
    """Per line option and week: hours used by all operations <= hours offered.

    Production variables exist per option, and only for options with the operation's
    capability, so this one family holds both rules of the format: hours per capability
    and in total, on the option that is activated (the others offer no hours).
    """
    d, m = b.d, b.m
    K, T = len(d.opt_id), d.T
    if not K:
        return
    cap = Terms({"option": d.option_names, "week": range(T)})
    p, k, t = np.indices(b.prod.shape)
    cap.add(b.prod, b.hours_per_good[p], k, t)
    coef = offered_hours_coefficients(d)
    k3, t3, s3 = np.indices(coef.shape)
    cap.add(b.act[k3, s3], -coef, k3, t3)
    used = (b.prod >= 0).any(axis=0)
    m.add_constraints(cap.expression(m) <= cap.array(d.committed_hours), name="line-hours",
                      mask=cap.array(used, bool))


def define_material_balance(b: Built) -> None:
    """Stock at the end of week t = stock at t-1 + arrivals - departures, never < 0."""
    d, m, sc, T = b.d, b.m, b.d.sc, b.d.T
    if not d.nodes:
        return
    ni = d.node_index
    bal = Terms({"node": [f"{s}/{i}" for s, i in d.nodes], "week": range(T)})
    n_idx, t_idx = np.indices(b.stock.shape)
    bal.add(b.stock, 1.0, n_idx, t_idx)
    prev = np.full_like(b.stock, -1)
    prev[:, 1:] = b.stock[:, :-1]
    bal.add(prev, -1.0, n_idx, t_idx)

    weeks = np.arange(T)
    for p, op in enumerate(sc.operations):
        out_node = np.array([ni.get((site, op.produces), -1) for site in d.opt_site])
        bal.add(b.prod[p], -1.0, out_node[:, None], weeks[None, :] + op.lead_time_weeks)
        for item, qty in op.consumes.items():
            in_node = np.array([ni.get((site, item), -1) for site in d.opt_site])
            bal.add(b.prod[p], qty / op.yield_, in_node[:, None], weeks[None, :])
    assert b.purchases is not None
    add_arrivals(b.purchases, d, bal)
    tau = sc.transport.lead_time_weeks
    if d.ship_lanes:
        src = np.array([ni[(a, item)] for item, a, _ in d.ship_lanes])
        dst = np.array([ni[(z, item)] for item, _, z in d.ship_lanes])
        bal.add(b.ship, -1.0, dst[:, None], weeks[None, :] + tau)
        bal.add(b.ship, 1.0, src[:, None], weeks[None, :])
    if d.pool_out:
        src = np.array([ni[(a, item)] for item, a in d.pool_out])
        bal.add(b.ship_out, 1.0, src[:, None], weeks[None, :])
    if d.pool_in:
        dst = np.array([ni[(z, item)] for item, z in d.pool_in])
        bal.add(b.ship_in, -1.0, dst[:, None], weeks[None, :] + tau)
    for j, dem in enumerate(sc.demands):
        node = ni.get((dem.site, dem.item), -1)
        bal.add(b.deliver[j], 1.0, node, weeks)

    rhs = d.receipts.copy()  # receipts arrive whatever the plan does
    for stock in sc.inventory:
        if (stock.site, stock.item) in ni:
            rhs[ni[(stock.site, stock.item)], 0] += stock.quantity
    m.add_constraints(bal.expression(m) == bal.array(rhs), name="stock-balance",
                      mask=bal.array(b.stock >= 0, bool))


def define_shipment_pool(b: Built) -> None:
    """Free transport: per item and week, units leaving origins = units bound for users."""
    d, m, T = b.d, b.m, b.d.T
    if not d.pool_out or not d.pool_in:
        return
    items = sorted({i for i, _ in d.pool_out} | {i for i, _ in d.pool_in})
    ii = {i: n for n, i in enumerate(items)}
    pool = Terms({"item": items, "week": range(T)})
    weeks = np.arange(T)[None, :]
    pool.add(b.ship_out, 1.0, np.array([ii[i] for i, _ in d.pool_out])[:, None], weeks)
    pool.add(b.ship_in, -1.0, np.array([ii[i] for i, _ in d.pool_in])[:, None], weeks)
    m.add_constraints(pool.expression(m) == 0, name="shipment-pool",
                      mask=pool.array(pool.count() > 0, bool))


def define_supply(b: Built) -> None:
    """Units ordered from one offer in week t, over all sites, <= its capacity."""
    d, m, T = b.d, b.m, b.d.T
    if b.purchases is None or not b.purchases.offers:
        return
    offer_keys = b.purchases.offers
    sup = Terms({"offer": [f"{s}/{i}" for s, i in offer_keys], "week": range(T)})
    sup.add(b.buy, 1.0, np.arange(len(offer_keys))[:, None], np.arange(T)[None, :])
    cap = np.array([[d.offers[key].capacity(t) for t in range(T)] for key in offer_keys])
    m.add_constraints(sup.expression(m) <= sup.array(cap), name="supplier-capacity",
                      mask=sup.array(sup.count() > 0, bool))


def define_demand(b: Built) -> None:
    """Total delivered <= total due; backlog(t) >= due up to t - delivered up to t."""
    m, sc, T = b.m, b.d.sc, b.d.T
    D = len(sc.demands)
    ids = [x.id for x in sc.demands]
    total = Terms({"demand": ids})
    dd, tt = np.indices(b.deliver.shape)
    total.add(b.deliver, 1.0, dd)
    totals = np.array([x.total for x in sc.demands])
    m.add_constraints(total.expression(m) <= total.array(totals), name="delivery-total",
                      mask=total.array(total.count() > 0, bool))

    due = due_matrix(sc)
    back = Terms({"demand": ids, "week": range(T)})
    back.add(b.backlog, 1.0, dd, tt)
    t_cell, t_term = np.triu_indices(T)  # delivered in week t_cell counts for weeks >= it
    back.add(b.deliver[:, t_cell], 1.0, np.arange(D)[:, None], t_term[None, :])
    m.add_constraints(back.expression(m) >= back.array(np.cumsum(due, axis=1)), name="backlog")


def define_objective(b: Built) -> None:
    """The service ``S`` and cost ``C`` of the format, kept as sums of terms.

    They are not constraints: each stage sets its objective from them, and the cost stage
    adds one row ``S <= S*``. (Defining rows ``service == S``, ``cost == C`` made HiGHS's
    LP markedly slower: the cost row touches nearly every column.)
    """
    sc, T = b.d.sc, b.d.T
    s_terms = Terms({})
    weights = np.array([x.weight for x in sc.demands])
    unmet = np.array([x.unmet_weeks for x in sc.demands], dtype=float)
    s_terms.add(b.backlog, weights[:, None], 0)
    s_terms.add(b.backlog[:, T - 1], weights * unmet, 0)
    b.service = s_terms
    b.cost = cost_terms(b)
    b.cost_constant = committed_cost(b.d)


def committed_cost(d: ModelData) -> float:
    """Weekly cost of committed lines for weeks ``max(0, ready) .. T-1`` [currency].

    Their fixed cost is spent already and not part of ``C``; no plan changes this part.
    """
    weeks = np.maximum(0, d.T - np.maximum(0, d.opt_ready))
    return float(np.sum(np.where(d.opt_committed, d.opt_weekly * weeks, 0.0)))


def useful_output(sc: Scenario) -> dict[str, float]:
    """An upper bound on the good units of each item any optimal plan needs [units].

    Demanded units, plus what every operation consuming the item would use if it alone
    made all of its own output's bound. Output beyond it is never needed (inventory only
    lowers the need), so a plan never has to make more.
    """
    demand: dict[str, float] = {}
    for dm in sc.demands:
        demand[dm.item] = demand.get(dm.item, 0.0) + dm.total
    users: dict[str, list] = {}
    for op in sc.operations:
        for item in op.consumes:
            users.setdefault(item, []).append(op)
    memo: dict[str, float] = {}

    def need(root: str) -> float:
        stack = [root]  # without recursion: a bill of materials may be 1,000s of levels deep
        while stack:
            item = stack[-1]
            if item in memo:
                stack.pop()
                continue
            pending = [op.produces for op in users.get(item, []) if op.produces not in memo]
            if pending:
                stack.extend(pending)
                continue
            memo[item] = demand.get(item, 0.0) + sum(
                memo[op.produces] * op.consumes[item] / op.yield_ for op in users.get(item, []))
            stack.pop()
        return memo[root]

    return {it.id: need(it.id) for it in sc.items}


def define_strengthening(b: Built) -> None:
    """Tie each option's total output of an operation to its activation.

    ``sum_t prod[p, k, t] <= U_p * act[k, last_k]`` with ``U_p`` the useful output of
    ``p``'s item (:func:`useful_output`) or what the option could make in the whole
    horizon, whichever is smaller. Valid for some optimal plan; it makes the relaxation
    pay the fixed cost of a line in proportion to the share of the need it covers,
    instead of the share of its hours.
    """
    d, m, sc = b.d, b.m, b.d.sc
    K, P = len(d.opt_id), len(d.ops)
    if not K or not P:
        return
    need = useful_output(sc)
    has = (b.prod >= 0).any(axis=2) & ~d.opt_committed[None, :]  # (P, K); committed: no act
    rows = Terms({"operation": d.ops, "option": d.option_names})
    grid: np.ndarray = np.indices(b.prod.shape)  # (3, P, K, W): the index of each cell
    p_idx, k_idx = grid[0], grid[1]
    rows.add(b.prod, 1.0, p_idx, k_idx)
    span = np.maximum(0, d.T - d.opt_est - d.opt_lead)  # weeks the option can work
    bound = np.zeros((P, K))
    for p, op in enumerate(sc.operations):
        bound[p] = np.minimum(need[op.produces], d.opt_hours * span / b.hours_per_good[p])
    last: np.ndarray = b.act[np.arange(K), d.opt_last]
    rows.add(np.broadcast_to(last[None, :], (P, K)), -bound, p_idx[:, :, 0], k_idx[:, :, 0])
    m.add_constraints(rows.expression(m) <= 0, name="production-activation",
                      mask=rows.array(has, bool))


def cost_terms(b: Built, parts: tuple[str, ...] = ("activation", "operating", "purchase",
                                                     "transport")) -> Terms:
    """Terms of the cost ``C`` (or of some of its parts) as a scalar sum."""
    d = b.d
    c = Terms({})
    K = len(d.opt_id)
    if K and "activation" in parts:
        # fixed + weekly * (T - ready): with cumulative act, weekly is paid once for every
        # week in which the option is activated (up to its last start) and fixed once.
        c.add(b.act[np.arange(K), d.opt_last], d.opt_fixed, 0)
        c.add(b.act, d.opt_weekly[:, None], 0)
    if K and len(d.ops) and "operating" in parts:
        c.add(b.prod, b.hours_per_good[:, None, None] * d.opt_cph[None, :, None], 0)
    if b.purchases is not None and b.purchases.offers and "purchase" in parts:
        c.add(b.buy, b.purchases.price[:, None], 0)
    if d.ship_lanes and "transport" in parts:
        c.add(b.ship, d.ship_cost[:, None], 0)
    return c


def define_policy(b: Built, relax: frozenset[str] = frozenset()) -> None:
    """Budget, share of one organisation in each demanded item, restricted origins."""
    d, m, sc = b.d, b.m, b.d.sc
    pol = sc.policy
    if pol.budget is not None and "budget" not in relax:
        assert b.cost is not None
        m.add_constraints(b.cost.expression(m) <= pol.budget - b.cost_constant,
                          name="policy-budget")

    share = pol.max_share_per_organization
    if share is not None and share < 1 and "organization-share" not in relax and len(d.opt_id):
        org_of_site = {s.id: s.organization for s in sc.sites}
        orgs = sorted(set(org_of_site.values()))
        items = sorted({x.item for x in sc.demands})
        oi, ii = {o: n for n, o in enumerate(orgs)}, {i: n for n, i in enumerate(items)}
        # output[i] = good output of item i over all lines and weeks (one row per item),
        # then per organisation: its output of i <= share * output[i].
        output = m.add_variables(lower=0, coords=[items], dims=["item"], name="item-output")
        out_labels = output.labels.values
        total = Terms({"item": items})
        terms = Terms({"item": items, "organization": orgs})
        opt_org = np.array([oi[org_of_site[s]] for s in d.opt_site])
        for p, op in enumerate(sc.operations):
            if op.produces not in ii:
                continue
            i = ii[op.produces]
            total.add(b.prod[p], 1.0, i)
            terms.add(b.prod[p], 1.0, i, opt_org[:, None])
        total.add(out_labels, -1.0, np.arange(len(items)))
        m.add_constraints(total.expression(m) == 0, name="item-output-definition")
        g_all = np.arange(len(orgs))
        terms.add(out_labels[:, None], -share, np.arange(len(items))[:, None], g_all[None, :])
        has = _org_has_production(b, items, orgs, opt_org)
        if has.any():
            m.add_constraints(terms.expression(m) <= 0, name="policy-organization-share",
                              mask=terms.array(has, bool))

    ro = pol.restricted_origins
    offers = b.purchases.offers if b.purchases is not None else []
    if ro is not None and ro.max_share < 1 and "restricted-origins" not in relax and offers:
        country = {s.id: s.country for s in sc.suppliers}
        restricted = set(ro.countries)
        items = sorted({i for _, i in offers})
        ii = {i: n for n, i in enumerate(items)}
        terms = Terms({"item": items})
        lane_item = np.array([ii[i] for _, i in offers])
        is_r = np.array([country[s] in restricted for s, _ in offers])
        terms.add(b.buy, (is_r.astype(float) - ro.max_share)[:, None], lane_item[:, None])
        has_r = np.zeros(len(items), bool)
        has_r[np.unique(lane_item[is_r & (b.buy >= 0).any(axis=1)])] = True
        if has_r.any():
            m.add_constraints(terms.expression(m) <= 0, name="policy-restricted-origins",
                              mask=terms.array(has_r, bool))


def _org_has_production(b: Built, items: list[str], orgs: list[str],
                        opt_org: np.ndarray) -> np.ndarray:
    has = np.zeros((len(items), len(orgs)), bool)
    ii = {i: n for n, i in enumerate(items)}
    for p, op in enumerate(b.d.sc.operations):
        if op.produces in ii:
            for k in np.nonzero((b.prod[p] >= 0).any(axis=1))[0]:
                has[ii[op.produces], opt_org[k]] = True
    return has


def drop_idle_options(b: Built, x: np.ndarray) -> np.ndarray:
    """``x`` with every activated option that makes nothing switched off (still feasible,
    same S, lower C): the service stage has no reason to leave idle lines off."""
    x = x.copy()
    prod = np.where(b.prod >= 0, x[np.clip(b.prod, 0, None)], 0.0)
    idle = prod.sum(axis=(0, 2)) <= IDLE_OUTPUT
    for k in np.nonzero(idle)[0]:
        labels = b.act[k]
        x[labels[labels >= 0]] = 0.0
    return x
