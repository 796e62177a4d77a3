"""Plan jobs: start, read, the plan document, publish."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from surge.service.auth import CurrentUser, require
from surge.service.db.models import Job
from surge.service.deps import Id, RunnerDep, ScopeDep, audit
from surge.service.jobs import queue_job
from surge.service.schemas import JobQueued, PlanCreate, PlanPublic

router = APIRouter(tags=["plans"])


def plan_public(job: Job, scope: ScopeDep) -> PlanPublic:
    """The job's row as the user may see it (no message for a manufacturer)."""
    objective = (job.result or {}).get("objective")
    return PlanPublic(id=job.id, programme=job.programme_id, revision=job.revision,
                      status=job.status, progress=job.progress,
                      message="" if scope.organization else job.message,
                      published=job.published, objective=objective)


@router.post("/programmes/{pid}/plans", status_code=202,
             dependencies=[require("agency", "analyst")])
def start_plan(pid: Id, body: PlanCreate, scope: ScopeDep, user: CurrentUser,
               runner: RunnerDep) -> JobQueued:
    """Queue a plan job on a revision (with optional ``set`` changes: a what-if)."""
    scope.revision(pid, body.revision)
    job = Job(kind="plan", programme_id=pid, revision=body.revision, author=user.email,
              params=body.model_dump(exclude_none=True, exclude={"revision"}))
    queue_job(scope.db, runner, job, user=user.email,
              detail=f"programme {pid} revision {body.revision}")
    return JobQueued(id=job.id, status="queued")


@router.get("/plans/{plan_id}")
def get_plan(plan_id: Id, scope: ScopeDep) -> PlanPublic:
    """Status, progress and objective of a plan job."""
    return plan_public(scope.job(plan_id, "plan"), scope)


@router.get("/plans/{plan_id}/plan")
def get_plan_document(plan_id: Id, scope: ScopeDep) -> dict[str, Any]:
    """The plan document (plan format v1); for a manufacturer only its own rows."""
    job = scope.job(plan_id, "plan")
    doc = scope.plan_document(job)
    if doc is None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"plan {plan_id} is {job.status}: it has no plan document yet")
    return doc


@router.post("/plans/{plan_id}/publish", dependencies=[require("agency")])
def publish(plan_id: Id, scope: ScopeDep, user: CurrentUser) -> PlanPublic:
    """Make a finished plan visible to the manufacturers."""
    job = scope.job(plan_id, "plan")
    if job.status != "done":
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"plan {plan_id} is {job.status}; "
                                   "only a done plan can be published")
    if not job.published:
        job.published = True
        audit(scope.db, user=user, action="plan published", obj=f"plan {plan_id}")
        scope.db.commit()
    return plan_public(job, scope)
