"""Independent solves of one model side by side: in this process, or on Dask workers
(``--cluster local[:N]`` or ``tcp://HOST:PORT``, as ``surge risk --cluster``).

A stage has pieces of work that do not depend on each other: the greedy constructions of
the service stage (one per cover), the LPs of the rounded relaxation (one per threshold)
and the fix-and-optimise neighbourhoods around the incumbent (one per group of
organisations). :class:`Portfolio` runs a list of such :class:`Task` objects and returns
their results **in the order they were given**; the stage then reads them in that order
exactly as if it had solved them one by one. Each task depends only on the scenario and
its own inputs, so when no task hits its time limit the plan is the same whatever the
number of workers; more workers only give it sooner (benchmarks/results/plan.md).

Each worker builds the model once from the scenario (its labels are the main process's:
``create_model`` is deterministic) and keeps it, with its own HiGHS instance (one thread),
for every later task of the same solve.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

import numpy as np

from surge.optimize.model import Built
from surge.optimize.solver import HighsSession, StageResult
from surge.scenario.model import Scenario

Objective = Literal["service", "cost", "weighted"]
Kind = Literal["fixed", "construct", "restricted"]
MIN_TASK_SECONDS = 0.5  # a task with less time left is not started [s]
MIN_WORKERS = 2  # fewer workers run nothing side by side: the solve stays in this process


@dataclass
class Task:
    """One independent solve of the stage's model.

    ``kind`` is ``fixed`` (the LP with ``fix`` applied), ``construct`` (the LP of the
    chosen ``options`` on the reduced model, construct.py) or ``restricted``
    (branch-and-bound with ``fix`` applied, from ``start``). ``cap`` bounds ``S`` in the
    cost stage. ``time_limit`` is in seconds from when the task starts.
    """

    kind: Kind
    objective: Objective
    time_limit: float
    fix: dict[int, float] = field(default_factory=dict)
    options: list[int] = field(default_factory=list)
    cap: float | None = None
    start: np.ndarray | None = field(default=None, repr=False)
    gap: float = 1e-4
    method: str = "ipm"
    deadline: float | None = None  # wall clock (time.time()) the task must end by [s]


@dataclass
class Outcome:
    """A task's plan (a solution of the full model, by label) and how long it took."""

    x: np.ndarray | None
    seconds: float
    status: str = ""


def objective_vector(b: Built, objective: Objective, n: int) -> np.ndarray:
    """The stage's objective by label: ``S``, ``C`` or ``C + late_penalty * S``."""
    assert b.service is not None and b.cost is not None
    if objective == "service":
        return b.service.vector(n)
    if objective == "cost":
        return b.cost.vector(n)
    return b.cost.vector(n) + b.d.sc.objective.late_penalty * b.service.vector(n)


def run_task(b: Built, session: HighsSession, service_row: int, task: Task,
             threads: int | None = None) -> Outcome:
    """Solve ``task`` on ``b`` with ``session`` (whose row ``service_row`` is ``S <= cap``
    when the task has a cap; -1: no such row)."""
    from surge.optimize.construct import construct

    t0 = time.perf_counter()
    limit = task.time_limit
    if task.deadline is not None:  # a task that waited for a worker has less time
        limit = min(limit, task.deadline - time.time())
    if limit < MIN_TASK_SECONDS:
        return Outcome(None, 0.0, "no time left")
    n = len(session.col_of)
    if task.kind == "construct":
        x = construct(b, n, task.options, task.objective, limit, task.cap, threads)
        return Outcome(x, time.perf_counter() - t0)
    session.set_objective(objective_vector(b, task.objective, n))
    if service_row >= 0:
        session.set_row_bounds(service_row, -np.inf,
                               task.cap if task.cap is not None else np.inf)
    if task.kind == "fixed":
        res: StageResult = session.relaxed("fixed", time_limit=limit, fix=task.fix,
                                           method=task.method)
    else:
        res = session.restricted("improve", time_limit=limit, mip_gap=task.gap,
                                 fix=task.fix, start=task.start)
    x = None
    if res.has_solution and res.x is not None:
        x = np.nan_to_num(res.x)
        for lab, val in task.fix.items():
            x[lab] = val
    return Outcome(x, time.perf_counter() - t0, res.status)


# --- on a worker ---------------------------------------------------------------------

_WORKER: dict[str, Any] = {}  # the model this worker holds: key, built, session, row
_LOCK = threading.Lock()


def _worker_model(key: str, sc: Scenario) -> tuple[Built, HighsSession, int]:
    from surge.optimize.data import prepare
    from surge.optimize.model import create_model
    from surge.optimize.stages import n_labels

    if _WORKER.get("key") != key:
        _WORKER.clear()
        b = create_model(prepare(sc))
        session = HighsSession(b.m, threads=1)
        assert b.service is not None
        row = session.add_row(b.service.vector(n_labels(b.m)), -np.inf, np.inf)
        _WORKER.update(key=key, built=b, session=session, row=row)
    return _WORKER["built"], _WORKER["session"], _WORKER["row"]


def remote_task(key: str, sc: Scenario, task: Task) -> Outcome:
    """Run ``task`` on this worker's copy of the model of ``sc`` (built on first use)."""
    with _LOCK:  # one HiGHS instance per worker: its tasks run one after another
        b, session, row = _worker_model(key, sc)
        return run_task(b, session, row, task, threads=1)


def warm(key: str, sc: Scenario) -> bool:
    """Build this worker's model now, while the main process builds its own."""
    with _LOCK:
        _worker_model(key, sc)
    return True


# --- in the main process ---------------------------------------------------------------

class Portfolio:
    """Runs lists of tasks: in this process (``spec`` ``None``) or on a Dask cluster."""

    def __init__(self, sc: Scenario, spec: str | None = None) -> None:
        self.sc, self.spec = sc, spec
        self._cluster: Any = None
        self._client: Any = None
        self._scenario: Any = None
        self._key = ""
        self.workers = 0
        self._warm: list[Any] = []

    @property
    def remote(self) -> bool:
        """Tasks go to the workers: a cluster of at least ``MIN_WORKERS``."""
        return self._client is not None and self.workers >= MIN_WORKERS

    def __enter__(self) -> Portfolio:
        if not self.spec:
            return self
        import uuid

        from surge.risk.dask_backend import open_client, parse_cluster

        kind, where = parse_cluster(self.spec)
        if kind == "local" and int(where) < MIN_WORKERS:
            return self  # nothing would run side by side: no cluster to start
        self._client, self._cluster = open_client(self.spec)
        workers = list(self._client.scheduler_info()["workers"])
        self.workers = len(workers)
        if self.workers < MIN_WORKERS:
            return self
        self._key = uuid.uuid4().hex
        self._scenario = self._client.scatter(self.sc, broadcast=True)
        self._warm = [self._client.submit(warm, self._key, self._scenario, workers=[w],
                                          pure=False) for w in workers]
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        from surge.risk.dask_backend import close_client

        close_client(self._client, self._cluster)

    def map(self, tasks: list[Task], b: Built, session: HighsSession,
            service_row: int) -> list[Outcome]:
        """The outcomes of ``tasks``, in their order (remote: all at once on the workers;
        here: one after another on ``session``, whose row ``service_row`` is restored)."""
        if not self.remote:
            return self._here(tasks, b, session, service_row)
        futures = [self._client.submit(remote_task, self._key, self._scenario, t, pure=False)
                   for t in tasks]
        return list(self._client.gather(futures))

    @staticmethod
    def _here(tasks: list[Task], b: Built, session: HighsSession,
              service_row: int) -> list[Outcome]:
        if service_row < 0:
            return [run_task(b, session, -1, t, session.threads) for t in tasks]
        lp = session.h.getLp()
        lower = float(np.asarray(lp.row_lower_)[service_row])
        upper = float(np.asarray(lp.row_upper_)[service_row])
        try:
            return [run_task(b, session, service_row, t, session.threads) for t in tasks]
        finally:
            session.set_row_bounds(service_row, lower, upper)
