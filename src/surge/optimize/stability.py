"""Keeping a replanned plan close to the plan it replaces (``surge replan --stability W``).

A replan minimises ``S`` first and ``C`` second like any plan. With a stability weight
``W`` (currency per unit changed) a third, lexicographically last, stage follows: with
``S`` held at its optimum (``S <= S*``), it minimises

    C + W * (sum of |new - old| over the near weeks)

where the change is counted on quantities every formulation of the model has: units made
per (operation, line, week) and units ordered per (supplier, item, week), over the weeks
``0 .. window-1`` of the rolled horizon. ``S`` never gets worse; ``C`` may rise, by at
most ``W`` times the change it avoids; the plan's ``cost_bound`` stays the proven bound of
the cheapest plan, so a plan that pays for stability is honestly ``feasible`` with the
extra cost in its message (docs/state.md). ``S*`` here is the ``S`` of the cost stage's plan
(within the service slack of the service stage's optimum, stages.py); a stability plan
that reads back later than the cheapest plan by more than the plan format's tolerance is
not kept (solve.py).

The stage runs on a model of its own (built again, with the change variables added), so
the service and cost stages are exactly those of a plan without stability.

>>> ref = Reference(production={("assemble", "plant-l1", 0): 25.0}, orders={}, weight=10.0,
...                 window=2)
>>> ref.active
True
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from surge.optimize.model import Built, create_model
from surge.optimize.solver import StageResult
from surge.optimize.stages import SolveInfo, StageRunner, n_labels, stage
from surge.optimize.terms import Terms
from surge.plan.model import Plan

Key = tuple[str, str, int]  # (operation, line, week) or (supplier, item, week), rolled weeks


@dataclass(frozen=True)
class Reference:
    """What the new plan should stay close to, in the new plan's (rolled) weeks."""

    production: dict[Key, float]  # (operation, line, week) -> units made
    orders: dict[Key, float]  # (supplier, item, week) -> units ordered
    weight: float  # W: cost of one unit of change [currency/unit]
    window: int  # changes in weeks 0 .. window-1 count [weeks]
    frozen: dict[Key, float] = field(default_factory=dict)  # orders already firm [units]

    @property
    def active(self) -> bool:
        return self.weight > 0 and self.window > 0


def reference_from_plan(old: Plan, through_week: int, window: int, weight: float,
                        freeze: int = 0) -> Reference:
    """The old plan's production and orders of weeks ``W .. W+window-1`` in rolled weeks.

    Orders placed in the frozen weeks ``W .. W+freeze-1`` are firm (receipts of the rolled
    scenario): the new plan's orders there are extra orders, whose reference is 0.
    """
    W = through_week
    made: dict[Key, float] = defaultdict(float)
    bought: dict[Key, float] = defaultdict(float)
    frozen: dict[Key, float] = defaultdict(float)
    for p in old.production:
        if W <= p.week < W + window:
            made[(p.operation, p.line, p.week - W)] += p.quantity
    for b in old.purchases:
        if W <= b.week < W + window:
            target = frozen if b.week < W + freeze else bought
            target[(b.supplier, b.item, b.week - W)] += b.quantity
    return Reference(dict(made), dict(bought), float(weight), int(window), dict(frozen))


@dataclass
class _Change:
    """The change variables added to a model: ``dev`` labels and the vector to minimise."""

    vector: np.ndarray  # by label: W on each dev variable and on quantities with reference 0
    groups: list[tuple[np.ndarray, float, int]]  # (labels summed, reference, dev label)


def _groups(b: Built, ref: Reference) -> tuple[dict[Key, list[int]], dict[Key, list[int]]]:
    """Labels of units made per (operation, line, week) and ordered per (supplier, item,
    week), in the window."""
    d, F = b.d, min(ref.window, b.d.T)
    made: dict[Key, list[int]] = defaultdict(list)
    for p, k, t in zip(*np.nonzero(b.prod[:, :, :F] >= 0), strict=True):
        made[(d.ops[p], d.opt_line[k], int(t))].append(int(b.prod[p, k, t]))
    bought: dict[Key, list[int]] = defaultdict(list)
    # pooled purchases (aggregate.py): b.buy is by (offer, week), offers as in b.purchases
    offers = b.purchases.offers if b.purchases is not None else []
    for j, t in zip(*np.nonzero(b.buy[:, :F] >= 0), strict=True):
        sid, item = offers[j]
        bought[(sid, item, int(t))].append(int(b.buy[j, t]))
    return made, bought


def add_change(b: Built, ref: Reference) -> _Change:
    """Add ``dev >= |sum x - old|`` for every quantity with an old value in the window."""
    made, bought = _groups(b, ref)
    linear: list[int] = []
    pending: list[tuple[np.ndarray, float]] = []
    for labels, old in ((made, ref.production), (bought, ref.orders)):
        for key, labs in labels.items():
            q = old.get(key, 0.0)
            if q > 0:
                pending.append((np.array(labs, dtype=np.int64), q))
            else:
                linear += labs  # |x - 0| = x: no variable needed
    m = b.m
    groups: list[tuple[np.ndarray, float, int]] = []
    if pending:
        dev = m.add_variables(lower=0, coords=[range(len(pending))], dims=["change"],
                              name="stability-change")
        dev_labels = dev.labels.values
        for sign, name in ((-1.0, "stability-above"), (1.0, "stability-below")):
            rows = Terms({"change": range(len(pending))})
            rhs = np.zeros(len(pending))
            for i, (members, q) in enumerate(pending):
                rows.add(members, sign, i)
                rows.add(dev_labels[i], 1.0, i)
                rhs[i] = sign * q
            m.add_constraints(rows.expression(m) >= rows.array(rhs), name=name)
        groups = [(members, q, int(dev_labels[i]))
                  for i, (members, q) in enumerate(pending)]
    vector = np.zeros(n_labels(m))
    vector[np.array(linear, dtype=np.int64)] += ref.weight
    for _, _, lab in groups:
        vector[lab] += ref.weight
    return _Change(vector, groups)


def keep_close(built: Built, stages: list[StageResult], ref: Reference, info: SolveInfo, *,
               solver: str, limit: float, gap: float, threads: int | None,
               t_start: float) -> tuple[list[StageResult], float | None]:
    """The stability stage after ``stages`` (a solve of ``built``): ``stages`` with it
    appended when it found a plan, else ``stages`` as they were; and ``C`` of the plan
    before it (``None`` when the stage did not run).

    Only for HiGHS (the stage needs the shared solver instance) and when the last stage
    has a plan.
    """
    last = stages[-1]
    if solver != "highs" or not ref.active or not last.has_solution or last.x is None:
        return stages, None
    again = create_model(built.d)
    change = add_change(again, ref)
    own = SolveInfo(solver=solver)
    runner = StageRunner(again, own, solver=solver, limit=limit, gap=gap, threads=threads,
                         t_start=t_start, say=lambda step: None)
    n = runner.n
    assert again.service is not None and again.cost is not None
    s_vec, c_vec = again.service.vector(n), again.cost.vector(n)
    start = np.zeros(n)
    x = np.nan_to_num(last.x)[:n]
    start[:len(x)] = x
    for labs, q, lab in change.groups:
        start[lab] = abs(float(start[labs].sum()) - q)
    # S <= S of the plan it starts from (the cost stage's, within the service slack of S*),
    # no looser: room above it the LP may fill with sub-tolerance deliveries that the plan
    # file drops (demo at week 8, W = 100: 2e-7 of room, 1.3e-5 unit-weeks later read back)
    s_cap = float(s_vec @ start)
    runner.bound_service(s_vec, s_cap)
    objective = c_vec + change.vector
    if built.d.sc.objective.mode == "weighted":
        objective = objective + built.d.sc.objective.late_penalty * s_vec
    cheapest = float(c_vec @ start) + built.cost_constant
    res = stage(runner, "stability", objective, start)
    if res.has_solution and res.x is not None:
        value = float(objective @ np.nan_to_num(res.x)[:n])
        if value > float(objective @ start) + 1e-9 * max(1.0, abs(value)):
            # out of time, the solver may end worse than where it started (a run that
            # restarts without the start): the start, the cheapest plan, is kept
            res = StageResult("stability", "feasible", float(objective @ start), res.bound,
                              res.seconds, "no closer plan found in time", start)
    info.stages.append(res)
    if not res.has_solution:
        return stages, None
    return [*stages, res], cheapest


def stability_message(plan: Plan, cheapest_cost: float | None) -> str:
    """One line for the plan's message: what keeping close cost (``""`` if nothing)."""
    if cheapest_cost is None or plan.objective.cost is None:
        return ""
    extra = plan.objective.cost - cheapest_cost
    if extra <= 1e-6 * max(1.0, abs(cheapest_cost)):
        return ""
    return (f"kept close to the old plan: C is {extra:,.2f} above the cheapest plan's "
            f"{cheapest_cost:,.2f}")
