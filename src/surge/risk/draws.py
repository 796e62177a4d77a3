"""Every random number of a chunk of runs, drawn up front from one injected generator.

Drawing everything first (in a fixed order) separates chance from execution: the
vectorised simulator and the per-run oracle of the tests take the same :class:`Draws`, and
criticality re-executes the same draws with one source switched to perfect (common random
numbers). Arrays have the runs on their last axis.

Only what can matter is drawn: no draws for a source without uncertainty, none for lines
the plan runs nothing on or for weeks before a line can be ready, no yields before an
operation-line's first planned start. Every draw comes from raw 32-bit integers of the
generator (two per 64-bit output): a probability ``p`` is met when the integer is below
``p * 2**32``, so probabilities are exact to 2**-32. Beta draws (fill rates, yields) go
through the beta's quantile function, tabulated at :data:`BETA_GRID` points and
interpolated linearly (see :func:`beta_table`), about ten times faster than
``Generator.beta``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np

from surge.risk.model import RiskModel, WeekDist

BETA_GRID = 2**13
"""Points of a beta's tabulated quantile function: the drawn distribution function is
within ``1 / BETA_GRID`` (1.2e-4) of the beta's everywhere (see :func:`beta_table`)."""

_TWO32 = 2**32


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
        Tasks whose yield varies; ``yields[:, j]`` belongs to task ``yield_tasks[j]``
        (in task order).
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

    def head(self, runs: int) -> Draws:
        """The first ``runs`` runs of these draws."""
        if runs >= self.runs:
            return self
        return self.take(slice(0, runs))

    def take(self, which: slice | np.ndarray) -> Draws:
        """The runs ``which`` (a slice or an index array) of these draws."""
        out = [a[..., which] for a in (self.delay, self.fill, self.outage_start, self.slip,
                                       self.up, self.yields)]
        return Draws(out[0].shape[-1], out[0], out[1], out[2], out[3], out[4],
                     self.yield_tasks, out[5])

    def perfect(self, m: RiskModel, kind: str, index: int) -> Draws:
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

    def disrupted(self, m: RiskModel, kind: str, index: int) -> np.ndarray:
        """(runs,) bool: runs in which that source is not already perfect.

        In the other runs, :meth:`perfect` changes nothing that execution reads (a line
        is only read from its planned ready week on), so they need no re-execution.
        """
        if kind == "supplier":
            mine = m.o_supplier == index
            hit = (self.delay[mine] != 0).any(axis=0) | (self.fill[mine] != 1.0).any(axis=0)
            return hit | self.outage_start[index].any(axis=0)
        ready = max(0, min(int(m.l_ready[index]), m.weeks))
        return (self.slip[index] != 0) | ~self.up[ready:, index].all(axis=0)


def _raw32(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform 32-bit integers, two from each 64-bit output of the generator."""
    size = math.prod(shape)
    raw = rng.bit_generator.random_raw((size + 1) // 2)
    return raw.view(np.uint32)[:size].reshape(shape)


def _bernoulli(rng: np.random.Generator, p: float, shape: tuple[int, ...]) -> np.ndarray:
    """True with probability ``p`` (to 2**-32)."""
    threshold = round(p * _TWO32)
    if threshold >= _TWO32:
        return np.ones(shape, dtype=bool)
    return _raw32(rng, shape) < np.uint32(threshold)


def _weeks(rng: np.random.Generator, dist: WeekDist | None, shape: tuple[int, ...]) -> np.ndarray:
    """Whole weeks drawn from ``dist`` (to 2**-32 in each probability); 0 without it."""
    if dist is None or dist.is_certain_zero:
        return np.zeros(shape, dtype=np.int64)
    values, probs = dist.values[dist.probs > 0], dist.probs[dist.probs > 0]
    if len(values) == 1:
        return np.full(shape, values[0], dtype=np.int64)
    cuts = np.minimum(np.round(np.cumsum(probs)[:-1] * _TWO32), _TWO32 - 1).astype(np.uint32)
    u = _raw32(rng, shape)
    index = (u >= cuts[0]).astype(np.intp)  # the number of cuts at or below u
    for c in cuts[1:]:
        index += u >= c
    return values.take(index)


@functools.lru_cache(maxsize=256)
def beta_table(mean: float, sd: float) -> tuple[np.ndarray, np.ndarray]:
    """The quantile function of a beta at the cell middles ``(k + 1/2) / BETA_GRID``.

    Returns the values and the slopes to the next point (the last point repeated, slope 0).
    A draw maps a uniform ``u`` to the linear interpolation of these points, and to the end
    points below the first middle and above the last. So the drawn distribution function
    equals the beta's at every tabulated point and both rise by ``1 / BETA_GRID`` between
    two points: they differ by less than ``1 / BETA_GRID`` anywhere (Kolmogorov distance),
    and no draw lies beyond the beta's ``1 / (2 BETA_GRID)`` quantiles. For the demo's
    distributions (means 0.8 to 0.99, sd 0.01 to 0.15) the drawn law's mean is within 2e-6
    and its sd within 0.05% of the beta's (docs/risk.md; tests/test_risk.py).
    """
    from scipy.special import betaincinv  # scipy comes with linopy

    k = mean * (1 - mean) / sd**2 - 1
    q = betaincinv(mean * k, (1 - mean) * k, (np.arange(BETA_GRID) + 0.5) / BETA_GRID)
    q = np.append(q, q[-1])
    return q, np.diff(q, append=q[-1])


def _beta(rng: np.random.Generator, mean: float, sd: float, shape: tuple[int, ...]) -> np.ndarray:
    """Beta draws with this mean and standard deviation (``sd = 0``: always ``mean``)."""
    if sd == 0:
        return np.full(shape, mean)
    q, slope = beta_table(float(mean), float(sd))
    x = _raw32(rng, shape) * (BETA_GRID / _TWO32)
    x -= 0.5
    np.clip(x, 0.0, BETA_GRID - 1, out=x)
    cell = x.astype(np.intp)
    x -= cell
    x *= slope.take(cell)
    x += q.take(cell)
    return x


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
            outage[i] = _bernoulli(rng, s.outage.probability_per_week, (T, runs))
    slip = np.zeros((len(m.lines), runs), dtype=np.int64)
    up = np.ones((T, len(m.lines), runs), dtype=bool)
    used = set(m.t_line.tolist())
    for i, ln in enumerate(m.lines):
        if i not in used:
            continue  # no work on this line: its hours are never read
        slip[i] = _weeks(rng, ln.slip, (runs,))
        ready = max(0, min(int(m.l_ready[i]), T))  # no hours before the planned ready week anyway
        if ln.availability is not None and ln.availability < 1:
            up[ready:, i] = _bernoulli(rng, ln.availability, (T - ready, runs))
    yield_tasks = np.flatnonzero(m.t_yield_sd > 0)
    yields = np.empty((T, len(yield_tasks), runs))
    for j, k in enumerate(yield_tasks):
        # no start can happen before the first planned one: no draw needed there
        first = int(np.argmax(m.t_starts[:, k] > 0)) if m.t_starts[:, k].any() else T
        yields[:first, j] = m.t_yield[k]
        yields[first:, j] = _beta(rng, float(m.t_yield[k]), float(m.t_yield_sd[k]),
                                  (T - first, runs))
    return Draws(runs, delay, fill, outage, slip, up, yield_tasks, yields)
