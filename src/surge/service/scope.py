"""The one place isolation lives: a data-access layer bound to the user.

:func:`scoped` opens a session that carries its user; every ORM query on such a session
gets loader criteria (``with_loader_criteria``) that a manufacturer cannot bypass: only the
programmes that name its organisation, their revisions, their *published* plan jobs, the
survey uploads and actuals documents its own organisation sent, no risk job, no audit entry
and no other user. :class:`Scope` answers 404 for anything the
criteria hide and hands out documents cut to the organisation (:mod:`surge.service.views`).
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status
from sqlalchemy import event, false, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from surge.service.db.models import (
    ActualsDocument,
    AuditEntry,
    Job,
    Programme,
    ProgrammeOrganization,
    Revision,
    SurveyUpload,
    User,
)
from surge.service.views import cut_plan, cut_scenario

USER_KEY = "surge_user"


def scoped(factory: sessionmaker[Session], user: User) -> Session:
    """A session whose every query is limited to what ``user`` may see."""
    session = factory()
    session.info[USER_KEY] = user
    return session


@event.listens_for(Session, "do_orm_execute")
def _limit(state: ORMExecuteState) -> None:
    user: User | None = state.session.info.get(USER_KEY)
    if user is None or user.role != "manufacturer" or not state.is_select:
        return
    visible = select(ProgrammeOrganization.programme_id).where(
        ProgrammeOrganization.organization == (user.organization or ""))
    uid, org = user.id, user.organization or ""
    state.statement = state.statement.options(
        with_loader_criteria(Programme, lambda c: c.id.in_(visible), include_aliases=True),
        with_loader_criteria(Revision, lambda c: c.programme_id.in_(visible), include_aliases=True),
        with_loader_criteria(Job, lambda c: c.programme_id.in_(visible) & (c.kind == "plan")
                             & c.published.is_(True), include_aliases=True),
        with_loader_criteria(SurveyUpload, lambda c: c.programme_id.in_(visible)
                             & (c.organization == org), include_aliases=True),
        with_loader_criteria(ActualsDocument, lambda c: c.programme_id.in_(visible)
                             & (c.organization == org), include_aliases=True),
        with_loader_criteria(AuditEntry, lambda c: false(), include_aliases=True),
        with_loader_criteria(User, lambda c: c.id == uid, include_aliases=True),
    )


def not_found(what: str) -> HTTPException:
    """The 404 of an object the user may not see or that does not exist (indistinguishable)."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{what} not found")


class Scope:
    """Reads of organisation-owned data for one user, on a :func:`scoped` session."""

    def __init__(self, db: Session, user: User) -> None:
        self.db = db
        self.user = user

    @property
    def organization(self) -> str | None:
        """The organisation whose part the user sees (``None``: everything)."""
        return self.user.organization if self.user.role == "manufacturer" else None

    def programmes(self) -> list[Programme]:
        return list(self.db.scalars(select(Programme).order_by(Programme.id)))

    def programme(self, pid: int) -> Programme:
        prog = self.db.scalar(select(Programme).where(Programme.id == pid))
        if prog is None:
            raise not_found(f"programme {pid}")
        return prog

    def revisions(self, pid: int) -> list[Revision]:
        self.programme(pid)
        return list(self.db.scalars(
            select(Revision).where(Revision.programme_id == pid).order_by(Revision.number)))

    def revision(self, pid: int, number: int) -> Revision:
        rev = self.db.scalar(select(Revision).where(Revision.programme_id == pid,
                                                    Revision.number == number))
        if rev is None:
            raise not_found(f"revision {number} of programme {pid}")
        return rev

    def latest_revision(self, pid: int) -> Revision:
        """The newest revision of a programme; 409 if it has none yet."""
        self.programme(pid)
        rev = self.db.scalar(select(Revision).where(Revision.programme_id == pid)
                             .order_by(Revision.number.desc()).limit(1))
        if rev is None:
            raise HTTPException(status.HTTP_409_CONFLICT,
                                detail=f"programme {pid} has no revision yet: post a scenario "
                                       "first")
        return rev

    def scenario(self, rev: Revision) -> dict[str, Any]:
        """The revision's document, cut to the user's organisation if it has one."""
        org = self.organization
        return rev.scenario if org is None else cut_scenario(rev.scenario, org)

    def job(self, job_id: int, kind: str) -> Job:
        job = self.db.scalar(select(Job).where(Job.id == job_id, Job.kind == kind))
        if job is None:
            raise not_found(f"{kind} {job_id}")
        return job

    def plans(self, pid: int) -> list[Job]:
        """The programme's plan jobs the user may see (a manufacturer: the published ones)."""
        self.programme(pid)
        return list(self.db.scalars(select(Job).where(Job.programme_id == pid,
                                                      Job.kind == "plan").order_by(Job.id)))

    def risks(self, plan_id: int) -> list[Job]:
        """The risk jobs of a plan job, oldest first (none for a manufacturer)."""
        return list(self.db.scalars(select(Job).where(Job.plan_id == plan_id,
                                                      Job.kind == "risk").order_by(Job.id)))

    def plan_document(self, job: Job) -> dict[str, Any] | None:
        """The plan of a finished job, cut to the user's organisation if it has one."""
        if job.result is None:
            return None
        org = self.organization
        if org is None:
            return job.result
        rev = self.revision(job.programme_id, job.revision)
        return cut_plan(job.result, rev.scenario, org)

    def surveys(self, pid: int) -> list[SurveyUpload]:
        self.programme(pid)
        return list(self.db.scalars(select(SurveyUpload).where(SurveyUpload.programme_id == pid)
                                    .order_by(SurveyUpload.id)))

    def survey(self, pid: int, survey_id: int) -> SurveyUpload:
        up = self.db.scalar(select(SurveyUpload).where(SurveyUpload.id == survey_id,
                                                       SurveyUpload.programme_id == pid))
        if up is None:
            raise not_found(f"survey {survey_id} of programme {pid}")
        return up

    def actuals_list(self, pid: int, plan_id: int | None = None) -> list[ActualsDocument]:
        self.programme(pid)
        query = select(ActualsDocument).where(ActualsDocument.programme_id == pid)
        if plan_id is not None:
            query = query.where(ActualsDocument.plan_id == plan_id)
        return list(self.db.scalars(query.order_by(ActualsDocument.id)))

    def actuals(self, pid: int, actuals_id: int) -> ActualsDocument:
        doc = self.db.scalar(select(ActualsDocument).where(ActualsDocument.id == actuals_id,
                                                           ActualsDocument.programme_id == pid))
        if doc is None:
            raise not_found(f"actuals {actuals_id} of programme {pid}")
        return doc

    def audit(self) -> list[AuditEntry]:
        return list(self.db.scalars(select(AuditEntry).order_by(AuditEntry.id)))
