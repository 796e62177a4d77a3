"""Measuring a plan for the search: P(on time) of every due date, and what caps the worst.

Built on the risk simulator's public pieces (:func:`surge.risk.model.prepare`,
:func:`surge.risk.draws.draw`, :func:`surge.risk.simulate.execute`), with the chunks and
seeds of :func:`surge.risk.simulate` (chunk ``i`` draws from ``SeedSequence(seed).spawn(n)[i]``),
so a measure with the same runs, seed and chunk size gives the ``p_on_time`` of the risk
file exactly. :func:`blame` is criticality per due date: with common random numbers, how
much P(on time) of each due date rises when one supplier or line is made perfect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from surge.plan.model import Plan
from surge.risk.draws import draw
from surge.risk.model import RiskModel, prepare
from surge.risk.simulate import DEFAULT_CHUNK, chunk_sizes, execute
from surge.scenario.model import Scenario

TOLERANCE = 1e-6  # a due date is met when delivered >= due - 1e-6 max(1, due) (docs/risk.md)


@dataclass
class Measure:
    """P(on time) of each due date of a plan over ``runs`` runs from ``seed``."""

    runs: int
    seed: int
    due_dates: list[tuple[str, int]]  # (demand, week), sorted
    p_on_time: list[float]
    p_all_met: float
    expected_service: float
    fill: list[float] = field(default_factory=list)
    """Per due date: the mean share of the cumulative due delivered by its week (capped at
    1); it moves even where P(on time) is 0 or 1, so the search can see small gains."""
    blame: dict[tuple[str, int], list[tuple[str, str, float]]] = field(default_factory=dict)
    """(demand, week) -> [(kind, id, rise)]: the rise of P(on time) plus the rise of the
    share delivered by then when that source is perfect, largest first; filled by
    :func:`blame` for the due dates it was asked about."""

    @property
    def min_p(self) -> float:
        return min(self.p_on_time) if self.p_on_time else 1.0

    @property
    def worst(self) -> tuple[str, int] | None:
        """The due date with the lowest P(on time) (the first in (demand, week) order)."""
        if not self.p_on_time:
            return None
        return self.due_dates[int(np.argmin(self.p_on_time))]

    @property
    def min_p_stderr(self) -> float:
        """Standard error of the lowest P(on time): sqrt(p (1 - p) / runs)."""
        p = self.min_p
        return math.sqrt(max(p * (1 - p), 0.0) / self.runs)

    def shortfall(self, target: float) -> float:
        """Sum over due dates of how far P(on time) is below ``target``, plus the mean
        share of each due quantity missing at its week (0 when everything is on time)."""
        return float(sum(max(0.0, target - p) for p in self.p_on_time)
                     + sum(1.0 - f for f in self.fill))

    def to_dict(self) -> dict:
        return {"runs": self.runs, "seed": self.seed, "min_p_on_time": self.min_p,
                "min_p_stderr": self.min_p_stderr, "p_all_met": self.p_all_met,
                "expected_service": self.expected_service,
                "due_dates": [{"demand": d, "week": w, "p_on_time": p}
                              for (d, w), p in zip(self.due_dates, self.p_on_time, strict=True)]}


def _met(m: RiskModel, delivered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(due dates, runs) bool: each due date met in each run; and the share delivered."""
    out = np.zeros((len(m.due_dates), delivered.shape[-1]), dtype=bool)
    share = np.ones((len(m.due_dates), delivered.shape[-1]))
    for i, (d, w) in enumerate(m.due_dates):
        due = m.d_due_cum[w, d]
        out[i] = delivered[w, d] >= due - TOLERANCE * max(1.0, due)
        if due > 0:
            share[i] = np.minimum(delivered[w, d] / due, 1.0)
    return out, share


def measure(sc: Scenario, plan: Plan, *, runs: int, seed: int,
            chunk_size: int = DEFAULT_CHUNK) -> Measure:
    """Execute ``plan`` in ``runs`` runs (seeds as :func:`surge.risk.simulate`)."""
    m = prepare(sc, plan)
    sizes = chunk_sizes(runs, chunk_size)
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    met = np.zeros(len(m.due_dates))
    fill = np.zeros(len(m.due_dates))
    all_met = 0
    s_sum = 0.0
    for ss, size in zip(seeds, sizes, strict=True):
        out = execute(m, draw(m, np.random.default_rng(ss), size))
        ok, share = _met(m, out.delivered)
        met += ok.sum(axis=1)
        fill += share.sum(axis=1)
        all_met += int(ok.all(axis=0).sum())
        s_sum += float(out.service.sum())
    due = [(m.demands[d], int(w)) for d, w in m.due_dates]
    return Measure(runs, seed, due, [float(x / runs) for x in met], all_met / runs,
                   s_sum / runs, [float(x / runs) for x in fill])


def blame(sc: Scenario, plan: Plan, ms: Measure, which: list[tuple[str, int]], *, runs: int,
          chunk_size: int = DEFAULT_CHUNK) -> None:
    """Fill ``ms.blame`` for the due dates ``which``: the rise of P(on time) when each
    uncertain supplier or line is made perfect, on the first ``runs`` runs of ``ms.seed``
    (common random numbers: every other draw the same)."""
    m = prepare(sc, plan)
    runs = min(runs, ms.runs)
    sizes = chunk_sizes(runs, chunk_size)
    seeds = np.random.SeedSequence(ms.seed).spawn(len(chunk_sizes(ms.runs, chunk_size)))
    index = {(m.demands[d], int(w)): i for i, (d, w) in enumerate(m.due_dates)}
    rows = [index[x] for x in which]
    sources = m.uncertain_sources()
    rise = np.zeros((len(sources), len(rows)))
    for ss, size in zip(seeds, sizes, strict=False):
        dr = draw(m, np.random.default_rng(ss), size)
        ok, share = _met(m, execute(m, dr).delivered)
        base = ok[rows] + share[rows]
        for j, (kind, i) in enumerate(sources):
            hit = dr.disrupted(m, kind, i)
            if not hit.any():
                continue
            some = dr.take(np.flatnonzero(hit))
            pok, pshare = _met(m, execute(m, some.perfect(m, kind, i)).delivered)
            rise[j] += (pok[rows] + pshare[rows]).sum(axis=1) - base[:, hit].sum(axis=1)
    rise /= runs
    for c, key in enumerate(which):
        ranked = []
        for j, (kind, i) in enumerate(sources):
            sid = m.suppliers[i].id if kind == "supplier" else m.lines[i].id
            ranked.append((kind, sid, float(rise[j, c])))
        ranked.sort(key=lambda x: (-x[2], x[0], x[1]))
        ms.blame[key] = ranked
