"""Programmes and their revisions (immutable scenario documents)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surge.scenario import validate
from surge.service.auth import CurrentUser, require
from surge.service.db.models import Programme, ProgrammeOrganization, Revision, User
from surge.service.deps import Id, ScopeDep, SessionDep, audit
from surge.service.schemas import (
    ProgrammeCreate,
    ProgrammePublic,
    RevisionCreate,
    RevisionPublic,
    RevisionSummary,
)
from surge.service.scope import Scope
from surge.service.views import organizations_named

router = APIRouter(tags=["programmes"])
AGENCY = require("agency")


@router.post("/programmes", status_code=201, dependencies=[AGENCY])
def create_programme(body: ProgrammeCreate, db: SessionDep, user: CurrentUser) -> ProgrammePublic:
    """Create an empty programme."""
    prog = Programme(name=body.name)
    db.add(prog)
    db.flush()
    audit(db, user=user, action="programme created", obj=f"programme {prog.id}", detail=body.name)
    db.commit()
    return ProgrammePublic(id=prog.id, name=prog.name)


@router.get("/programmes")
def list_programmes(scope: ScopeDep) -> list[ProgrammePublic]:
    """The programmes the user may see."""
    return [ProgrammePublic(id=p.id, name=p.name) for p in scope.programmes()]


def add_revision(db: Session, pid: int, scenario: dict[str, Any], message: str,
                 user: User) -> Revision:
    """Add revision ``n + 1`` of programme ``pid`` (a checked scenario document), name its
    organisations in the programme, and its audit entry; the caller commits."""
    number = (db.scalar(select(func.max(Revision.number)).where(Revision.programme_id == pid))
              or 0) + 1
    rev = Revision(programme_id=pid, number=number, message=message, author=user.email,
                   scenario=scenario)
    db.add(rev)
    known = set(db.scalars(select(ProgrammeOrganization.organization)
                           .where(ProgrammeOrganization.programme_id == pid)))
    for org in sorted(organizations_named(scenario) - known):
        db.add(ProgrammeOrganization(programme_id=pid, organization=org))
    audit(db, user=user, action="revision created", obj=f"programme {pid} revision {number}",
          detail=message)
    try:
        db.flush()
    except IntegrityError:  # another request took number n + 1 first
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"programme {pid}: another revision {number} was added at "
                                   "the same time; nothing was changed, send it again") from None
    return rev


def revision_public(rev: Revision, scope: Scope) -> RevisionPublic:
    """A revision as the user may see it (a manufacturer: its own part)."""
    return RevisionPublic(number=rev.number, message=rev.message, author=rev.author,
                          created_at=rev.created_at, programme=rev.programme_id,
                          scenario=scope.scenario(rev))


@router.post("/programmes/{pid}/revisions", status_code=201, dependencies=[AGENCY],
             response_model=RevisionPublic,
             responses={422: {"description": "the scenario breaks rules of the format"}})
def create_revision(pid: Id, body: RevisionCreate, scope: ScopeDep,
                    user: CurrentUser) -> RevisionPublic | JSONResponse:
    """Add revision ``n + 1``: a checked scenario document that never changes."""
    scope.programme(pid)
    scenario, problems = validate(body.scenario)
    if scenario is None:
        errors = [{"path": p.path, "message": p.message} for p in problems if p.severity == "error"]
        return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={
            "detail": f"the scenario of programme {pid} has {len(errors)} problem(s)",
            "problems": errors})
    rev = add_revision(scope.db, pid, body.scenario, body.message, user)
    scope.db.commit()
    out = revision_public(rev, scope)
    out.warnings = [{"path": p.path, "message": p.message} for p in problems]
    return out


@router.get("/programmes/{pid}/revisions")
def list_revisions(pid: Id, scope: ScopeDep) -> list[RevisionSummary]:
    """Every revision of the programme, oldest first."""
    return [RevisionSummary(number=r.number, message=r.message, author=r.author,
                            created_at=r.created_at) for r in scope.revisions(pid)]


@router.get("/programmes/{pid}/revisions/{number}")
def get_revision(pid: Id, number: Id, scope: ScopeDep) -> RevisionPublic:
    """One revision: the whole scenario, or a manufacturer's own part of it."""
    return revision_public(scope.revision(pid, number), scope)


__all__ = ["router", "User"]
