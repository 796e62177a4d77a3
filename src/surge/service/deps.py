"""Annotated dependencies of the routes: the user's scoped session, scope and audit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from surge.service.auth import CurrentUser
from surge.service.db.models import AuditEntry, User
from surge.service.jobs import JobRunner
from surge.service.scope import Scope, scoped


def _session(request: Request, user: CurrentUser) -> Iterator[Session]:
    with scoped(request.app.state.sessions, user) as db:
        yield db


SessionDep = Annotated[Session, Depends(_session)]


def _scope(db: SessionDep, user: CurrentUser) -> Scope:
    return Scope(db, user)


ScopeDep = Annotated[Scope, Depends(_scope)]


def _runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


RunnerDep = Annotated[JobRunner, Depends(_runner)]


def audit(db: Session, *, user: User, action: str, obj: str, detail: str = "") -> None:
    """Add an audit entry to the session's transaction (committed with the change)."""
    db.add(AuditEntry(user=user.email, action=action, object=obj, detail=detail))


Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="a positive id")]
