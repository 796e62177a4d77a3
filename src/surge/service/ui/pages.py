"""Pages: logging in and out, the programmes, a programme, a revision, job progress.

Changes go through the API's own route functions (:mod:`surge.service.routes`), called
with the page user's scope, so a page can do exactly what the API allows and is audited
the same way; the role check of each is made here first (the API's is a route dependency).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import plotly
from fastapi import APIRouter, Form, HTTPException, Request, UploadFile, status
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from surge.errors import Problem, SurgeError
from surge.scenario import validate
from surge.scenario.load import read_document
from surge.service.auth import authenticate
from surge.service.db.models import Job
from surge.service.deps import Id
from surge.service.routes import plans as plan_routes
from surge.service.routes import programmes as programme_routes
from surge.service.schemas import PlanCreate, ProgrammeCreate, RevisionCreate
from surge.service.scope import Scope
from surge.service.ui import figures, loading, nav, tables
from surge.service.ui.render import page
from surge.service.ui.session import (
    PageScope,
    PageUser,
    allow,
    check_csrf,
    clear_session,
    safe_next,
    session_user,
    set_session,
)

router = APIRouter(include_in_schema=False)
PLOTLY_JS = Path(plotly.__file__).with_name("package_data") / "plotly.min.js"
Csrf = Annotated[str, Form()]


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


# --- logging in -----------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    if session_user(request) is not None:
        return see_other(safe_next(next))
    return page(request, "login.html", None, title="Log in", next=safe_next(next))


@router.post("/login")
def login(request: Request, email: Annotated[str, Form(max_length=320)],
          password: Annotated[str, Form(max_length=1000)],
          next: Annotated[str, Form()] = "/") -> Response:
    with request.app.state.sessions() as db:
        user = authenticate(db, email, password)
    if user is None:
        return page(request, "login.html", None, status_code=401, title="Log in",
                    next=safe_next(next), error="Wrong email or password.", email=email)
    response = see_other(safe_next(next))
    set_session(response, request, user)
    return response


@router.post("/logout")
def logout(request: Request, user: PageUser, csrf: Csrf) -> Response:
    check_csrf(request, csrf)
    response = see_other("/login")
    clear_session(response)
    return response


# --- programmes -------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def programmes(request: Request, user: PageUser, scope: PageScope) -> Response:
    rows = []
    for p in scope.programmes():
        revs = scope.revisions(p.id)
        jobs = scope.plans(p.id)
        rows.append({"id": p.id, "name": p.name, "revisions": len(revs),
                     "plans": len(jobs), "published": sum(j.published for j in jobs),
                     "created": p.created_at})
    return page(request, "programmes.html", user, title="Programmes", programmes=rows)


@router.post("/programmes")
def create_programme(request: Request, user: PageUser, scope: PageScope, csrf: Csrf,
                     name: Annotated[str, Form(min_length=1, max_length=200)]) -> Response:
    check_csrf(request, csrf)
    allow(user, "agency")
    prog = programme_routes.create_programme(ProgrammeCreate(name=name), scope.db, user)
    return see_other(f"/programmes/{prog.id}")


def _plan_row(scope: Scope, job: Job) -> dict[str, Any]:
    objective = (job.result or {}).get("objective") or {}
    risks = [] if scope.organization else scope.risks(job.id)
    done = [r for r in risks if r.status == "done" and r.result]
    p = done[-1].result.get("p_all_met") if done else None  # type: ignore[union-attr]
    return {"id": job.id, "revision": job.revision, "status": job.status,
            "progress": job.progress, "message": "" if scope.organization else job.message,
            "published": job.published, "author": job.author, "created": job.created_at,
            "plan_status": (job.result or {}).get("status", ""),
            "service": objective.get("service"), "cost": objective.get("cost"),
            "p_on_time": p, "fragile": p is not None and p < 0.9,
            "risk_running": any(r.status in ("queued", "running") for r in risks)}


def programme_page(request: Request, user: Any, scope: Scope, pid: int, *,
                   problems: list[Problem] | None = None, upload_name: str = "",
                   status_code: int = 200) -> HTMLResponse:
    prog = scope.programme(pid)
    revs = scope.revisions(pid)
    plan_rows = [_plan_row(scope, j) for j in reversed(scope.plans(pid))]
    return page(request, "programme.html", user, status_code=status_code, title=prog.name,
                programme=prog, revisions=list(reversed(revs)), plans=plan_rows,
                problems=problems or [], upload_name=upload_name,
                errors=sum(p.severity == "error" for p in problems or []),
                tabs=nav.tabs(nav.PROGRAMME_TABS, user.role, pid=pid),
                crumbs=[("Programmes", "/")], active=f"/programmes/{pid}")


@router.get("/programmes/{pid}", response_class=HTMLResponse)
def programme(request: Request, pid: Id, user: PageUser, scope: PageScope) -> Response:
    return programme_page(request, user, scope, pid)


def _parse_upload(raw: bytes, name: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The uploaded scenario as JSON-ready data and every problem ``surge check`` finds."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem("", f"{name}: not UTF-8 text (byte {exc.start}); expected a "
                                  "scenario in YAML or JSON")]
    try:
        doc = read_document(text, name)
    except SurgeError as exc:
        return None, list(getattr(exc, "problems", [])) or [Problem("", str(exc))]
    doc = json.loads(json.dumps(doc, default=str))  # dates as ISO text, as in the API
    _, problems = validate(doc)
    return (doc if isinstance(doc, dict) else None), problems


@router.post("/programmes/{pid}/revisions")
async def upload_revision(request: Request, pid: Id, user: PageUser, scope: PageScope,
                          csrf: Csrf, file: UploadFile,
                          message: Annotated[str, Form(max_length=10_000)] = "") -> Response:
    check_csrf(request, csrf)
    allow(user, "agency")
    scope.programme(pid)
    name = file.filename or "upload.yaml"
    # Problems re-render the page (200, as a form does; the API answers 422), nothing saved.
    doc, problems = _parse_upload(await file.read(), name)
    if doc is None or any(p.severity == "error" for p in problems):
        return programme_page(request, user, scope, pid, problems=problems, upload_name=name)
    out = programme_routes.create_revision(pid, RevisionCreate(scenario=doc, message=message),
                                           scope, user)
    if isinstance(out, JSONResponse):  # the API found problems the page did not
        return programme_page(request, user, scope, pid, upload_name=name,
                              problems=[Problem(p["path"], p["message"]) for p in
                                        json.loads(bytes(out.body))["problems"]])
    return see_other(f"/programmes/{pid}/revisions/{out.number}")


@router.post("/programmes/{pid}/plans")
def start_plan(request: Request, pid: Id, user: PageUser, scope: PageScope, csrf: Csrf,
               revision: Annotated[int, Form(ge=1)],
               time_limit_s: Annotated[float | None, Form(gt=0, le=86_400)] = None,
               mip_gap: Annotated[float | None, Form(ge=0, lt=1)] = None) -> Response:
    check_csrf(request, csrf)
    allow(user, "agency", "analyst")
    body = PlanCreate(revision=revision, time_limit_s=time_limit_s, mip_gap=mip_gap)
    queued = plan_routes.start_plan(pid, body, scope, user, request.app.state.runner)
    return see_other(f"/plans/{queued.id}")


# --- a revision -------------------------------------------------------------------------


@router.get("/programmes/{pid}/revisions/{number}", response_class=HTMLResponse)
def revision(request: Request, pid: Id, number: Id, user: PageUser,
             scope: PageScope) -> Response:
    prog = scope.programme(pid)
    rev = scope.revision(pid, number)
    sc = loading.scenario(request, scope, rev)
    warnings: list[Problem] = []
    if scope.organization is None:
        warnings = [p for p in validate(rev.scenario)[1] if p.severity != "error"]
    sites = {s.id: s for s in sc.sites}
    orgs = []
    for o in sc.organizations:
        own = [s.id for s in sc.sites if s.organization == o.id]
        orgs.append({"id": o.id, "name": o.name or "", "kind": o.kind or "", "sites": own,
                     "lines": sum(1 for ln in sc.lines if ln.site in own)})
    return page(request, "revision.html", user, title=f"{prog.name} · revision {number}",
                programme=prog, rev=rev, sc=sc, orgs=orgs, sites=sites, warnings=warnings,
                suppliers=tables.suppliers_by_country(sc), demands=tables.demands(sc),
                end=tables.day(sc, sc.weeks - 1), start=tables.day(sc, 0),
                map=figures.sites_map(sc),
                tabs=nav.tabs(nav.PROGRAMME_TABS, user.role, pid=pid),
                crumbs=[("Programmes", "/"), (prog.name, f"/programmes/{pid}")])


# --- job progress -----------------------------------------------------------------------


@router.get("/jobs/{kind}/{job_id}.json")
def job_status(kind: str, job_id: Id, user: PageUser, scope: PageScope) -> dict[str, Any]:
    """What the progress bars poll: status, progress [0-1] and the current step."""
    if kind not in ("plan", "risk") or (kind == "risk" and scope.organization is not None):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{kind} {job_id} not found")
    job = scope.job(job_id, kind)
    return {"id": job.id, "status": job.status, "progress": job.progress,
            "message": "" if scope.organization else job.message}


@router.get("/static/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js from the installed plotly package, once, cached by the browser for a day
    (the page's address carries plotly's version, so an upgrade is fetched anew)."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})
