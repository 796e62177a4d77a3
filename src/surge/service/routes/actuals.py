"""Actuals and replanning over the API: front end of :mod:`surge.state`.

An actuals document is recorded against a *published* plan: the agency may report any
fact, a manufacturer only facts of its own lines, sites and demands (any other name, one
of another organisation or one that does not exist, answers 404 alike). The agency
replans a published plan from recorded actuals (merged into one document) or from a
document in the request: the scenario is rolled to ``through_week`` now, stored as a new
revision, and a plan job on it is queued.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import JSONResponse

from surge.errors import InputError, Problem
from surge.plan.model import Plan
from surge.scenario import load
from surge.service.auth import CurrentUser, require
from surge.service.db.models import ActualsDocument, Job
from surge.service.deps import Id, RunnerDep, ScopeDep, audit
from surge.service.jobs import queue_job
from surge.service.routes.programmes import add_revision
from surge.service.schemas import (
    ActualsCreate,
    ActualsPublic,
    ActualsSummary,
    ReplanCreate,
    ReplanQueued,
)
from surge.service.scope import Scope, not_found
from surge.service.views import own_sites_and_lines
from surge.state import Actuals, load_actuals, plan_changes, roll

router = APIRouter(tags=["surveys and actuals"])
PROBLEMS = {"description": "the actuals break rules of the format: `problems` lists them"}
LISTS = ("activations", "production", "purchases", "shipments", "deliveries", "stock")
# which key of which fact names a line, a site or a demand of its organisation
OWNED = {"activations": (("line", "line"),), "production": (("line", "line"),),
         "purchases": (("site", "site"),), "shipments": (("from", "site"), ("to", "site")),
         "deliveries": (("demand", "demand"),), "stock": (("site", "site"),)}


def _published_plan(scope: Scope, plan_id: int) -> Job:
    job = scope.job(plan_id, "plan")
    if not job.published or job.result is None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"plan {plan_id} is not published: actuals and replans are "
                                   "of a published plan")
    return job


def _foreign(doc: dict[str, Any], scenario: dict[str, Any], org: str) -> list[str]:
    """Paths of the facts in ``doc`` that name a line, site or demand not of ``org``."""
    sites, lines = own_sites_and_lines(scenario, org)
    demands = {d["id"] for d in scenario.get("demands", []) if d.get("site") in sites}
    own = {"line": lines, "site": sites, "demand": demands}
    bad = []
    for key, fields in OWNED.items():
        facts = doc.get(key)
        for i, fact in enumerate(facts if isinstance(facts, list) else []):
            if not isinstance(fact, dict):
                continue
            for name, kind in fields:
                value = fact.get(name)
                if isinstance(value, str) and value not in own[kind]:
                    bad.append(f"{key}[{i}].{name}")
    return bad


def _problems(exc: InputError) -> JSONResponse:
    problems: list[Problem] = list(getattr(exc, "problems", []) or [])
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={
        "detail": str(exc), "problems": [{"path": p.path, "message": p.message}
                                         for p in problems]})


def _summary(doc: ActualsDocument) -> dict[str, Any]:
    return {"id": doc.id, "programme": doc.programme_id, "plan": doc.plan_id,
            "organization": doc.organization, "through_week": doc.through_week,
            "author": doc.author, "created_at": doc.created_at}


def _dump(actuals: Actuals) -> dict[str, Any]:
    return actuals.model_dump(mode="json", by_alias=True)


@router.post("/programmes/{pid}/actuals", status_code=201,
             dependencies=[require("agency", "manufacturer")], response_model=ActualsPublic,
             responses={422: PROBLEMS})
def post_actuals(pid: Id, body: ActualsCreate, scope: ScopeDep,
                 user: CurrentUser) -> ActualsPublic | JSONResponse:
    """Record an actuals document for a published plan of the programme.

    A manufacturer's facts must be of its own lines, sites and demands: any other name
    answers 404. The document is checked by every rule of the actuals format against the
    plan's revision (422 with every problem and its path).
    """
    scope.programme(pid)
    job = scope.job(body.plan, "plan")
    if job.programme_id != pid:
        raise not_found(f"plan {body.plan} of programme {pid}")
    job = _published_plan(scope, body.plan)
    rev = scope.revision(pid, job.revision)
    org = scope.organization
    if org is not None:
        foreign = _foreign(body.actuals, rev.scenario, org)
        if foreign:
            raise HTTPException(status.HTTP_404_NOT_FOUND,
                                detail=f"{', '.join(foreign[:20])}: not found among the lines, "
                                       f"sites and demands of organization '{org}'")
    try:
        facts = load_actuals(body.actuals, load(rev.scenario))
    except InputError as exc:
        return _problems(exc)
    doc = ActualsDocument(programme_id=pid, plan_id=job.id, organization=org,
                          through_week=facts.through_week, document=_dump(facts),
                          author=user.email)
    scope.db.add(doc)
    scope.db.flush()
    audit(scope.db, user=user, action="actuals recorded", obj=f"actuals {doc.id}",
          detail=f"programme {pid} plan {job.id}, weeks 0..{facts.through_week - 1}"
                 + (f", organization {org}" if org else ""))
    scope.db.commit()
    return ActualsPublic(**_summary(doc), actuals=doc.document)


@router.get("/programmes/{pid}/actuals")
def list_actuals(pid: Id, scope: ScopeDep,
                 plan: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None
                 ) -> list[ActualsSummary]:
    """The actuals documents recorded for a programme (``plan``: of one plan), oldest first;
    a manufacturer sees those its organisation sent."""
    return [ActualsSummary(**_summary(d)) for d in scope.actuals_list(pid, plan)]


@router.get("/programmes/{pid}/actuals/{actuals_id}")
def get_actuals(pid: Id, actuals_id: Id, scope: ScopeDep) -> ActualsPublic:
    """One recorded actuals document."""
    doc = scope.actuals(pid, actuals_id)
    return ActualsPublic(**_summary(doc), actuals=doc.document)


def merge_actuals(docs: list[ActualsDocument]) -> dict[str, Any]:
    """One actuals document from several of the same plan and ``through_week``: their
    facts side by side (the rules of the format then judge the whole)."""
    weeks = {d.through_week for d in docs}
    if len(weeks) > 1:
        shown = ", ".join(f"actuals {d.id}: {d.through_week}" for d in docs)
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=f"the actuals to merge must cover the same weeks; their "
                                   f"through_week differ ({shown})")
    out: dict[str, Any] = {k: v for k, v in docs[0].document.items() if k not in LISTS}
    for key in LISTS:
        out[key] = [fact for d in docs for fact in d.document.get(key, [])]
    return out


@router.post("/plans/{plan_id}/replan", status_code=202, dependencies=[require("agency")],
             response_model=ReplanQueued, responses={422: PROBLEMS})
def replan(plan_id: Id, body: ReplanCreate, scope: ScopeDep, user: CurrentUser,
           runner: RunnerDep) -> ReplanQueued | JSONResponse:
    """Roll a published plan's scenario to the actuals' ``through_week`` (a new revision)
    and queue a plan job on it.

    ``actuals`` is a list of ids of recorded actuals of this plan (merged into one
    document) or an actuals document; ``freeze`` keeps the plan's orders and conversions
    of weeks ``W .. W+F-1`` as firm.
    """
    job = _published_plan(scope, plan_id)
    pid = job.programme_id
    rev = scope.revision(pid, job.revision)
    if isinstance(body.actuals, list):
        docs = []
        for aid in dict.fromkeys(body.actuals):
            doc = scope.actuals(pid, aid)
            if doc.plan_id != plan_id:
                raise not_found(f"actuals {aid} of plan {plan_id}")
            docs.append(doc)
        raw, used = merge_actuals(docs), [d.id for d in docs]
    else:
        raw, used = body.actuals, []
    scenario = load(rev.scenario)
    try:
        facts = load_actuals(raw, scenario)
        rolled = roll(scenario, facts, Plan.from_dict(job.result or {}), body.freeze)
    except InputError as exc:
        return _problems(exc)
    W = facts.through_week
    source = f"actuals {', '.join(map(str, used))}" if used else "actuals in the request"
    message = (f"rolled to week {W} from plan {plan_id} (revision {rev.number}) with {source}, "
               f"freeze {body.freeze}")
    new = add_revision(scope.db, pid, rolled.document, message, user)
    params: dict[str, Any] = {"replan": {"plan": plan_id, "through_week": W,
                                         "freeze": body.freeze, "actuals": used}}
    params |= body.model_dump(include={"time_limit_s", "mip_gap"}, exclude_none=True)
    plan = Job(kind="plan", programme_id=pid, revision=new.number, author=user.email,
               params=params)
    queue_job(scope.db, runner, plan, user=user.email,
              detail=f"replan of plan {plan_id}: programme {pid} revision {new.number}")
    return ReplanQueued(
        id=plan.id, status="queued", revision=new.number, through_week=W,
        service_incurred=rolled.service_incurred, spent=rolled.spent,
        corrections=[{"site": c.site, "item": c.item, "computed": c.computed,
                      "counted": c.counted, "difference": c.difference}
                     for c in rolled.corrections],
        frozen_purchases=rolled.frozen_purchases, frozen_activations=rolled.frozen_activations)


def _moves_only(doc: dict[str, Any]) -> dict[str, Any]:
    return {"scenario": doc.get("scenario", ""), "status": doc.get("status", "feasible"),
            **{k: doc.get(k, []) for k in ("activations", "production", "purchases")}}


@router.get("/plans/{plan_id}/changes")
def replan_changes(plan_id: Id, scope: ScopeDep) -> dict[str, Any]:
    """How a replan departs from the plan it replaces (state.md): conversions added, dropped
    or moved, and the nervousness over weeks ``W .. W+F-1`` (``F`` the freeze, or 4), in
    the old plan's weeks; a manufacturer's of its own lines and sites only."""
    job = scope.job(plan_id, "plan")
    info = (job.params or {}).get("replan")
    if not info:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"plan {plan_id} is not a replan: it replaces no plan")
    old_job = scope.job(int(info["plan"]), "plan")
    new_doc, old_doc = scope.plan_document(job), scope.plan_document(old_job)
    if new_doc is None or old_doc is None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"plan {plan_id} is {job.status}: it has no plan to compare")
    window = int(info["freeze"]) or 4
    changes = plan_changes(Plan.from_dict(_moves_only(old_doc)),
                           Plan.from_dict(_moves_only(new_doc)), int(info["through_week"]), window)
    return {"plan": plan_id, "replaces": old_job.id} | changes.to_dict()
