"""The scenario and plan behind a page, read through the user's :class:`Scope` and cached.

Revisions never change and a finished job's result never changes, so the parsed
:class:`Scenario` and :class:`Plan` are kept in a small per-application cache keyed by the
row id *and the organisation the document was cut to*: a manufacturer's cut and the whole
document are different entries, and what enters the cache was read through the scope.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException, Request, status

from surge.errors import SurgeError
from surge.plan.model import Plan
from surge.scenario import load
from surge.scenario.model import Scenario
from surge.service.db.models import Job, Revision
from surge.service.scope import Scope
from surge.service.views import cut_plan, cut_scenario

T = TypeVar("T")
SIZE = 128  # entries per application


class Cache:
    """A thread-safe least-recently-used cache of immutable page inputs."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def cache(request: Request) -> Cache:
    """The application's cache (made on first use)."""
    state = request.app.state
    if not hasattr(state, "ui_cache"):
        state.ui_cache = Cache()
    c: Cache = state.ui_cache
    return c


def _load(doc: dict[str, Any], what: str) -> Scenario:
    try:
        return load(doc)
    except SurgeError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"{what} cannot be drawn: {exc}") from None


def scenario(request: Request, scope: Scope, rev: Revision,
             organization: str | None = None) -> Scenario:
    """The revision's scenario as the user may see it (cut to its organisation), or, for the
    agency and analysts, cut to ``organization`` if one is given (a preview of its part)."""
    org = scope.organization or organization

    def make() -> Scenario:
        doc = scope.scenario(rev)
        if org is not None and scope.organization is None:
            doc = cut_scenario(doc, org)
        return _load(doc, f"revision {rev.number}" + (f" (part of {org})" if org else ""))

    return cache(request).get(("scenario", rev.id, org), make)


def plan(request: Request, scope: Scope, job: Job, organization: str | None = None) -> Plan:
    """The finished job's plan as the user may see it (see :func:`scenario`); 409 if the
    job has no plan yet."""
    org = scope.organization or organization

    def make() -> Plan:
        doc = scope.plan_document(job)
        if doc is None:
            raise HTTPException(status.HTTP_409_CONFLICT,
                                detail=f"plan {job.id} is {job.status}: it has no plan yet")
        if org is not None and scope.organization is None:
            rev = scope.revision(job.programme_id, job.revision)
            doc = cut_plan(doc, rev.scenario, org)
        return Plan.from_dict(doc)

    if job.status != "done":
        return make()  # raises: nothing to cache
    return cache(request).get(("plan", job.id, org), make)
