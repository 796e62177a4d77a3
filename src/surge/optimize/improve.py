"""Fix-and-optimise around the incumbent, where branch-and-bound on the whole model is not
run (from ``BRANCH_MAX_COLUMNS`` columns on, stages.py).

A neighbourhood is either the start weeks of the converted options (which lines stay
fixed, when they start is free) or the lines of a few organisations (their activation
binaries free). Every other activation is fixed at the incumbent's value, and HiGHS's
branch-and-bound solves that much smaller MIP from the incumbent within a short limit.
Its plan replaces the incumbent when it is better; its bound proves nothing about the
whole model and is not used. Passes over ever larger groups repeat while they improve
(docs/model.md, "Improvement").
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from surge.optimize.model import Built, drop_idle_options
from surge.optimize.portfolio import Task
from surge.optimize.solver import HighsSession

Remote = Callable[[list[Task]], list[np.ndarray | None]]

NEIGHBOURHOOD_SHARE = 0.2   # of the time left, per neighbourhood [-]
MIN_NEIGHBOURHOOD_S = 2.0   # no neighbourhood starts with less time left [s]
ROOT_LP_FACTOR = 3          # as stages.py [-]
ROOT_OVERRUN = 1.5          # as stages.py [-]
PASSES = (6, 3, 2)          # neighbourhoods of about 1/6, then 1/3, then 1/2 of the options [-]
GROUPS = PASSES[0]


def neighbourhoods(b: Built, groups: int = GROUPS) -> list[list[int]]:
    """Option indices grouped by organisation (ids in order), about ``1/groups`` of the
    options per group; an organisation is never split."""
    d = b.d
    org_of = {s.id: s.organization for s in d.sc.sites}
    by_org: dict[str, list[int]] = {}
    for k in range(len(d.opt_id)):
        if not d.opt_committed[k]:
            by_org.setdefault(org_of[d.opt_site[k]], []).append(k)
    size = max(1, len(d.opt_id) // groups)
    out: list[list[int]] = []
    current: list[int] = []
    for org in sorted(by_org):
        current += by_org[org]
        if len(current) >= size:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


Hood = list[int] | None  # a group of options, or None: the start weeks of the converted ones


def passes(b: Built) -> list[list[Hood]]:
    """The neighbourhoods of each pass of :data:`PASSES`: the start weeks of the
    converted options (:func:`_timing`), then the groups of organisations; a pass is left
    out when it would group the options as the one before it did (few organisations)."""
    out: list[list[Hood]] = []
    for groups in PASSES:
        hoods: list[Hood] = [None, *neighbourhoods(b, groups)]
        if not out or hoods != out[-1]:
            out.append(hoods)
    return out


def fixed(b: Built, hood: Hood, x: np.ndarray) -> dict[int, float]:
    """The activations ``hood`` leaves fixed, at their values in ``x``."""
    return _timing(b, x) if hood is None else _fixed_outside(b, hood, x)


def _better(value: float, than: float) -> bool:
    return value < than - 1e-9 * max(1.0, abs(than))


def improve(b: Built, session: HighsSession, vec: np.ndarray, x: np.ndarray,
            left: Callable[[], float], gap: float, done: Callable[[float], bool],
            lp_seconds: float, remote: Remote | None = None,
            root_s: float = 0.0) -> tuple[np.ndarray, int]:
    """Fix-and-optimise over the neighbourhoods of :func:`passes` from ``x`` while time
    is left; returns the best plan found and the number of neighbourhoods (``remote``:
    rounds) that improved it. ``done(value)`` says the incumbent is good enough to stop.

    A pass solves each of its neighbourhoods in turn (first the start weeks of the
    converted options, then the groups of organisations) and is repeated while it improves
    the incumbent; then the next pass, with larger neighbourhoods, starts (a local
    optimum for small neighbourhoods is not one for larger ones). A neighbourhood that
    HiGHS solved to its gap is not solved again until the incumbent has changed. HiGHS's
    root LP does not honour the time limit (measured at 100 lines: 20-32 s for limits of
    8-20 s; at 100 x 52, 178 s for 1 s), so a neighbourhood only starts with more than
    ``ROOT_LP_FACTOR`` times ``lp_seconds`` (an LP with the activations fixed) and
    ``ROOT_OVERRUN`` times the longest neighbourhood so far left; before the first, the
    longest is ``root_s``, an estimate from the relaxation's time. Every neighbourhood's
    plan has the options that make nothing switched off before it is compared: the
    start-week neighbourhood keeps every converted option converted, and one left idle
    still costs its conversion (100 x 52: 48.2 M as solved, 27.9 M clean and polished).

    With ``remote`` (``--cluster``) every neighbourhood of a pass is solved at once from
    the same incumbent; the best plan of the round (earlier groups first on ties) starts
    the next round."""
    if remote is not None:
        return _rounds(b, vec, x, left, gap, done, lp_seconds, remote, root_s)
    session.set_objective(vec)
    best, value, better = x, float(vec @ x), 0

    longest = root_s  # the longest neighbourhood so far (first: the estimate) [s]

    def out_of_time() -> bool:
        return left() < max(MIN_NEIGHBOURHOOD_S, ROOT_LP_FACTOR * lp_seconds,
                            ROOT_OVERRUN * longest) or done(value)

    for hoods in passes(b):
        solved: dict[int, float] = {}  # neighbourhood -> incumbent value it was solved at
        improved = True
        while improved:
            improved = False
            for i, hood in enumerate(hoods):
                if out_of_time():
                    return best, better
                if solved.get(i) == value:
                    continue
                # HiGHS checks a MIP's time limit after its root node only: the root's LP
                # (about an LP with the activations fixed) is held in reserve
                limit = max(left() * NEIGHBOURHOOD_SHARE - ROOT_OVERRUN * lp_seconds, 1.0)
                res = session.restricted("improve", time_limit=limit, mip_gap=gap,
                                         fix=fixed(b, hood, best), start=best)
                longest = max(longest, res.seconds)
                if res.has_solution and res.x is not None:
                    x_n = drop_idle_options(b, np.nan_to_num(res.x))
                    if _better(float(vec @ x_n), value):
                        best, value, better, improved = x_n, float(vec @ x_n), better + 1, True
                if res.status == "optimal":
                    solved[i] = value
    return best, better


def _timing(b: Built, x: np.ndarray) -> dict[int, float]:
    """The activations of ``x`` with only the start weeks of its converted options left
    free: every other option stays off and each converted option stays converted (its
    last week on), so the MIP chooses when, not which (a rounded relaxation starts each
    line the first week the relaxation uses it at all, which on long horizons pays weeks
    of running cost for nothing)."""
    d = b.d
    fix: dict[int, float] = {}
    for k in range(b.act.shape[0]):
        labels = b.act[k]
        last = int(labels[d.opt_last[k]])
        if last < 0:
            continue
        if round(x[last]) >= 1:
            fix[last] = 1.0
        else:
            fix.update((int(lab), 0.0) for lab in labels[labels >= 0])
    return fix


def _fixed_outside(b: Built, group: list[int], x: np.ndarray) -> dict[int, float]:
    """Every activation outside ``group`` fixed at its (rounded) value in ``x``."""
    free = np.zeros(b.act.shape[0], dtype=bool)
    free[group] = True
    fixed = b.act[~free]
    return {int(lab): float(round(x[lab])) for lab in fixed[fixed >= 0]}


def _rounds(b: Built, vec: np.ndarray, x: np.ndarray, left: Callable[[], float],
            gap: float, done: Callable[[float], bool], lp_seconds: float,
            remote: Remote, root_s: float) -> tuple[np.ndarray, int]:
    best, value, better = x, float(vec @ x), 0
    longest = root_s  # the longest round so far (first: the estimate) [s]
    for hoods in passes(b):
        while left() >= max(MIN_NEIGHBOURHOOD_S, ROOT_LP_FACTOR * lp_seconds,
                            ROOT_OVERRUN * longest) and not done(value):
            # the whole round shares the time a single neighbourhood would get, times 2
            limit = max(left() * 2 * NEIGHBOURHOOD_SHARE - ROOT_OVERRUN * lp_seconds, 1.0)
            tasks = [Task("restricted", "cost", limit, fix=fixed(b, hood, best),
                          start=best, gap=gap) for hood in hoods]
            improved, t0 = False, time.perf_counter()
            results = remote(tasks)
            longest = max(longest, time.perf_counter() - t0)
            for x_n in (drop_idle_options(b, y) for y in results if y is not None):
                if _better(float(vec @ x_n), value):
                    best, value, improved = x_n, float(vec @ x_n), True
            if not improved:
                break
            better += 1
    return best, better
