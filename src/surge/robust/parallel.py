"""Evaluating candidate plans in parallel: in this process, or on Dask (``local[:N]`` or
``tcp://HOST:PORT``, as ``surge risk --cluster``).

Each candidate is one task (solve with one thread, map back, verify, measure); results come
back in the order they were asked for, and each depends only on its inputs, so the search
takes the same path whatever the number of workers.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from surge.plan.model import PlanObjective
from surge.robust.buffers import Buffers
from surge.robust.search import Candidate, Settings, evaluate
from surge.scenario.model import Scenario


class Runner:
    """A context manager that evaluates lists of buffers, in order, maybe on Dask."""

    def __init__(self, sc: Scenario, st: Settings, cluster: str | None = None) -> None:
        self.sc, self.st, self.spec = sc, st, cluster
        self._cluster: Any = None
        self._client: Any = None
        self._scenario: Any = sc

    def __enter__(self) -> Runner:
        if self.spec:
            from distributed import Client, LocalCluster

            from surge.errors import InputError
            from surge.risk.dask_backend import parse_cluster

            kind, where = parse_cluster(self.spec)
            if kind == "local":
                self._cluster = LocalCluster(n_workers=int(where), threads_per_worker=1,
                                             processes=True, dashboard_address=":0")
                self._client = Client(self._cluster)
            else:
                try:
                    self._client = Client(str(where), timeout="10s")
                except OSError as exc:
                    raise InputError(
                        f"--cluster {where}: cannot reach a Dask scheduler ({exc})") from None
            self._scenario = self._client.scatter(self.sc, broadcast=True)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def many(self, ref: PlanObjective, det_service: float,
             buffers: list[Buffers]) -> list[Candidate]:
        st = self.st
        args = (ref, det_service, st.runs, st.seed, st.time_limit, st.gap)
        if self._client is None:
            return [evaluate(self.sc, b, *args) for b in buffers]
        futures = [self._client.submit(evaluate, self._scenario, b, *args, pure=False)
                   for b in buffers]
        return list(self._client.gather(futures))
