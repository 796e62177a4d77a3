"""Risk jobs on a finished plan (agency and analysts only)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from surge.service.auth import CurrentUser, require
from surge.service.db.models import Job
from surge.service.deps import Id, RunnerDep, ScopeDep
from surge.service.jobs import queue_job
from surge.service.schemas import JobQueued, RiskCreate, RiskPublic
from surge.service.scope import not_found

router = APIRouter(tags=["risk"])


@router.post("/plans/{plan_id}/risk", status_code=202, dependencies=[require("agency", "analyst")])
def start_risk(plan_id: Id, body: RiskCreate, scope: ScopeDep, user: CurrentUser,
               runner: RunnerDep) -> JobQueued:
    """Queue a Monte Carlo of a finished plan: ``runs`` runs from ``seed``."""
    plan = scope.job(plan_id, "plan")
    if plan.status != "done":
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"plan {plan_id} is {plan.status}; risk needs a done plan")
    job = Job(kind="risk", programme_id=plan.programme_id, revision=plan.revision,
              plan_id=plan.id, author=user.email, params=body.model_dump())
    queue_job(scope.db, runner, job, user=user.email,
              detail=f"plan {plan_id}, {body.runs} runs, seed {body.seed}")
    return JobQueued(id=job.id, status="queued")


@router.get("/risk/{risk_id}")
def get_risk(risk_id: Id, scope: ScopeDep) -> RiskPublic:
    """Status of a risk job and, when done, the risk document."""
    if scope.organization is not None:
        raise not_found(f"risk {risk_id}")
    job: Job = scope.job(risk_id, "risk")
    return RiskPublic(id=job.id, plan=job.plan_id or 0, status=job.status, progress=job.progress,
                      message=job.message, risk=job.result if job.status == "done" else None)
