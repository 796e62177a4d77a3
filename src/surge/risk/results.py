"""Reducing runs to the numbers of the risk file, chunk by chunk, in bounded memory.

A :class:`Tally` holds sums, counts and histograms only: its size depends on the numbers
of demands, weeks and sources, never on the number of runs. Tallies merge in a fixed
order (chunk 0, 1, 2, ...), so the result is the same however the chunks were spread.

Quantiles of cumulative deliveries come from one histogram per demand and week with
:data:`BINS` equal bins over ``[0, total due]``, each bin also keeping the smallest and
largest value it saw. The P-quantile is the value of rank ``ceil(P * runs)``; it is exact
when its bin holds one distinct value (always so without uncertainty, at 0, and at the total
due), else interpolated within the bin's [min, max], off by at most ``total / BINS``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from surge.plan.model import TOL
from surge.risk.file import Completion, Criticality, Deliveries, DueDate, RiskFile
from surge.risk.model import RiskModel

BINS = 1000
WORSE_SE = 3.0  # a negative drop beyond this many standard errors is flagged, not ranked
TOLERANCE = TOL  # a due quantity counts as met when delivered >= due - 1e-6 * max(1, due)


@dataclass
class Tally:
    runs: int
    s_mean: float
    s_m2: float
    on_time: np.ndarray  # (due dates,) count
    all_met: int
    completion: np.ndarray  # (demands, weeks + 1) count; last column: not within horizon
    h_count: np.ndarray  # (demands, weeks, BINS)
    h_min: np.ndarray
    h_max: np.ndarray
    sources: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # n, mean, m2

    def _merge_sources(self, o: Tally) -> dict[tuple[str, str], list[float]]:
        out = {}
        for key in self.sources.keys() | o.sources.keys():
            a, b = self.sources.get(key), o.sources.get(key)
            if a and b:
                n, mean, m2 = _chan(a[0], a[1], a[2], b[0], b[1], b[2])
                out[key] = [n, mean, m2]
            else:
                out[key] = list(a or b or [])
        return out

    @classmethod
    def of(cls, m: RiskModel, outcome: Any) -> Tally:
        delivered, s = outcome.delivered, outcome.service
        T, D, n = delivered.shape
        met = np.zeros((len(m.due_dates), n), dtype=bool)
        for i, (d, w) in enumerate(m.due_dates):
            due = m.d_due_cum[w, d]
            met[i] = delivered[w, d] >= due - TOLERANCE * max(1.0, due)
        full = delivered >= (m.d_total - TOLERANCE * np.maximum(1.0, m.d_total))[None, :, None]
        first = np.where(full.any(axis=0), full.argmax(axis=0), T)  # (demands, runs)
        completion = np.zeros((D, T + 1), dtype=np.int64)
        for d in range(D):
            completion[d] = np.bincount(first[d], minlength=T + 1)
        width = m.d_total / BINS
        b = np.clip((delivered / width[None, :, None]).astype(np.int64), 0, BINS - 1)
        cell = (np.arange(D)[None, :, None] * T + np.arange(T)[:, None, None]) * BINS + b
        size = D * T * BINS
        h_count = np.bincount(cell.ravel(), minlength=size)
        h_min = np.full(size, np.inf)
        h_max = np.full(size, -np.inf)
        np.minimum.at(h_min, cell.ravel(), delivered.ravel())
        np.maximum.at(h_max, cell.ravel(), delivered.ravel())
        shape = (D, T, BINS)
        return cls(n, float(s.mean()), float(((s - s.mean()) ** 2).sum()), met.sum(axis=1),
                   int(met.all(axis=0).sum()), completion, h_count.reshape(shape),
                   h_min.reshape(shape), h_max.reshape(shape))

    def add_source(self, kind: str, sid: str, drop: np.ndarray) -> None:
        """Paired differences S(base) - S(source perfect) of this chunk's runs."""
        self.sources[(kind, sid)] = [len(drop), float(drop.mean()),
                                     float(((drop - drop.mean()) ** 2).sum())]

    def merge(self, o: Tally) -> Tally:
        n = self.runs + o.runs
        _, mean, m2 = _chan(self.runs, self.s_mean, self.s_m2, o.runs, o.s_mean, o.s_m2)
        sources = self._merge_sources(o)
        return Tally(n, mean, m2, self.on_time + o.on_time, self.all_met + o.all_met,
                     self.completion + o.completion, self.h_count + o.h_count,
                     np.minimum(self.h_min, o.h_min), np.maximum(self.h_max, o.h_max), sources)


def _chan(na: float, ma: float, m2a: float, nb: float, mb: float,
          m2b: float) -> tuple[float, float, float]:
    """Merge two (count, mean, sum of squared deviations) summaries (Chan et al.)."""
    n = na + nb
    delta = mb - ma
    mean = ma + delta * nb / n
    m2 = m2a + m2b + delta * delta * na * nb / n
    return n, mean, m2


def _stderr(n: float, m2: float) -> float:
    return math.sqrt(m2 / (n - 1) / n) if n > 1 else 0.0


def quantile(count: np.ndarray, lo: np.ndarray, hi: np.ndarray, p: float, n: int) -> float:
    """Value of rank ``ceil(p * n)`` from one histogram (see the module docstring)."""
    rank = max(1, math.ceil(p * n - 1e-12))
    cum = np.cumsum(count)
    b = int(np.searchsorted(cum, rank))
    c = int(count[b])
    inside = rank - (int(cum[b]) - c)  # 1..c
    if c <= 1 or lo[b] == hi[b]:
        return float(lo[b]) if inside == 1 or lo[b] == hi[b] else float(hi[b])
    return float(lo[b] + (hi[b] - lo[b]) * (inside - 1) / (c - 1))


def risk_document(
    m: RiskModel, t: Tally, *, runs: int, seed: int, chunk_size: int, criticality_runs: int
) -> dict[str, Any]:
    """The risk file, format v1 (docs/risk.md), as plain data (checked by :class:`RiskFile`)."""
    n = t.runs
    due_dates = [DueDate(demand=m.demands[d], week=w, cumulative_due=float(m.d_due_cum[w, d]),
                         p_on_time=float(t.on_time[i]) / n)
                 for i, (d, w) in enumerate(m.due_dates)]
    order = sorted(range(len(m.demands)), key=lambda d: m.demands[d])
    deliveries: list[Deliveries] = []
    completion: list[Completion] = []
    for d in order:
        for w in range(m.weeks):
            q = [quantile(t.h_count[d, w], t.h_min[d, w], t.h_max[d, w], p, n)
                 for p in (0.1, 0.5, 0.9)]
            deliveries.append(Deliveries(demand=m.demands[d], week=w,
                                         p10=q[0], p50=q[1], p90=q[2]))
        for w in range(m.weeks):
            if t.completion[d, w]:
                completion.append(Completion(demand=m.demands[d], week=w,
                                             probability=float(t.completion[d, w]) / n))
        completion.append(Completion(demand=m.demands[d], week=None,
                                     probability=float(t.completion[d, m.weeks]) / n))
    criticality = []
    for (kind, sid), (cnt, mean, m2) in t.sources.items():
        stderr = _stderr(cnt, m2)
        # a perfect source that makes things worse beyond noise
        worse = mean < -WORSE_SE * stderr and mean < -TOLERANCE
        criticality.append(Criticality(kind=kind, id=sid, drop=mean, stderr=stderr,
                                       worse_when_perfect=worse))
    criticality.sort(key=lambda c: (-c.drop, c.kind, c.id))
    return RiskFile(
        surge_risk=1, scenario=m.scenario, runs=runs, seed=seed, chunk_size=chunk_size,
        criticality_runs=criticality_runs, weeks=m.weeks, expected_service=t.s_mean,
        service_stderr=_stderr(n, t.s_m2), p_all_met=t.all_met / n,
        uncertainty=bool(m.uncertain_sources()) or bool((m.t_yield_sd > 0).any()),
        due_dates=due_dates, deliveries=deliveries, completion=completion,
        criticality=criticality,
    ).document()
