"""Pages of the programme's execution: the capacity survey and plan versus actual.

Everything that changes something calls the API's own route functions
(:mod:`surge.service.routes.surveys`, :mod:`surge.service.routes.actuals`) with the page
user's scope, so it is checked, isolated and audited exactly as through the API. What a page
shows is read through the same scope: a manufacturer sees its own uploads and actuals only,
and plan versus actual is computed from its cut of the scenario and plan.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import numpy as np
import plotly.graph_objects as go
from fastapi import APIRouter, Form, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import HTMLResponse, JSONResponse, Response
from plotly.subplots import make_subplots

from surge.errors import InputError, Problem, SurgeError
from surge.plan.model import Plan
from surge.scenario.load import read_document
from surge.scenario.model import Scenario
from surge.service.db.models import ActualsDocument, Job, User
from surge.service.deps import Id
from surge.service.routes import actuals as actuals_routes
from surge.service.routes import surveys as survey_routes
from surge.service.schemas import ActualsCreate, ReplanCreate
from surge.service.scope import Scope, not_found
from surge.service.ui import figures, loading, nav, tables
from surge.service.ui.pages import Csrf, see_other
from surge.service.ui.render import page
from surge.service.ui.session import PageScope, PageUser, allow, check_csrf
from surge.state import Tracking, load_actuals, track

router = APIRouter(include_in_schema=False)
MAKERS = ("agency", "manufacturer")


def _problems_of(response: JSONResponse) -> tuple[str, list[dict[str, Any]]]:
    body = json.loads(bytes(response.body))
    return str(body.get("detail", "")), list(body.get("problems", []))


# --- the capacity survey ------------------------------------------------------------------


def surveys_page(request: Request, user: User, scope: Scope, pid: int, *,
                 rejected: tuple[str, list[dict[str, Any]]] | None = None,
                 status_code: int = 200) -> HTMLResponse:
    prog = scope.programme(pid)
    uploads = [survey_routes.survey_public(up) for up in scope.surveys(pid)]
    answers = None
    revisions = scope.revisions(pid)
    if scope.organization is None and revisions:
        answers = survey_routes.survey_status(pid, scope)
    detail, problems = rejected or ("", [])
    return page(request, "surveys.html", user, status_code=status_code,
                title=f"{prog.name} · surveys", programme=prog, uploads=list(reversed(uploads)),
                answers=answers, has_revision=bool(revisions), detail=detail,
                problems=problems, errors=sum(p["severity"] == "error" for p in problems),
                tabs=nav.tabs(nav.PROGRAMME_TABS, user.role, pid=pid),
                crumbs=[("Programmes", "/"), (prog.name, f"/programmes/{pid}")],
                active=f"/programmes/{pid}/surveys")


@router.get("/programmes/{pid}/surveys", response_class=HTMLResponse)
def surveys(request: Request, pid: Id, user: PageUser, scope: PageScope) -> Response:
    """A manufacturer: its template, its upload and its uploads; the agency and analysts:
    who has answered, every upload with its problems, and (the agency) merging."""
    return surveys_page(request, user, scope, pid)


@router.get("/programmes/{pid}/survey-template.xlsx")
def survey_template(request: Request, pid: Id, user: PageUser, scope: PageScope,
                    organization: Annotated[str | None, Query(max_length=200,
                                                              pattern=survey_routes.ID)] = None,
                    supplier: Annotated[str | None, Query(max_length=200,
                                                          pattern=survey_routes.ID)] = None
                    ) -> Response:
    """The survey workbook: a manufacturer's own, or (staff) any organisation's or
    supplier's, by the API's route function (which refuses anything else)."""
    return survey_routes.survey_template(pid, scope, organization=organization,
                                         supplier=supplier)


@router.post("/programmes/{pid}/surveys")
def upload_survey(request: Request, pid: Id, user: PageUser, scope: PageScope, csrf: Csrf,
                  file: UploadFile) -> Response:
    check_csrf(request, csrf)
    allow(user, *MAKERS)
    out = survey_routes.upload_survey(pid, file, scope, user)
    if isinstance(out, JSONResponse):  # problems by cell: the page lists them, nothing saved
        return surveys_page(request, user, scope, pid, rejected=_problems_of(out))
    return see_other(f"/programmes/{pid}/surveys#survey-{out.id}")


@router.get("/programmes/{pid}/surveys/{survey_id}/workbook.xlsx")
def survey_workbook(request: Request, pid: Id, survey_id: Id, user: PageUser,
                    scope: PageScope) -> Response:
    return survey_routes.get_survey_workbook(pid, survey_id, scope)


@router.post("/programmes/{pid}/surveys/{survey_id}/merge")
def merge_survey(request: Request, pid: Id, survey_id: Id, user: PageUser, scope: PageScope,
                 csrf: Csrf) -> Response:
    check_csrf(request, csrf)
    allow(user, "agency")
    out = survey_routes.merge_survey(pid, survey_id, scope, user)
    if isinstance(out, JSONResponse):
        return surveys_page(request, user, scope, pid, rejected=_problems_of(out))
    return see_other(f"/programmes/{pid}/revisions/{out.number}")


# --- plan versus actual -------------------------------------------------------------------


def _latest(docs: list[ActualsDocument]) -> list[ActualsDocument]:
    """The documents that reach furthest (the largest ``through_week``): tracked together."""
    if not docs:
        return []
    last = max(d.through_week for d in docs)
    return [d for d in docs if d.through_week == last]


def _replans(scope: Scope, job: Job) -> list[Job]:
    return [j for j in scope.plans(job.programme_id)
            if ((j.params or {}).get("replan") or {}).get("plan") == job.id]


def _tracking(sc: Scenario, plan: Plan, docs: list[ActualsDocument]
              ) -> tuple[Tracking | None, list[Problem]]:
    raw = actuals_routes.merge_actuals(docs)
    try:
        return track(sc, plan, load_actuals(raw, sc)), []
    except InputError as exc:
        return None, list(getattr(exc, "problems", []) or []) or [Problem("", str(exc))]


Panel = tuple[str, np.ndarray, np.ndarray, "np.ndarray | None"]
"""One panel of a cumulative chart: (title, planned per week over the horizon, actual per
week to ``W``, due per week over the horizon or ``None``) [units]."""


def delivery_panels(sc: Scenario, plan: Plan, t: Tracking) -> list[Panel]:
    """Per demand: planned and due over the whole horizon, delivered to ``W``."""
    planned = {s.name: np.zeros(sc.weeks) for s in t.series if s.kind == "deliveries"}
    for d in plan.deliveries:
        if d.demand in planned and 0 <= d.week < sc.weeks:
            planned[d.demand][d.week] += d.quantity
    dm = {d.id: d for d in sc.demands}
    out: list[Panel] = []
    for s in t.series:
        if s.kind != "deliveries":
            continue
        due = np.zeros(sc.weeks)
        for x in dm[s.name].due:
            if x.week < sc.weeks:
                due[x.week] += x.quantity
        out.append((s.name, planned[s.name], s.actual, due))
    return out


def production_panels(sc: Scenario, plan: Plan, t: Tracking) -> list[Panel]:
    """Per line the plan makes on (or the actuals report on): planned over the whole
    horizon, made to ``W`` (no due)."""
    made = {s.name: s.actual for s in t.series if s.kind == "production"}
    planned: dict[str, np.ndarray] = {}
    for p in plan.production:
        if 0 <= p.week < sc.weeks:
            planned.setdefault(p.line, np.zeros(sc.weeks))[p.week] += p.quantity
    return [(line, planned.get(line, np.zeros(sc.weeks)),
             made.get(line, np.zeros(t.through_week)), None)
            for line in sorted(set(planned) | set(made))]


def cumulative_figure(sc: Scenario, panels: list[Panel], through_week: int,
                      done: str = "delivered") -> go.Figure:
    """Cumulative actual (to ``W``) against plan and due, one panel each, dated weeks, a
    red line after the last week the actuals cover."""
    cols = min(3, max(1, len(panels)))
    rows = -(-len(panels) // cols) if panels else 1
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[p[0] for p in panels],
                        horizontal_spacing=0.06, vertical_spacing=0.22 / rows + 0.08)
    weeks = np.arange(sc.weeks)
    for i, (_, planned, actual, due) in enumerate(panels):
        r, c = i // cols + 1, i % cols + 1
        first = i == 0
        if due is not None:
            fig.add_trace(go.Scatter(x=weeks, y=np.cumsum(due), name="due", line_shape="hv",
                                     line={"color": "#6b7280", "dash": "dash"},
                                     legendgroup="due", showlegend=first), row=r, col=c)
        fig.add_trace(go.Scatter(x=weeks, y=np.cumsum(planned), name="plan",
                                 line={"color": "#2563eb", "dash": "dot"}, legendgroup="plan",
                                 showlegend=first), row=r, col=c)
        fig.add_trace(go.Scatter(x=weeks[:through_week], y=np.cumsum(actual), name=done,
                                 line={"color": "#111827", "width": 3}, legendgroup="actual",
                                 showlegend=first), row=r, col=c)
        fig.add_vline(x=through_week - 0.5, line={"color": "#b91c1c", "width": 1},
                      row=r, col=c)
    fig.update_layout(height=max(320, 260 * rows), margin={"l": 50, "r": 20, "t": 40, "b": 40},
                      legend={"orientation": "h", "y": -0.12 / rows - 0.05},
                      template="plotly_white")
    fig.update_yaxes(rangemode="tozero")
    return figures.dated(fig, sc, ticks=5)


def _conversion_rows(sc: Scenario, t: Tracking) -> list[dict[str, Any]]:
    def when(week: int | None) -> str:
        return tables.day(sc, week) if week is not None else "—"

    rows = []
    for c in t.conversions:
        late = c.weeks_late
        if c.actual_ready is None:
            state = "not started"
        elif late is None:
            state = "not in the plan"
        elif late > 0:
            state = f"{late} week{'s' if late != 1 else ''} late"
        elif late < 0:
            state = f"{-late} week{'s' if late != -1 else ''} early"
        else:
            state = "on time"
        rows.append({"line": c.line, "planned": when(c.planned_ready),
                     "actual": when(c.actual_ready), "fact": "ready" if c.ready else "expected",
                     "state": state, "late": "late" in state or state == "not started"})
    return rows


def _replan_rows(request: Request, scope: Scope, sc: Scenario, job: Job
                 ) -> list[dict[str, Any]]:
    rows = []
    for j in _replans(scope, job):
        info = (j.params or {})["replan"]
        row: dict[str, Any] = {"job": j, "through": tables.day(sc, int(info["through_week"])),
                               "freeze": info["freeze"], "changes": [], "nervousness": None,
                               "objective": (j.result or {}).get("objective") or {}}
        if j.status == "done" and j.result:
            ch = actuals_routes.replan_changes(j.id, scope)
            row["changes"] = [tables.with_dates(sc, _move(m)) for m in ch["activations"]]
            row["nervousness"] = ch["nervousness"]
            row["window"] = tables.dated_weeks(sc, int(info["through_week"]),
                                               int(info["through_week"]) + ch["window_weeks"] - 1)
        rows.append(row)
    return list(reversed(rows))


def _move(m: dict[str, Any]) -> str:
    line, change = m["line"], m["change"]
    if change == "added":
        return f"{line}: conversion added ({m['new_option']}), ready by week {m['new_ready']}"
    if change == "dropped":
        return f"{line}: conversion dropped (was {m['old_option']}, ready by week " \
               f"{m['old_ready']})"
    late = m["new_ready"] - m["old_ready"]
    what = f"{abs(late)} week{'s' if abs(late) != 1 else ''} " + ("later" if late > 0 else
                                                                   "earlier")
    if m["old_option"] != m["new_option"]:
        what = f"option {m['old_option']} to {m['new_option']}, {what}"
    return f"{line}: ready by week {m['old_ready']}, now by week {m['new_ready']} ({what})"


def actual_page(request: Request, user: User, scope: Scope, job: Job, *,
                problems: list[dict[str, Any]] | None = None, detail: str = "",
                upload_name: str = "", replan_error: str = "") -> HTMLResponse:
    prog = scope.programme(job.programme_id)
    ctx: dict[str, Any] = {
        "programme": prog, "job": job, "title": f"Plan vs actual · plan {job.id}",
        "tabs": nav.tabs(nav.PLAN_TABS, user.role, pid=prog.id, plan=job.id,
                         done=job.status == "done"),
        "crumbs": [("Programmes", "/"), (prog.name, f"/programmes/{prog.id}")],
        "active": f"/plans/{job.id}/actual", "problems": problems or [], "detail": detail,
        "upload_name": upload_name, "replan_error": replan_error}
    if job.status != "done":
        return page(request, "progress.html", user, kind="plan", **ctx)
    rev = scope.revision(job.programme_id, job.revision)
    sc, plan = loading.scenario(request, scope, rev), loading.plan(request, scope, job)
    docs = scope.actuals_list(prog.id, job.id)
    used = _latest(docs)
    t, bad = _tracking(sc, plan, used) if used else (None, [])
    ctx |= {"docs": [(d, tables.day(sc, d.through_week - 1)) for d in reversed(docs)],
            "senders": sorted({d.organization or "the agency" for d in used}),
            "used": [d.id for d in used], "tracking": t, "bad": bad, "sc": sc}
    if t is not None:
        ctx |= {"through": tables.day(sc, t.through_week - 1),
                "figures": [(title, intro, cumulative_figure(sc, panels, t.through_week, done))
                            for title, intro, panels, done in (
                    ("Delivered against due and against plan", "Cumulative units per demand: "
                     "delivered (solid, to the red line: the last week the actuals cover), "
                     "planned (dotted) and due (dashed).", delivery_panels(sc, plan, t),
                     "delivered"),
                    ("Made against plan", "Cumulative units per line: made (solid, to the red "
                     "line) and planned (dotted).", production_panels(sc, plan, t), "made"))
                            if panels],
                "conversions": _conversion_rows(sc, t),
                "shortfalls": [tables.with_dates(sc, s) for s in t.shortfalls[:10]],
                "more": max(0, len(t.shortfalls) - 10)}
    if scope.organization is None:
        ctx["replans"] = _replan_rows(request, scope, sc, job)
    return page(request, "actual.html", user, **ctx)


@router.get("/plans/{plan_id}/actual", response_class=HTMLResponse)
def actual(request: Request, plan_id: Id, user: PageUser, scope: PageScope) -> Response:
    """Plan versus actual of a published plan, from the actuals recorded for it."""
    return actual_page(request, user, scope, scope.job(plan_id, "plan"))


def _read_actuals(raw: bytes, name: str) -> tuple[dict[str, Any] | None, str]:
    try:
        doc = read_document(raw.decode("utf-8"), name)
    except UnicodeDecodeError as exc:
        return None, f"{name}: not UTF-8 text (byte {exc.start}); expected actuals in YAML " \
                     "or JSON"
    except SurgeError as exc:
        return None, str(exc)
    doc = json.loads(json.dumps(doc, default=str))  # dates as ISO text, as in the API
    if not isinstance(doc, dict):
        return None, f"{name}: expected a mapping (surge_actuals: 1, through_week, ...), " \
                     f"got {type(doc).__name__}"
    return doc, ""


@router.post("/plans/{plan_id}/actuals")
def record_actuals(request: Request, plan_id: Id, user: PageUser, scope: PageScope,
                   csrf: Csrf, file: UploadFile) -> Response:
    """Record an actuals file (YAML or JSON) by the API's route function: a manufacturer's
    facts must be of its own lines, sites and demands. Problems re-render the page."""
    check_csrf(request, csrf)
    allow(user, *MAKERS)
    job = scope.job(plan_id, "plan")
    name = (file.filename or "actuals.yaml")[:200]
    doc, why = _read_actuals(file.file.read(), name)
    if doc is None:
        return actual_page(request, user, scope, job, detail=why, upload_name=name)
    try:
        out = actuals_routes.post_actuals(job.programme_id, ActualsCreate(plan=plan_id,
                                                                          actuals=doc),
                                          scope, user)
    except HTTPException as exc:
        if exc.status_code not in (status.HTTP_404_NOT_FOUND, status.HTTP_409_CONFLICT):
            raise
        return actual_page(request, user, scope, job, detail=f"{name}: {exc.detail}",
                           upload_name=name)
    if isinstance(out, JSONResponse):
        detail, problems = _problems_of(out)
        return actual_page(request, user, scope, job, detail=f"{name}: {detail}",
                           problems=problems, upload_name=name)
    return see_other(f"/plans/{plan_id}/actual")


@router.post("/plans/{plan_id}/replan")
def replan(request: Request, plan_id: Id, user: PageUser, scope: PageScope, csrf: Csrf,
           freeze: Annotated[int, Form(ge=0, le=520)] = 0,
           time_limit_s: Annotated[float | None, Form(gt=0, le=86_400)] = None) -> Response:
    """Replan from the latest recorded actuals (merged), by the API's route function."""
    check_csrf(request, csrf)
    allow(user, "agency")
    job = scope.job(plan_id, "plan")
    used = _latest(scope.actuals_list(job.programme_id, job.id))
    if not used:
        raise not_found(f"actuals of plan {plan_id}")
    out = actuals_routes.replan(plan_id, ReplanCreate(actuals=[d.id for d in used],
                                                      freeze=freeze, time_limit_s=time_limit_s),
                                scope, user, request.app.state.runner)
    if isinstance(out, JSONResponse):
        detail, problems = _problems_of(out)
        lines = [detail] + [f"{p['path']}: {p['message']}" if p.get("path") else p["message"]
                            for p in problems]
        return actual_page(request, user, scope, job, replan_error="\n".join(lines))
    return see_other(f"/plans/{plan_id}/actual#replans")
