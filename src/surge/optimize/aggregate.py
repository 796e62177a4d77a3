"""Purchases pooled per offer: one order per (offer, week), arrivals per (item, site, week).

A purchase lane ``(supplier, item, site)`` per week grows with offers times sites (62% of
the columns of a 1,000-line model). The price and the capacity of an offer do not depend on
the site it delivers to, so the model only needs to know how much is ordered from each
offer in each week and how much of each item arrives at each site in each week:

    order[o, t]        units ordered from offer o in week t           (capacity, price, origin)
    arrive[(i, s), t]  units of item i bought for site s, arriving in week t
    sum_{o of i} order[o, t - lead_o] = sum_s arrive[(i, s), t]      (purchase-balance)

Any split of the orders arriving in week ``t`` over the sites is a set of per-site
purchases with the same cost, capacity use and origin shares, so the pooled model has the
same optimum as the per-lane one (docs/model.md, "Pooled purchases"). After the solve,
:func:`split_purchases` matches each week's orders to the sites in id order.
"""

from __future__ import annotations

from dataclasses import dataclass

import linopy
import numpy as np

from surge.optimize.data import ModelData
from surge.optimize.terms import Terms
from surge.plan.model import EPS_QUANTITY

ROUND_DECIMALS = 7  # as the rest of the read-back (solve.py)


@dataclass
class Purchases:
    """Pooled purchase variables: labels by (offer, week) and by (item, site, week)."""

    offers: list[tuple[str, str]]    # (supplier, item), each with at least one site
    arrivals: list[tuple[str, str]]  # (item, site) a purchase can be delivered to
    order: np.ndarray                # (offer, week) labels, -1 where no variable
    arrive: np.ndarray               # (arrival, week) labels, by arrival week
    lead: np.ndarray                 # (offer,) lead time [weeks]
    price: np.ndarray                # (offer,) unit price [currency/unit]


def purchase_sets(d: ModelData) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The offers with a site to deliver to, and the (item, site) pairs they deliver to."""
    offers = sorted({(s, i) for s, i, _ in d.buy_lanes})
    arrivals = sorted({(i, site) for _, i, site in d.buy_lanes})
    return offers, arrivals


def define_purchase_variables(m: linopy.Model, d: ModelData) -> Purchases:
    """``order`` where the offer has capacity and the order arrives within the horizon;
    ``arrive`` in every week some offer of the item can arrive in."""
    T = d.T
    offers, arrivals = purchase_sets(d)
    lead = np.array([d.offers[k].lead_time_weeks for k in offers], dtype=int)
    price = np.array([d.offers[k].unit_price for k in offers], dtype=float)
    order_mask = np.zeros((len(offers), T), dtype=bool)
    can_arrive: dict[str, np.ndarray] = {}
    for j, key in enumerate(offers):
        o = d.offers[key]
        for t in range(o.available_from_week, T - o.lead_time_weeks):
            order_mask[j, t] = o.capacity(t) > 0
        arr = can_arrive.setdefault(key[1], np.zeros(T, dtype=bool))
        arr[np.nonzero(order_mask[j])[0] + o.lead_time_weeks] = True
    arrive_mask = np.array([can_arrive[i] for i, _ in arrivals], dtype=bool).reshape(-1, T)
    weeks = np.arange(T)
    none = np.full((0, T), -1, dtype=np.int64)
    order = m.add_variables(lower=0, coords=[[f"{s}/{i}" for s, i in offers], weeks],
                            dims=["offer", "week"], mask=order_mask,
                            name="buy") if offers else None
    arrive = m.add_variables(lower=0, coords=[[f"{i}/{s}" for i, s in arrivals], weeks],
                             dims=["arrival", "week"], mask=arrive_mask,
                             name="buy-arrive") if arrivals else None
    return Purchases(offers=offers, arrivals=arrivals,
                     order=order.labels.values if order is not None else none,
                     arrive=arrive.labels.values if arrive is not None else none,
                     lead=lead, price=price)


def add_arrivals(p: Purchases, d: ModelData, bal: Terms) -> None:
    """Purchases arriving at each stock node, into the stock balance (by arrival week)."""
    if not p.arrivals:
        return
    to = np.array([d.node_index[(site, item)] for item, site in p.arrivals])
    bal.add(p.arrive, -1.0, to[:, None], np.arange(d.T)[None, :])


def define_purchase_balance(m: linopy.Model, d: ModelData, p: Purchases) -> None:
    """Per item and arrival week: units ordered (placed ``lead`` weeks before) = units
    arriving at the sites."""
    if not p.offers:
        return
    T = d.T
    items = sorted({i for _, i in p.offers})
    ii = {i: n for n, i in enumerate(items)}
    rows = Terms({"item": items, "week": range(T)})
    weeks = np.arange(T)[None, :]
    offer_item = np.array([ii[i] for _, i in p.offers])[:, None]
    arrival = weeks + p.lead[:, None]
    order = np.where(arrival <= T - 1, p.order, -1)  # masked already; keeps cells in range
    rows.add(order, 1.0, offer_item, np.minimum(arrival, T - 1))
    rows.add(p.arrive, -1.0, np.array([ii[i] for i, _ in p.arrivals])[:, None], weeks)
    m.add_constraints(rows.expression(m) == 0, name="purchase-balance",
                      mask=rows.array(rows.count() > 0, bool))


def split_purchases(d: ModelData, p: Purchases, x: np.ndarray) -> list[dict]:
    """Per-site purchase rows from a pooled solution ``x`` (by variable label).

    For each item and arrival week, the orders arriving then (offers in id order) are
    matched to the sites' arrivals (sites in id order). A purchase is placed ``lead`` weeks
    before it arrives; quantities are rounded as the rest of the plan.
    """
    if not p.offers:
        return []
    T = d.T

    def values(labels: np.ndarray) -> np.ndarray:
        out = np.where(labels >= 0, x[np.clip(labels, 0, None)], 0.0)
        return np.clip(np.nan_to_num(out, nan=0.0), 0.0, None)

    order, arrive = values(p.order), values(p.arrive)
    rows: dict[tuple[str, str, str, int], float] = {}
    for item in sorted({i for _, i in p.offers}):
        offs = [j for j, (_, i) in enumerate(p.offers) if i == item]
        sites = [j for j, (i, _) in enumerate(p.arrivals) if i == item]
        for ta in range(T):
            senders = [j for j in offs if ta - p.lead[j] >= 0 and order[j, ta - p.lead[j]] > 0]
            left = [float(order[j, ta - p.lead[j]]) for j in senders]
            n = 0
            for j in sites:
                need = float(arrive[j, ta])
                while need > 1e-12 and n < len(senders):
                    q = min(need, left[n])
                    sup, _ = p.offers[senders[n]]
                    key = (sup, item, p.arrivals[j][1], ta - int(p.lead[senders[n]]))
                    rows[key] = rows.get(key, 0.0) + q
                    need -= q
                    left[n] -= q
                    if left[n] <= 1e-12:
                        n += 1
    out = []
    for (sup, item, site, t), q in sorted(rows.items()):
        q = round(q, ROUND_DECIMALS)
        if q >= EPS_QUANTITY:
            out.append({"supplier": sup, "item": item, "site": site, "week": t,
                        "arrival_week": t + d.offers[(sup, item)].lead_time_weeks,
                        "quantity": q})
    return out
