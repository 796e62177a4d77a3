"""A first plan fast at any size: greedy line conversion, then one LP.

The relaxation of a large model can take minutes; a plan that uses few, cheap lines can be
found in seconds. The construction picks lines greedily, cheapest per offered hour first,
until the hours each capability needs (its usual routes, for the demand, with a margin) are
covered, no organisation counting for more than the policy's share. Those activations
(each from its option's earliest start) are fixed and one LP gives production, purchases
and flows; options left idle are switched off. The result is the stages' first incumbent
and warm start (docs/model.md, "Construction").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from surge.optimize.model import Built
from surge.scenario.model import Scenario


def required_hours(b: Built) -> dict[str, float]:
    """Line hours each capability needs if every item is made by its usual (first)
    operation, for all demanded units [h]."""
    sc = b.d.sc
    usual: dict[str, int] = {}
    for p, op in enumerate(sc.operations):
        usual.setdefault(op.produces, p)
    demand: dict[str, float] = {}
    for dm in sc.demands:
        demand[dm.item] = demand.get(dm.item, 0.0) + dm.total
    stock: dict[str, float] = {}
    for s in sc.inventory:
        stock[s.item] = stock.get(s.item, 0.0) + s.quantity
    need: dict[str, float] = {}

    def grow(item: str, qty: float, depth: int = 0) -> None:
        need[item] = need.get(item, 0.0) + qty
        p = usual.get(item)
        if p is None or depth > 50:
            return
        op = sc.operations[p]
        for inp, a in op.consumes.items():
            grow(inp, qty * a / op.yield_, depth + 1)

    for item, qty in demand.items():
        grow(item, max(0.0, qty - stock.get(item, 0.0)))
    hours: dict[str, float] = {}
    for item, qty in need.items():
        route = usual.get(item)
        if route is not None:
            cap = sc.operations[route].capability
            hours[cap] = hours.get(cap, 0.0) + qty * float(b.hours_per_good[route])
    return hours


def offered_hours(b: Built) -> np.ndarray:
    """Hours each option offers over the horizon when started at its earliest week [h]."""
    d = b.d
    out = np.zeros(len(d.opt_id))
    for k in range(len(d.opt_id)):
        ready = int(d.opt_est[k] + d.opt_lead[k])
        ramp = d.opt_ramp[k]
        weeks = max(0, d.T - ready)
        out[k] = d.opt_hours[k] * sum(ramp[j] if j < len(ramp) else 1.0 for j in range(weeks))
    return out


def greedy_options(b: Built, cover: float) -> list[int]:
    """Options chosen greedily, cheapest per offered hour first, until every needed
    capability has ``cover`` times its required hours (at most one option per line; an
    organisation's hours count up to the policy's share of the target)."""
    d, sc = b.d, b.d.sc
    need = required_hours(b)
    hours = offered_hours(b)
    T = d.T
    ready = d.opt_est + d.opt_lead
    total_cost = d.opt_fixed + d.opt_weekly * np.maximum(0, T - ready)
    per_hour = np.where(hours > 0, total_cost / np.maximum(hours, 1e-9) + d.opt_cph, np.inf)
    share = sc.policy.max_share_per_organization or 1.0
    org_of = {s.id: s.organization for s in sc.sites}
    target = {c: cover * h for c, h in need.items() if h > 0}
    got = {c: 0.0 for c in target}
    by_org: dict[tuple[str, str], float] = {}
    used_lines: set[str] = set()
    chosen = []
    for k in np.argsort(per_hour, kind="stable"):
        if not np.isfinite(per_hour[k]) or d.opt_line[k] in used_lines:
            continue
        caps = [c for c in d.opt_caps[k] if c in target and got[c] < target[c]]
        if not caps:
            continue
        org = org_of[d.opt_site[k]]
        useful = False
        for c in caps:
            room = share * target[c] - by_org.get((org, c), 0.0)
            add = min(hours[k], max(0.0, room))
            if add > 0:
                by_org[(org, c)] = by_org.get((org, c), 0.0) + add
                got[c] += add
                useful = True
        if useful:
            chosen.append(int(k))
            used_lines.add(d.opt_line[k])
        if all(got[c] >= target[c] for c in target):
            break
    return sorted(chosen)


def active_options(b: Built, x: np.ndarray) -> list[int]:
    """The options a plan ``x`` activates."""
    last = b.act[np.arange(len(b.d.opt_id)), b.d.opt_last]
    return [k for k in range(len(last)) if last[k] >= 0 and np.nan_to_num(x[last[k]]) > 0.5]


COVERS = (1.5,)  # margin over the required hours (then every line on: stages._first_plans)
# Large models (LARGE_COLUMNS columns or more) start small: a plan from a third of the
# required hours in a fraction of the time (never the empty plan), then the required hours
# (measured at 1,000 lines: cover 1.0, 415 of 1,848 options, reaches S = 0; cover 1.5's
# reduced LP, 185k columns, takes minutes more on 2 shared cores).
LARGE_COVERS = (0.3, 1.0, 1.5)
LARGE_COLUMNS = 100_000
# Huge models start smaller still (measured at 5,000 lines, 2.2M columns, 2 cores: cover
# 0.3's LP took 85 s of a 600 s limit, cover 1.0's did not finish in 304 s).
HUGE_COVERS = (0.1, 0.3, 0.6)
HUGE_COLUMNS = 1_000_000
MIN_CONSTRUCTION_SECONDS = 1.0  # no construction starts with less time left [s]
COST_REDUCED_SHARE = 0.5  # the cost stage re-solves its start only if it uses fewer lines [-]
# The stages a reduced model can stand in for: their objective and rows are all built by
# create_model. A stage with rows or variables of its own (the stability stage's change
# rows) would get plans the reduced model never saw: infeasible, and, valued by the
# stage's objective with those variables at 0, better than any true plan.
CONSTRUCTED_STAGES = ("service", "cost", "weighted")


def constructions(b: Built, stage: str, start: np.ndarray, n: int, left: Callable[[], float],
                  cap: float | None = None, threads: int | None = None,
                  min_left: float = 1.0) -> Iterator[np.ndarray]:
    """Constructed plans for a stage, each a solution of the full model, best tried first.

    The cost stage re-solves its start's options for cost with ``S <= cap`` (the service
    stage's LP minimised lateness only); the service stage tries the greedy lines with a
    margin of 1.5 over the required hours (large models: 0.3, 1, 1.5; huge: 0.1, 0.3, 0.6;
    the caller stops at ``S = 0``); the weighted stage tries the first margin (large
    models: the first two). Each greedy LP may take 60% of the time left (a plan first),
    the cost re-solve a quarter; on large models a greedy LP without a plan ends the
    series. None starts with ``min_left`` seconds or less left (the caller passes the full
    model's build time: a reduced model's build is not interrupted).
    """
    if stage not in CONSTRUCTED_STAGES:
        return  # another model's objective or rows (stability.py): only its own start
    if stage == "cost":
        active = active_options(b, start)
        too_many = len(active) > COST_REDUCED_SHARE * len(set(b.d.opt_line))
        if left() <= max(min_left, MIN_CONSTRUCTION_SECONDS) or too_many:
            return  # the reduced model would be about the full one: the stage's own LPs
        x = construct(b, n, active, "cost", lambda: 0.25 * left(), cap, threads)
        if x is not None:
            yield x
        return
    large = int(b.m.nvars) >= LARGE_COLUMNS
    covers = (HUGE_COVERS if int(b.m.nvars) >= HUGE_COLUMNS else LARGE_COVERS) if large \
        else COVERS
    for cover in covers if stage == "service" else covers[:2 if large else 1]:
        if left() <= max(min_left, MIN_CONSTRUCTION_SECONDS):
            return
        x = construct(b, n, greedy_options(b, cover), stage, lambda: 0.6 * left(),
                      threads=threads)
        if x is not None:
            yield x
        elif large:
            return  # out of time: more lines would not be solved faster


def reduced_scenario(b: Built, options: list[int]) -> Scenario:
    """The scenario with only the chosen options' lines, each with only its chosen option
    (lines not chosen are left out: a much smaller model for the construction's LP)."""
    d, sc = b.d, b.d.sc
    keep = {d.opt_line[k]: d.opt_id[k] for k in options}
    lines = [ln.model_copy(update={"options": [o for o in ln.options if o.id == keep[ln.id]]})
             for ln in sc.lines if ln.id in keep]
    return sc.model_copy(update={"lines": lines})


def transfer(small: Built, x_small: np.ndarray, big: Built, n_big: int) -> np.ndarray | None:
    """A solution of the reduced model as a solution of the full one (by variable name and
    coordinates); ``None`` when some non-zero value has no variable in the full model."""
    x = np.zeros(n_big)
    for name in small.m.variables:
        var = small.m.variables[name].labels
        if name not in big.m.variables:
            return None
        full = big.m.variables[name].labels
        idx = [full.indexes[dim].get_indexer(var.indexes[dim]) for dim in var.dims]
        lab = var.values
        ok = lab >= 0
        missing = np.zeros(lab.shape, dtype=bool)
        for axis, ix in enumerate(idx):
            shape = [1] * lab.ndim
            shape[axis] = -1
            missing |= (ix < 0).reshape(shape)
        grid = full.values[np.ix_(*[np.clip(ix, 0, None) for ix in idx])]
        grid = np.where(missing, -1, grid)
        vals = np.nan_to_num(x_small[np.clip(lab, 0, None)])
        lost = ok & (grid < 0) & (np.abs(vals) > 1e-9)
        if lost.any():
            return None
        put = ok & (grid >= 0)
        x[grid[put]] = vals[put]
    return x


def construct(b: Built, n: int, options: list[int], objective: str,
              time_limit: float | Callable[[], float], cap: float | None = None,
              threads: int | None = None) -> np.ndarray | None:
    """Solve the LP of the chosen options on the reduced model and return it as a solution
    of the full model ``b`` (``n`` labels), or ``None`` if it found none in time.

    ``objective`` is ``"service"``, ``"cost"`` (with ``S <= cap``) or ``"weighted"``.
    ``time_limit`` may be a function, asked once the reduced model is built (its build is
    not interrupted, so a limit fixed before it would overrun the caller's).
    """
    from surge.optimize.data import prepare
    from surge.optimize.model import create_model
    from surge.optimize.solver import HighsSession

    if not options:
        return None
    small = create_model(prepare(reduced_scenario(b, options)))
    ns = int(small.m._xCounter)
    assert small.service is not None and small.cost is not None
    s_vec, c_vec = small.service.vector(ns), small.cost.vector(ns)
    session = HighsSession(small.m, threads=threads)
    if objective == "service":
        vec = s_vec
    elif objective == "cost":
        vec = c_vec
        session.add_row(s_vec, -np.inf, cap if cap is not None else np.inf)
    elif objective == "weighted":
        vec = c_vec + b.d.sc.objective.late_penalty * s_vec
    else:
        raise ValueError(f"construct: objective {objective!r} is not one of "
                         f"{', '.join(CONSTRUCTED_STAGES)}")
    session.set_objective(vec)
    fix = {int(lab): 1.0 for lab in small.act[small.act >= 0]}
    method = "simplex" if session.n_cols < 8_000 else "ipm"
    limit = time_limit() if callable(time_limit) else time_limit
    if limit < MIN_CONSTRUCTION_SECONDS / 2:
        return None  # the build used the time
    res = session.relaxed("construction", time_limit=limit, fix=fix, method=method)
    if not res.has_solution or res.x is None:
        return None
    x_small = np.nan_to_num(res.x)
    for lab in fix:
        x_small[lab] = 1.0
    return transfer(small, x_small, b, n)
