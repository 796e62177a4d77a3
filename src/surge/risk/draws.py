"""Every random number of a chunk of runs, drawn up front from one injected generator.

Drawing everything first (in a fixed order) separates chance from execution: the
vectorised simulator and the per-run oracle of the tests take the same :class:`Draws`, and
criticality re-executes the same draws with one source switched to perfect (common random
numbers). Arrays have the runs on their last axis.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from surge.risk.model import RiskModel, WeekDist


@dataclass(frozen=True)
class Draws:
    """The disruptions of ``runs`` runs of one plan.

    Attributes
    ----------
    delay : (orders, runs) int
        Extra weeks of lead time of each purchase order [weeks].
    fill : (orders, runs) float
        Fraction of each order that ever arrives [-].
    outage_start : (suppliers, weeks, runs) bool
        Weeks in which a supplier's outage starts.
    slip : (lines, runs) int
        Extra weeks before each line is ready [weeks].
    up : (weeks, lines, runs) bool
        Whether each line works at all that week.
    yield_tasks : (k,) int
        Tasks whose yield varies; ``yields[:, j]`` belongs to task ``yield_tasks[j]``.
    yields : (weeks, k, runs) float
        Drawn yield of those tasks each week [-].
    """

    runs: int
    delay: np.ndarray
    fill: np.ndarray
    outage_start: np.ndarray
    slip: np.ndarray
    up: np.ndarray
    yield_tasks: np.ndarray
    yields: np.ndarray

    def head(self, runs: int) -> "Draws":
        """The first ``runs`` runs of these draws."""
        if runs >= self.runs:
            return self
        return Draws(runs, self.delay[:, :runs], self.fill[:, :runs],
                     self.outage_start[..., :runs], self.slip[:, :runs], self.up[..., :runs],
                     self.yield_tasks, self.yields[..., :runs])

    def perfect(self, m: RiskModel, kind: str, index: int) -> "Draws":
        """The same draws with one supplier's or line's disruptions switched off."""
        if kind == "supplier":
            mine = m.o_supplier == index
            delay, fill, out = self.delay.copy(), self.fill.copy(), self.outage_start.copy()
            delay[mine] = 0
            fill[mine] = 1.0
            out[index] = False
            return replace(self, delay=delay, fill=fill, outage_start=out)
        slip, up = self.slip.copy(), self.up.copy()
        slip[index] = 0
        up[:, index] = True
        return replace(self, slip=slip, up=up)


def _weeks(rng: np.random.Generator, dist: WeekDist | None, shape: tuple[int, ...]) -> np.ndarray:
    if dist is None or dist.is_certain_zero:
        return np.zeros(shape, dtype=np.int64)
    return rng.choice(dist.values, size=shape, p=dist.probs)


def _beta(rng: np.random.Generator, mean: float, sd: float, shape: tuple[int, ...]) -> np.ndarray:
    """Beta draws with this mean and standard deviation (``sd = 0``: always ``mean``)."""
    if sd == 0:
        return np.full(shape, mean)
    k = mean * (1 - mean) / sd**2 - 1
    return rng.beta(mean * k, (1 - mean) * k, size=shape)


def draw(m: RiskModel, rng: np.random.Generator, runs: int) -> Draws:
    """Draw every disruption of ``runs`` runs, source by source in a fixed order."""
    T = m.weeks
    delay = np.zeros((len(m.o_qty), runs), dtype=np.int64)
    fill = np.ones((len(m.o_qty), runs))
    outage = np.zeros((len(m.suppliers), T, runs), dtype=bool)
    for i, s in enumerate(m.suppliers):
        mine = np.flatnonzero(m.o_supplier == i)
        delay[mine] = _weeks(rng, s.delay, (len(mine), runs))
        if s.fill is not None:
            fill[mine] = _beta(rng, s.fill.mean, s.fill.sd, (len(mine), runs))
        if s.outage is not None and s.outage.probability_per_week > 0:
            outage[i] = rng.random((T, runs)) < s.outage.probability_per_week
    slip = np.zeros((len(m.lines), runs), dtype=np.int64)
    up = np.ones((T, len(m.lines), runs), dtype=bool)
    for i, ln in enumerate(m.lines):
        slip[i] = _weeks(rng, ln.slip, (runs,))
        if ln.availability is not None and ln.availability < 1:
            up[:, i] = rng.random((T, runs)) < ln.availability
    yield_tasks = np.flatnonzero(m.t_yield_sd > 0)
    yields = np.empty((T, len(yield_tasks), runs))
    for j, k in enumerate(yield_tasks):
        # no start can happen before the first planned one: no draw needed there
        first = int(np.argmax(m.t_starts[:, k] > 0)) if m.t_starts[:, k].any() else T
        yields[:first, j] = m.t_yield[k]
        yields[first:, j] = _beta(rng, float(m.t_yield[k]), float(m.t_yield_sd[k]), (T - first, runs))
    return Draws(runs, delay, fill, outage, slip, up, yield_tasks, yields)
