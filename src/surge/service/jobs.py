"""Plan and risk jobs: rows in the database, executed on Dask.

A job is ``queued`` → ``running`` → ``done`` or ``failed`` (with the reason in ``message``).
Its state lives in the database only: :meth:`JobRunner.start` re-queues what a killed
service left ``queued`` or ``running``, and a job started :data:`MAX_ATTEMPTS` times without
finishing is marked ``failed``. Results (plan and risk documents) are stored in the row.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from surge.service.db.models import AuditEntry, Job, Revision
from surge.service.db.session import make_engine

log = logging.getLogger("surge.service.jobs")
MAX_ATTEMPTS = 3
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _engine(url: str) -> Engine:
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def _set(url: str, job_id: int, **values: Any) -> None:
    with Session(_engine(url)) as db, db.begin():
        db.execute(update(Job).where(Job.id == job_id).values(**values))


def _finish(url: str, job_id: int, *, status: str, message: str,
            result: dict[str, Any] | None) -> None:
    """Store the outcome and its audit entry in one transaction."""
    with Session(_engine(url)) as db, db.begin():
        job = db.get(Job, job_id)
        if job is None:
            return
        job.status, job.message, job.result = status, message, result
        job.progress = 1.0 if status == "done" else job.progress
        db.add(AuditEntry(user="service", action=f"{job.kind} {status}",
                          object=f"{job.kind} {job_id}", detail=message[:2000]))


def queue_job(db: Session, runner: JobRunner, job: Job, *, user: str, detail: str) -> Job:
    """Add ``job``, its audit entry (``<kind> job created``) in the same transaction, commit,
    then hand the job to ``runner``. The one way a route starts a plan or risk job."""
    db.add(job)
    db.flush()
    db.add(AuditEntry(user=user, action=f"{job.kind} job created", object=f"{job.kind} {job.id}",
                      detail=detail))
    db.commit()
    runner.submit(job.id)
    return job


def _plan(job: Job, scenario: dict[str, Any], url: str) -> tuple[str, str, dict[str, Any]]:
    from surge.optimize import solve
    from surge.scenario import load
    from surge.scenario.overlay import apply_sets

    params = job.params or {}
    label = f"revision {job.revision} of programme {job.programme_id}"
    sc = apply_sets(scenario, params["set"], label) if params.get("set") else load(scenario)
    done = [0.0]

    def step(name: str) -> None:
        done[0] = min(0.9, done[0] + 0.15)
        _set(url, job.id, progress=done[0], message=name)

    plan = solve(sc, time_limit=params.get("time_limit_s"), mip_gap=params.get("mip_gap"),
                 threads=1, progress=step)
    ok = plan.status in ("optimal", "feasible")
    return ("done" if ok else "failed"), (plan.message or plan.status), plan.to_dict()


def _risk(job: Job, db: Session, scenario: dict[str, Any],
          url: str) -> tuple[str, str, dict[str, Any]]:
    from surge.plan.model import Plan
    from surge.risk import simulate
    from surge.scenario import load

    parent = db.get(Job, job.plan_id) if job.plan_id else None
    if parent is None or parent.result is None:
        return "failed", f"plan {job.plan_id} has no finished plan to simulate", {}
    runs, seed = int(job.params["runs"]), int(job.params.get("seed", 0))
    count = [0]

    def advance(k: int) -> None:
        count[0] += k
        _set(url, job.id, progress=min(0.99, count[0] / runs), message=f"{count[0]} runs")

    doc = simulate(load(scenario), Plan.from_dict(parent.result), runs=runs, seed=seed,
                   progress=advance)
    return "done", f"{runs} runs", doc


def run_job(url: str, job_id: int) -> str:
    """Execute one job (on a Dask worker): mark it running, compute, store the result."""
    with Session(_engine(url)) as db:
        with db.begin():
            job = db.get(Job, job_id)
            if job is None or job.status in ("done", "failed"):
                return "skipped"
            if job.attempts >= MAX_ATTEMPTS:
                job.status = "failed"
                job.message = f"abandoned after {job.attempts} attempts that did not finish"
                return "failed"
            job.status, job.attempts = "running", job.attempts + 1
            job.progress, job.message = 0.0, ""
        rev = db.scalar(select(Revision).where(Revision.programme_id == job.programme_id,
                                               Revision.number == job.revision))
        assert rev is not None
        try:
            if job.kind == "plan":
                status, message, result = _plan(job, rev.scenario, url)
            else:
                status, message, result = _risk(job, db, rev.scenario, url)
        except Exception as exc:  # noqa: BLE001 - a failed job says why, the service goes on
            log.exception("job %s failed", job_id)
            status, message, result = "failed", f"{type(exc).__name__}: {exc}", {}
    _finish(url, job_id, status=status, message=message, result=result or None)
    return status


class JobRunner:
    """Submits jobs to a Dask cluster: ``local[:N]`` in-process, or ``tcp://HOST:PORT``."""

    def __init__(self, url: str, cluster: str = "local") -> None:
        self.url = url
        self.cluster_spec = cluster
        self.client: Any = None
        self._cluster: Any = None
        self._futures: dict[int, Any] = {}

    def start(self) -> None:
        """Connect to the cluster and run again every job left queued or running."""
        from distributed import Client, LocalCluster

        if self.cluster_spec.startswith("tcp://"):
            self.client = Client(self.cluster_spec)
        else:
            _, _, n = self.cluster_spec.partition(":")
            self._cluster = LocalCluster(n_workers=1, threads_per_worker=int(n or 2),
                                         processes=False, dashboard_address=":0")
            self.client = Client(self._cluster)
        with Session(_engine(self.url)) as db, db.begin():
            left = list(db.scalars(select(Job.id).where(Job.status.in_(("queued", "running")))
                                   .order_by(Job.id)))
            db.execute(update(Job).where(Job.id.in_(left)).values(status="queued"))
        for job_id in left:
            self.submit(job_id)

    def submit(self, job_id: int) -> None:
        """Run job ``job_id`` on the cluster; a lost worker marks it failed with the reason."""
        future = self.client.submit(run_job, self.url, job_id, pure=False, retries=1,
                                    key=f"surge-job-{job_id}-{id(self)}")
        self._futures[job_id] = future
        future.add_done_callback(lambda f, j=job_id: self._done(j, f))

    def _done(self, job_id: int, future: Any) -> None:
        self._futures.pop(job_id, None)
        if future.status == "error":
            exc = future.exception()
            with Session(_engine(self.url)) as db, db.begin():
                job = db.get(Job, job_id)
                if job is not None and job.status in ("queued", "running"):
                    job.status, job.message = "failed", f"the worker was lost: {exc}"

    def stop(self) -> None:
        """Disconnect; unfinished jobs stay in the database and run after the next start."""
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
