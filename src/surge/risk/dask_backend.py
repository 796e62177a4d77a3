"""Running chunks of runs on a Dask cluster: ``local[:N]`` or ``tcp://HOST:PORT``.

Each chunk is a task with its own seed; the tallies come back in any order and are put
back in chunk order, so the numbers are those of the in-process run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from surge.errors import InputError
from surge.risk.model import RiskModel
from surge.risk.results import Tally


def parse_cluster(spec: str) -> tuple[str, int | str]:
    """``local`` / ``local:N`` -> ("local", N), ``tcp://host:port`` -> ("tcp", address)."""
    m = re.fullmatch(r"local(?::(\d+))?", spec)
    if m:
        n = int(m.group(1)) if m.group(1) else 2
        if n < 1:
            raise InputError(f"--cluster {spec}: the number of workers must be >= 1, got {n}")
        return "local", n
    if re.fullmatch(r"tcp://[^\s:/]+:\d+", spec):
        return "tcp", spec
    raise InputError(f"--cluster {spec!r}: expected 'local', 'local:N' (N workers) "
                     "or 'tcp://HOST:PORT' (a running Dask scheduler)")


def open_client(spec: str) -> tuple[Any, Any]:
    """A Dask client for ``spec`` and the local cluster it started (``None`` for
    ``tcp://``); the caller closes both. An unreachable scheduler is an ``InputError``."""
    from distributed import Client, LocalCluster

    kind, where = parse_cluster(spec)
    if kind == "local":
        cluster = LocalCluster(n_workers=int(where), threads_per_worker=1, processes=True,
                               dashboard_address=":0")  # any free port: 8787 may be taken
        return Client(cluster), cluster
    try:
        return Client(str(where), timeout="10s"), None
    except OSError as exc:
        raise InputError(f"--cluster {where}: cannot reach a Dask scheduler ({exc})") from None


def close_client(client: Any, cluster: Any) -> None:
    """Close what :func:`open_client` opened (either may be ``None``)."""
    if client is not None:
        client.close()
    if cluster is not None:
        cluster.close()


ChunkRunner = Callable[[RiskModel, np.random.SeedSequence, int, int], Tally]
"""Runs one chunk: (model, seed, runs, criticality runs) -> tally."""


def run_on_dask(
    m: RiskModel, seeds: list[np.random.SeedSequence], sizes: list[int], critical: list[int],
    spec: str, run_chunk: ChunkRunner, progress: Callable[[int], None] | None = None,
) -> Tally:
    """Run every chunk as one Dask task with ``run_chunk``; merge the tallies in chunk order.

    A tally that arrives before its predecessors waits; memory holds at most the tallies
    that arrived out of order.
    """
    from distributed import as_completed

    cluster = None
    try:
        client, cluster = open_client(spec)
        with client:
            model = client.scatter(m, broadcast=True)
            futures = [client.submit(run_chunk, model, s, size, crit, pure=False)
                       for s, size, crit in zip(seeds, sizes, critical, strict=False)]
            index = {f.key: i for i, f in enumerate(futures)}
            waiting: dict[int, Tally] = {}
            total: Tally | None = None
            following = 0
            for fut in as_completed(futures):
                i = index[fut.key]
                waiting[i] = fut.result()
                fut.release()
                while following in waiting:
                    nxt = waiting.pop(following)
                    total = nxt if total is None else total.merge(nxt)
                    following += 1
                if progress:
                    progress(sizes[i])
    finally:
        if cluster is not None:
            cluster.close()
    assert total is not None and following == len(sizes)
    return total
