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
            from surge.risk.dask_backend import open_client

            self._client, self._cluster = open_client(self.spec)
            self._scenario = self._client.scatter(self.sc, broadcast=True)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        from surge.risk.dask_backend import close_client

        close_client(self._client, self._cluster)

    def many(self, ref: PlanObjective, det_service: float,
             buffers: list[Buffers]) -> list[Candidate]:
        st = self.st
        args = (ref, det_service, st.runs, st.seed, st.time_limit, st.gap)
        if self._client is None:
            return [evaluate(self.sc, b, *args) for b in buffers]
        futures = [self._client.submit(evaluate, self._scenario, b, *args, pure=False)
                   for b in buffers]
        return list(self._client.gather(futures))
