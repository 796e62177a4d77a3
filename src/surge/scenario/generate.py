"""Synthetic but meaningful scenarios of any size, for tests and benchmarks.

The product is always the same small electric fixed-wing airframe (a 4-level bill of
materials of 25 items, with alternative operations on other capabilities); what grows with
the number of lines is the industry around it: lines, then sites and organisations across
Europe, then suppliers, more slowly. Items and capabilities do not grow, so the model stays
tractable. Demands are sized from an upper bound on what the lines could make, so that
roughly half of the lines are needed and the choice of lines matters.

Everything random comes from one ``numpy.random.default_rng(seed)``, drawn in a fixed order:
the same arguments always give the same document, byte for byte once written.

>>> doc = generate(lines=5, weeks=12, seed=1)
>>> len(doc["lines"]), doc["weeks"]
(5, 12)
>>> from surge.scenario import validate
>>> validate(doc)[1]
[]
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from surge.errors import InputError
from surge.scenario.catalogue import (
    CAPABILITIES,
    CITIES,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    FAR_COUNTRIES,
    FAR_SHARE,
    FINAL,
    FIRST_KINDS,
    KINDS,
    LINE_RISKS,
    MADE,
    OPERATIONS,
    OPTION_KINDS,
    PURCHASED,
    RAMPS,
    SPARE,
    STEMS_A,
    STEMS_B,
    SUPPLIER_RISKS,
    SUPPLY,
)
from surge.scenario.ranges import MAX_WEEKS

LINES_RANGE = (5, 5000)
WEEKS_RANGE = (4, MAX_WEEKS)


def check_size(lines: int, weeks: int, seed: int) -> None:
    """Refuse sizes the generator does not make, with what it does make."""
    lo, hi = LINES_RANGE
    if isinstance(lines, bool) or not isinstance(lines, int) or not lo <= lines <= hi:
        raise InputError(f"--lines must be a whole number between {lo} and {hi}, got {lines!r}")
    lo, hi = WEEKS_RANGE
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not lo <= weeks <= hi:
        raise InputError(f"--weeks must be a whole number between {lo} and {hi}, got {weeks!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"--seed must be a whole number >= 0, got {seed!r}")


@dataclass
class _World:
    """What the generator has drawn so far, shared by the steps of :func:`generate`.

    Scalar draws come from a buffer of ``rng.random`` blocks: numpy's scalar calls cost
    microseconds each, and a 5,000-line scenario makes hundreds of thousands of them.
    """

    rng: np.random.Generator
    n_lines: int
    weeks: int
    items: list[dict[str, Any]] = field(default_factory=list)
    operations: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    kind_of: dict[str, str] = field(default_factory=dict)  # organization -> kind
    sites: list[dict[str, Any]] = field(default_factory=list)
    depots: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    suppliers: list[dict[str, Any]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    _buffer: list[float] = field(default_factory=list)

    def u(self) -> float:
        """A uniform number in [0, 1)."""
        if not self._buffer:
            self._buffer = self.rng.random(4096).tolist()[::-1]
        return self._buffer.pop()

    def chance(self, p: float) -> bool:
        return self.u() < p

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.u()

    def integer(self, lo: int, hi: int) -> int:
        """A whole number in ``lo..hi`` (both included)."""
        return lo + min(hi - lo, int(self.u() * (hi - lo + 1))) if hi > lo else lo

    def pick(self, seq: list[Any], weights: Any = None) -> Any:
        if weights is None:
            return seq[self.integer(0, len(seq) - 1)]
        r = self.u() * float(sum(weights))
        for x, wt in zip(seq, weights, strict=True):
            r -= wt
            if r < 0:
                return x
        return seq[-1]

    def sample(self, seq: list[Any], k: int, weights: Any = None) -> list[Any]:
        """``k`` distinct elements, in random order (weighted: Efraimidis-Spirakis keys)."""
        weights = [1.0] * len(seq) if weights is None else weights
        keys = [self.u() ** (1.0 / wt) for wt in weights]
        order = sorted(range(len(seq)), key=lambda i: (-keys[i], i))
        return [seq[i] for i in order[:k]]

    def unique(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``... if already used."""
        oid, k = base, 1
        while oid in self.ids:
            k += 1
            oid = f"{base}-{k}"
        self.ids.add(oid)
        return oid


def generate(lines: int, weeks: int = 26, seed: int = 0, *, policy: bool | None = None,
             uncertainty: bool | None = None) -> dict[str, Any]:
    """A synthetic scenario document (raw data, as read from a file).

    Parameters
    ----------
    lines
        Number of candidate lines, 5..5000 [lines].
    weeks
        Horizon, 4..520 [weeks].
    seed
        Seed of ``numpy.random.default_rng`` (>= 0); same arguments, same document.
    policy, uncertainty
        Whether to add a ``policy`` (``max_share_per_organization``) or an ``uncertainty``
        section (risk.md); ``None`` lets the seed decide.

    Raises
    ------
    InputError
        For a size out of range, saying which sizes are made.
    """
    check_size(lines, weeks, seed)
    w = _World(np.random.default_rng(seed), lines, weeks)
    start = dt.date(2026, 1, 5) + dt.timedelta(weeks=w.integer(0, 51))  # a Monday
    _product(w)
    _industry(w)
    _cover_capabilities(w)
    _supplier_structure(w)
    # Synthetic scenarios leave transport free (cost_per_kg_km 0): freight is a small share
    # of a programme's cost (about 1% in the demo), and with free transport the planner
    # pools shipments exactly (docs/model.md), which is what lets thousands of lines
    # across hundreds of sites be planned. The draw is kept so that seeds give the same
    # scenarios as before.
    w.uniform(0.0001, 0.0003)
    transport: dict[str, Any] = {"lead_time_weeks": 1, "cost_per_kg_km": 0.0}
    demands, volume, downstream = _demands(w, transport["lead_time_weeks"])
    _supplier_capacity(w, demands, downstream)
    doc: dict[str, Any] = {
        "surge": 1,
        "name": f"synthetic: {lines} lines, {weeks} weeks, seed {seed}",
        "start": start,
        "weeks": weeks,
        "currency": "EUR",
        "items": w.items,
        "operations": w.operations,
        "organizations": w.organizations,
        "sites": w.sites + w.depots,
        "lines": w.lines,
        "suppliers": w.suppliers,
        "demands": demands,
        "inventory": _inventory(w, volume),
        "transport": transport,
    }
    with_policy, with_uncertainty = w.chance(0.5), w.chance(0.6)
    if policy if policy is not None else with_policy:
        doc["policy"] = {"max_share_per_organization": round(w.uniform(0.5, 0.8), 2)}
    if uncertainty if uncertainty is not None else with_uncertainty:
        doc["uncertainty"] = _uncertainty(w)
    return doc


# --- steps ------------------------------------------------------------------------------


def _product(w: _World) -> None:
    """Items and operations: a fixed structure, numbers varied by the seed."""
    for iid, name, kg in [(i, n, kg) for i, n, kg, _p in PURCHASED] + MADE:
        w.items.append({"id": iid, "name": name, "weight_kg": round(kg * w.uniform(0.9, 1.1), 3)})
    for oid, produces, consumes, cap, hours, yld, lead in OPERATIONS:
        op: dict[str, Any] = {"id": oid, "produces": produces, "consumes": dict(consumes),
                              "capability": cap,
                              "hours_per_unit": round(hours * w.uniform(0.8, 1.25), 2)}
        if yld < 1:
            op["yield"] = round(min(0.995, yld * w.uniform(0.98, 1.02)), 3)
        if lead and w.chance(0.7):
            op["lead_time_weeks"] = lead
        w.operations.append(op)


def _capability_weights() -> dict[str, float]:
    """Hours per final unit on each capability, usual routes first [h/unit]."""
    need = _explode(alternative=False)
    out = {c: 0.0 for c in CAPABILITIES}
    usual = {item: next(op[0] for op in OPERATIONS if op[1] == item) for item, _n, _kg in MADE}
    for oid, produces, _c, cap, hours, yld, _l in OPERATIONS:
        out[cap] += need.get(produces, 0.0) * hours / yld * (1.0 if usual[produces] == oid else 0.5)
    return out


def _industry(w: _World) -> None:
    """Organisations, their sites across Europe, the candidate lines and their options."""
    n_orgs = max(3, round(w.n_lines / 8))
    n_sites = min(w.n_lines, max(n_orgs, round(w.n_lines / 3)))
    kinds = list(KINDS)
    freq = [KINDS[k][3] for k in kinds]
    homes = []
    for k in range(n_orgs):
        kind = FIRST_KINDS[k] if k < len(FIRST_KINDS) else w.pick(kinds, freq)
        word, short = KINDS[kind][0], KINDS[kind][1]
        stem = w.pick(STEMS_A) + w.pick(STEMS_B)
        oid = w.unique(f"{stem.lower()}-{short}")
        w.organizations.append({"id": oid, "name": f"{stem} {word}", "kind": kind})
        w.kind_of[oid] = kind
        homes.append(w.pick(COUNTRIES, COUNTRY_WEIGHTS))
    per_org = 1 + w.rng.multinomial(n_sites - n_orgs, w.rng.dirichlet(np.ones(n_orgs)))
    for org, home, count in zip(w.organizations, homes, per_org, strict=True):
        for _ in range(int(count)):
            country = home if w.chance(0.7) else w.pick(COUNTRIES, COUNTRY_WEIGHTS)
            w.sites.append(_site(w, org["id"], org["name"], country))
    agency = w.unique("procurement-agency")
    w.organizations.append({"id": agency, "name": "Procurement agency", "kind": "agency"})
    for _ in range(w.integer(1, 3)):
        country = w.pick(["FR", "DE", "PL", "IT", "ES"])
        w.depots.append(_site(w, agency, "Depot", country, prefix="depot"))
    weights = _capability_weights()
    per_site = 1 + w.rng.multinomial(w.n_lines - n_sites, w.rng.dirichlet(np.ones(n_sites) * 2))
    for site, count in zip(w.sites, per_site, strict=True):
        pool = KINDS[w.kind_of[site["organization"]]][2]
        for k in range(int(count)):
            w.lines.append(_line(w, f"{site['id']}-l{k + 1}", site["id"], pool, weights))


def _site(
    w: _World, org: str, org_name: str, country: str, prefix: str | None = None
) -> dict[str, Any]:
    city, lat, lon = w.pick(CITIES[country])
    slug = city.lower().replace(" ", "-")
    return {"id": w.unique(f"{prefix or org}-{slug}"), "name": f"{org_name} {city}",
            "organization": org, "country": country,
            "lat": round(lat + w.uniform(-0.05, 0.05), 4),
            "lon": round(lon + w.uniform(-0.07, 0.07), 4)}


def _line(
    w: _World, lid: str, site: str, pool: list[str], weights: dict[str, float]
) -> dict[str, Any]:
    base = math.exp(w.uniform(math.log(60), math.log(450)))  # [h/week]
    names = list(OPTION_KINDS)
    kinds = sorted(w.sample(names, w.pick([1, 2, 3], [0.35, 0.4, 0.25])), key=names.index)
    order = w.sample(pool, len(pool), [weights[c] + 0.05 for c in pool])
    lead_max = min(6, max(1, w.weeks // 4))
    options = []
    for kind in kinds:
        n_caps, factor, (cost_lo, cost_hi) = OPTION_KINDS[kind]
        hours = min(600, max(40, round(base * factor / 5) * 5))
        lo, hi = {"retool": (0, 2), "convert": (2, 4), "rebuild": (3, 6)}[kind]
        option: dict[str, Any] = {
            "id": kind, "capabilities": sorted(order[:n_caps]), "hours_per_week": int(hours),
            "lead_time_weeks": w.integer(min(lo, lead_max), min(hi, lead_max)),
            "fixed_cost": int(round(hours * w.uniform(cost_lo, cost_hi), -3)),
            "weekly_cost": int(round(hours * w.uniform(3, 10), -1)),
            "cost_per_hour": int(round(w.uniform(35, 75))),
            "ramp_up": list(RAMPS[w.integer(0, 3 if kind == "retool" else len(RAMPS) - 1)]),
        }
        if kind == "retool" and w.chance(0.05):  # already makes such parts today
            option.update(lead_time_weeks=0, fixed_cost=0, ramp_up=[])
        if w.chance(0.15):
            option["earliest_start_week"] = w.integer(1, min(6, w.weeks - 1))
        options.append(option)
    return {"id": w.unique(lid), "site": site, "options": options}


def _cover_capabilities(w: _World) -> None:
    """Give every capability to lines of three organisations at least, so that every
    operation can run and no organisation is the only one able to make an item (which a
    ``max_share_per_organization`` policy would turn into making none)."""
    org_of = {site["id"]: site["organization"] for site in w.sites}
    for cap in CAPABILITIES:
        able = {org_of[line["site"]] for line in w.lines
                if any(cap in o["capabilities"] for o in line["options"])}
        while len(able) < 3:
            others = [line for line in w.lines if org_of[line["site"]] not in able]
            line = w.pick(others)
            option = max(line["options"], key=lambda o: o["hours_per_week"])
            option["capabilities"] = sorted(option["capabilities"] + [cap])
            able.add(org_of[line["site"]])


def _supplier_structure(w: _World) -> None:
    """Suppliers, their countries, offers, prices, lead times; capacities come later."""
    n = 8 + w.n_lines // 20
    for k in range(n):
        category, goods = SUPPLY[k] if k < len(SUPPLY) else w.pick(SUPPLY)
        far = (w.chance(FAR_SHARE.get(category, 0.3)) or k in (2, 4)) and k != 0  # cells, motors
        country = w.pick(FAR_COUNTRIES) if far else w.pick(COUNTRIES, COUNTRY_WEIGHTS)
        stem = w.pick(STEMS_A) + w.pick(STEMS_B)
        sid = w.unique(f"{stem.lower()}-{category}")
        chosen = [g for g in goods if w.chance(0.8)] or [w.pick(goods)]
        offers = [_offer(w, item, far) for item in chosen]
        w.suppliers.append({"id": sid, "name": f"{stem} {category.replace('-', ' ')}",
                            "country": country, "offers": offers, "_far": far, "_goods": goods})
    for item, *_rest in PURCHASED:  # two sources or more for every item, one in Europe
        offering = [s for s in w.suppliers if any(o["item"] == item for o in s["offers"])]
        while len(offering) < 2 or all(s["_far"] for s in offering):
            free = [s for s in w.suppliers if s not in offering
                    and (len(offering) < 2 or not s["_far"])]
            sup = w.pick([s for s in free if item in s["_goods"]] or free)
            sup["offers"].append(_offer(w, item, sup["_far"]))
            offering.append(sup)
    for sup in w.suppliers:
        del sup["_far"], sup["_goods"]


def _offer(w: _World, item: str, far: bool) -> dict[str, Any]:
    price = dict((i, p) for i, _n, _kg, p in PURCHASED)[item]
    price *= w.uniform(0.65, 0.9) if far else w.uniform(0.95, 1.2)
    lead = w.integer(4, 8) if far else w.integer(1, 3)
    lead = min(lead, w.weeks - 2)
    offer: dict[str, Any] = {"item": item, "unit_price": round(price, 2), "lead_time_weeks": lead,
                             "capacity_per_week": 0}
    if w.chance(0.15):
        offer["available_from_week"] = min(w.integer(1, 4), max(0, w.weeks - 2 - lead))
        if offer["available_from_week"] == 0:
            del offer["available_from_week"]
    return offer


def _explode(alternative: bool, top: str = FINAL) -> dict[str, float]:
    """Units of each item needed per good unit of ``top`` [units/unit].

    Along the usual routes, or (``alternative=True``) preferring each item's last
    alternative, so that every purchased item shows up on one of the two.
    """
    need: dict[str, float] = {top: 1.0}
    for item, _n, _kg in reversed(MADE):  # MADE lists inputs before their users
        ops = [op for op in OPERATIONS if op[1] == item]
        _oid, _p, consumes, _c, _h, yld, _l = ops[-1] if alternative else ops[0]
        for inp, qty in consumes.items():
            need[inp] = need.get(inp, 0.0) + need.get(item, 0.0) * qty / yld
    return need


def _line_hours(w: _World) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Cumulative hours by week if every line were started as early as it can be [h].

    Returns the total over lines (each line's best option) and, per made item, the total
    over lines of the best option able to make it; arrays of shape (weeks,).
    """
    options = [o for line in w.lines for o in line["options"]]
    starts = np.cumsum([0] + [len(line["options"]) for line in w.lines[:-1]])
    width = 1 + max(len(r) for r in RAMPS)
    ramps = np.ones((len(options), width))
    for i, o in enumerate(options):
        ramps[i, : len(o["ramp_up"])] = o["ramp_up"]
    ready = np.array([o.get("earliest_start_week", 0) + o["lead_time_weeks"] for o in options])
    k = np.arange(w.weeks)[None, :] - ready[:, None]  # weeks since ready, per option
    share = np.where(k < 0, 0.0, np.take_along_axis(ramps, np.clip(k, 0, width - 1), axis=1))
    hours = np.array([float(o["hours_per_week"]) for o in options])
    cum = np.cumsum(hours[:, None] * share, axis=1)
    total = np.maximum.reduceat(cum, starts, axis=0).sum(axis=0)
    by_item = {}
    for item, _n, _kg in MADE:
        caps = {op[3] for op in OPERATIONS if op[1] == item}
        able = np.array([bool(caps.intersection(o["capabilities"])) for o in options])
        by_item[item] = np.maximum.reduceat(cum * able[:, None], starts, axis=0).sum(axis=0)
    return total, by_item


def _demands(w: _World, transport_lead: int) -> tuple[list[dict[str, Any]], dict[str, float], int]:
    """Orders for the final item at each depot, due monthly, sized so lines must be chosen.

    The cumulative due by week ``t`` is a share (25-40 %) of an upper bound on what every
    line together could have made between the arrival of the first materials and ``t``
    minus the lead times downstream. Returns the demands, the units due per item and
    the weeks from the arrival of parts to delivery.
    """
    spare = w.uniform(0.1, 0.3)  # spare battery packs per aircraft
    need = _explode(alternative=False)
    need[SPARE] = need.get(SPARE, 0.0) + spare
    hours_per_unit = {item: min(op["hours_per_unit"] / op.get("yield", 1.0) for op in w.operations
                                if op["produces"] == item) for item, _n, _kg in MADE}
    materials, final = _ready_weeks(w)
    total, by_item = _line_hours(w)

    def window(cum: np.ndarray) -> np.ndarray:  # hours from the week materials arrive
        return cum - (cum[materials - 1] if 0 < materials < w.weeks else 0.0)

    bound = window(total) / sum(need[i] * hours_per_unit[i] for i, _n, _kg in MADE)
    for item, hours in by_item.items():
        bound = np.minimum(bound, window(hours) / (need[item] * hours_per_unit[item]))
    # Parts made at one site are assembled at another and tested at a third: two more
    # shipments than the last one to the depot, and a week of slack.
    downstream = final - materials + 3 * transport_lead + 1
    share = w.uniform(0.25, 0.4)

    def due_by(week: int) -> float:
        return share * float(bound[week - downstream]) if week >= downstream else 0.0

    last = w.weeks - 1
    due_weeks = list(range(last, min(last, final + 3 * transport_lead + 2) - 1, -4))[::-1]
    shares = w.rng.dirichlet(np.ones(len(w.depots)) * 4)
    demands: list[dict[str, Any]] = []
    volume = {FINAL: 0.0, SPARE: 0.0}
    for depot, site_share in zip(w.depots, shares, strict=True):
        due = _schedule([(wk, due_by(wk) * site_share) for wk in due_weeks], last)
        demands.append({"id": w.unique(f"order-{depot['id']}"), "item": FINAL, "site": depot["id"],
                        "due": due})
        volume[FINAL] += sum(d["quantity"] for d in due)
    depot = w.depots[0]
    half = len(due_weeks) // 2  # spares are due from the middle of the deliveries on
    before = due_by(due_weeks[half - 1]) if half else 0.0
    due = _schedule([(wk, (due_by(wk) - before) * spare) for wk in due_weeks[half:]], last)
    demands.append({"id": w.unique(f"spares-{depot['id']}"), "item": SPARE, "site": depot["id"],
                    "due": due, "weight": 0.5})
    volume[SPARE] = sum(d["quantity"] for d in due)
    return demands, volume, downstream


def _schedule(cumulative: list[tuple[int, float]], last: int) -> list[dict[str, int]]:
    """Due rows from cumulative targets: whole units, only weeks where something is due."""
    rows, done = [], 0
    for week, target in cumulative:
        qty = int(target) - done
        if qty > 0:
            rows.append({"week": week, "quantity": qty})
            done += qty
    return rows or [{"week": last, "quantity": 1}]


def _ready_weeks(w: _World) -> tuple[int, int]:
    """Earliest weeks all purchased inputs of the usual routes, and the final item, could
    be at hand: purchase and operation lead times only [week]."""
    ready: dict[str, int] = {}
    for sup in w.suppliers:
        for o in sup["offers"]:
            when = o.get("available_from_week", 0) + o["lead_time_weeks"]
            ready[o["item"]] = min(ready.get(o["item"], when), when)
    usual = _explode(alternative=False)
    materials = max(ready[i] for i, *_r in PURCHASED if usual.get(i))
    for item, _n, _kg in MADE:
        ready[item] = min(max(ready[i] for i in op["consumes"]) + op.get("lead_time_weeks", 0)
                          for op in w.operations if op["produces"] == item)
    return materials, ready[FINAL]


def _supplier_capacity(w: _World, demands: list[dict[str, Any]], downstream: int) -> None:
    """Weekly capacity per offer, shared among an item's offers, such that with every
    supplier at full capacity the parts for each due date arrive ``downstream`` weeks
    before it with 1.3-1.9 times what is needed (one item only 1.0-1.15 times: the
    bottleneck)."""
    usual, alternative = _explode(alternative=False), _explode(alternative=True)
    per_unit = {FINAL: {i: max(usual.get(i, 0.0), alternative.get(i, 0.0)) for i, *_r in PURCHASED},
                SPARE: _explode(alternative=False, top=SPARE)}
    due = {FINAL: np.zeros(w.weeks), SPARE: np.zeros(w.weeks)}
    for d in demands:
        for row in d["due"]:
            due[d["item"]][row["week"]] += row["quantity"]
    # cumulative arrivals needed by week t: what is due by t + downstream
    ahead = np.minimum(np.arange(w.weeks) + downstream, w.weeks - 1)
    cum = {item: np.cumsum(q)[ahead] for item, q in due.items()}
    bottleneck = w.pick(["cell", "motor", "flight-computer"])
    for item, *_rest in PURCHASED:
        needed = sum((per_unit[top].get(item, 0.0) * cum[top] for top in cum), np.zeros(w.weeks))
        factor = w.uniform(1.0, 1.15) if item == bottleneck else w.uniform(1.3, 1.9)
        offers = [o for s in w.suppliers for o in s["offers"] if o["item"] == item]
        weekly = [float(needed[-1]) / max(1, w.weeks - 4) * part
                  for part in w.rng.dirichlet(np.ones(len(offers)) * 2)]
        shapes = [_capacity_profile(w) if w.chance(0.25) else np.ones(w.weeks) for _o in offers]
        arriving = np.zeros(w.weeks)
        for o, x, shape in zip(offers, weekly, shapes, strict=True):
            first, lead = o.get("available_from_week", 0), o["lead_time_weeks"]
            arriving[first + lead:] += x * shape[first: w.weeks - lead]
        arrived = np.cumsum(arriving)
        short = needed[arrived > 0] / arrived[arrived > 0]
        scale = factor * min(50.0, max(1.0, float(short.max(initial=1.0))))
        for o, x, shape in zip(offers, weekly, shapes, strict=True):
            values = [max(0, int(round(v))) for v in x * scale * shape]
            if shape.min() < 1 or shape.max() > 1:
                o["capacity_per_week"] = values
            else:
                o["capacity_per_week"] = max(1, values[0])


def _capacity_profile(w: _World) -> np.ndarray:
    """Shares of a capacity that changes over time: a ramp-up, a growth or an interruption."""
    t = np.arange(w.weeks, dtype=float)
    shape = w.integer(0, 2)
    if shape == 0:
        profile = np.minimum(1.0, (t + 1) / w.integer(2, 6))
    elif shape == 1:
        profile = 0.6 + 0.8 * t / max(1, w.weeks - 1)
    else:
        profile = np.ones(w.weeks)
        gap = w.integer(0, w.weeks - 1)
        profile[gap:gap + w.integer(2, 4)] = 0.0
    return profile


def _inventory(w: _World, volume: dict[str, float]) -> list[dict[str, Any]]:
    """A little stock of purchased parts at a few plants: one to two weeks' worth."""
    need = _explode(alternative=False)
    rate = max(1.0, volume[FINAL] / max(1, w.weeks - 4))
    out, seen = [], set()
    for _ in range(w.integer(2, 5)):
        site = w.pick(w.sites)["id"]
        item = w.pick([i for i, *_r in PURCHASED if need.get(i)])
        qty = int(round(rate * need[item] * w.uniform(1.0, 2.0)))
        if (site, item) not in seen and qty > 0:
            seen.add((site, item))
            out.append({"site": site, "item": item, "quantity": qty})
    return out


def _uncertainty(w: _World) -> dict[str, Any]:
    """A risk.md section: defaults for all, harder entries for a few sources."""
    suppliers: dict[str, Any] = {"*": {"delay_weeks": {0: 0.85, 1: 0.15}}}
    far = [s["id"] for s in w.suppliers if s["country"] in FAR_COUNTRIES]
    for sid in sorted(w.sample(far, min(3, len(far)))):
        suppliers[sid] = copy.deepcopy(w.pick(SUPPLIER_RISKS))
    lines: dict[str, Any] = {"*": {"slip_weeks": {0: 0.7, 1: 0.2, 2: 0.1}, "availability": 0.98}}
    for lid in sorted(w.sample([line["id"] for line in w.lines], 3)):
        lines[lid] = copy.deepcopy(w.pick(LINE_RISKS))
    operations = {}
    for op in w.operations:
        y = op.get("yield", 1.0)
        if y < 1 and w.chance(0.4):
            sd = min(w.pick([0.01, 0.02, 0.03]), 0.5 * math.sqrt(y * (1 - y)))
            operations[op["id"]] = {"yield_sd": round(sd, 4)}
    out = {"suppliers": suppliers, "lines": lines}
    if operations:
        out["operations"] = operations
    return out


# --- writing ----------------------------------------------------------------------------
