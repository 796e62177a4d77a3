"""Fix-and-optimise around the incumbent, where branch-and-bound on the whole model is not
run (from ``BRANCH_MAX_COLUMNS`` columns on, stages.py).

Each neighbourhood is the lines of a few organisations: their activation binaries are
left free, every other activation is fixed at the incumbent's value, and HiGHS's
branch-and-bound solves that much smaller MIP from the incumbent within a short limit.
Its plan replaces the incumbent when it is better; its bound proves nothing about the
whole model and is not used (docs/model.md, "Improvement").
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from surge.optimize.model import Built
from surge.optimize.portfolio import Task
from surge.optimize.solver import HighsSession

Remote = Callable[[list[Task]], list[np.ndarray | None]]

NEIGHBOURHOOD_SHARE = 0.2   # of the time left, per neighbourhood [-]
MIN_NEIGHBOURHOOD_S = 2.0   # no neighbourhood starts with less time left [s]
ROOT_LP_FACTOR = 3          # as stages.py [-]
ROOT_OVERRUN = 1.5          # as stages.py [-]
GROUPS = 6                  # neighbourhoods: about 1/6 of the options each [-]


def neighbourhoods(b: Built) -> list[list[int]]:
    """Option indices grouped by organisation (ids in order), about ``1/GROUPS`` of the
    options per group; an organisation is never split."""
    d = b.d
    org_of = {s.id: s.organization for s in d.sc.sites}
    by_org: dict[str, list[int]] = {}
    for k in range(len(d.opt_id)):
        if not d.opt_committed[k]:
            by_org.setdefault(org_of[d.opt_site[k]], []).append(k)
    size = max(1, len(d.opt_id) // GROUPS)
    groups: list[list[int]] = []
    current: list[int] = []
    for org in sorted(by_org):
        current += by_org[org]
        if len(current) >= size:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def improve(b: Built, session: HighsSession, vec: np.ndarray, x: np.ndarray,
            left: Callable[[], float], gap: float, done: Callable[[float], bool],
            lp_seconds: float, remote: Remote | None = None) -> tuple[np.ndarray, int]:
    """Fix-and-optimise over :func:`neighbourhoods` from ``x`` while time is left;
    returns the best plan found and the number of neighbourhoods that improved it.
    ``done(value)`` says the incumbent is good enough to stop. HiGHS's root LP does not
    always honour the time limit, so a neighbourhood only starts with more than
    ``ROOT_LP_FACTOR`` times ``lp_seconds`` (an LP with the activations fixed) left.

    With ``remote`` (``--cluster``) every neighbourhood of a round is solved at once from
    the same incumbent, the best plan of the round (earlier groups first on ties) starts
    the next round."""
    if remote is not None:
        return _rounds(b, vec, x, left, gap, done, lp_seconds, remote)
    session.set_objective(vec)
    best, value, better = x, float(vec @ x), 0
    labels = b.act
    for group in neighbourhoods(b):
        if left() < max(MIN_NEIGHBOURHOOD_S, ROOT_LP_FACTOR * lp_seconds) or done(value):
            break
        free = np.zeros(labels.shape[0], dtype=bool)
        free[group] = True
        fixed = labels[~free]
        fix = {int(lab): float(round(best[lab])) for lab in fixed[fixed >= 0]}
        # HiGHS checks a MIP's time limit after its root node only: the root's LP (about
        # an LP with the activations fixed) is held in reserve
        limit = max(left() * NEIGHBOURHOOD_SHARE - ROOT_OVERRUN * lp_seconds, 1.0)
        res = session.restricted("improve", time_limit=limit, mip_gap=gap, fix=fix,
                                 start=best)
        if res.has_solution and res.x is not None:
            x_n = np.nan_to_num(res.x)
            if float(vec @ x_n) < value - 1e-9 * max(1.0, abs(value)):
                best, value, better = x_n, float(vec @ x_n), better + 1
    return best, better


def _fixed_outside(b: Built, group: list[int], x: np.ndarray) -> dict[int, float]:
    """Every activation outside ``group`` fixed at its (rounded) value in ``x``."""
    free = np.zeros(b.act.shape[0], dtype=bool)
    free[group] = True
    fixed = b.act[~free]
    return {int(lab): float(round(x[lab])) for lab in fixed[fixed >= 0]}


def _rounds(b: Built, vec: np.ndarray, x: np.ndarray, left: Callable[[], float],
            gap: float, done: Callable[[float], bool], lp_seconds: float,
            remote: Remote) -> tuple[np.ndarray, int]:
    best, value, better = x, float(vec @ x), 0
    groups = neighbourhoods(b)
    while groups and left() >= max(MIN_NEIGHBOURHOOD_S, ROOT_LP_FACTOR * lp_seconds) \
            and not done(value):
        # the whole round shares the time a single neighbourhood would get, times 2
        limit = max(left() * 2 * NEIGHBOURHOOD_SHARE - ROOT_OVERRUN * lp_seconds, 1.0)
        tasks = [Task("restricted", "cost", limit, fix=_fixed_outside(b, g, best),
                      start=best, gap=gap) for g in groups]
        improved = False
        for x_n in remote(tasks):
            if x_n is not None and float(vec @ x_n) < value - 1e-9 * max(1.0, abs(value)):
                best, value, improved = x_n, float(vec @ x_n), True
        if not improved:
            break
        better += 1
    return best, better
