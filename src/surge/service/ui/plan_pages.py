"""Pages of a plan: the plan, why (bottlenecks and buffers), risk, a comparison of two plans,
and an organisation's part ("my part" for a manufacturer), with their CSV exports.

A manufacturer opens only its part of a published plan: the scope hides the rest (404) and
cuts the documents; the agency and analysts may preview any organisation's part, cut by the
same functions (:mod:`surge.service.views`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from surge.explain import explain
from surge.explain.compare import compare
from surge.explain.story import bottleneck_sentence, shortfall_sentence
from surge.plan.model import Plan
from surge.report import data
from surge.scenario.model import Scenario
from surge.service.db.models import Job, User
from surge.service.deps import Id
from surge.service.routes import plans as plan_routes
from surge.service.routes import risk as risk_routes
from surge.service.schemas import RiskCreate
from surge.service.scope import Scope, not_found
from surge.service.ui import figures, loading, nav, tables
from surge.service.ui.pages import Csrf, see_other
from surge.service.ui.render import page
from surge.service.ui.session import PageScope, PageUser, allow, check_csrf
from surge.service.views import organizations_named

router = APIRouter(include_in_schema=False)
STAFF = nav.STAFF


def _context(request: Request, user: User, scope: Scope, job: Job, title: str,
             **more: Any) -> dict[str, Any]:
    prog = scope.programme(job.programme_id)
    return {"programme": prog, "job": job, "title": f"{title} · plan {job.id}",
            "tabs": nav.tabs(nav.PLAN_TABS, user.role, pid=prog.id, plan=job.id,
                             done=job.status == "done"),
            "crumbs": [("Programmes", "/"), (prog.name, f"/programmes/{prog.id}")], **more}


def _inputs(request: Request, scope: Scope, job: Job,
            org: str | None = None) -> tuple[Scenario, Plan]:
    rev = scope.revision(job.programme_id, job.revision)
    return loading.scenario(request, scope, rev, org), loading.plan(request, scope, job, org)


PLAN_FIGURES: list[tuple[str, str, Callable[[Scenario, Plan], Any]]] = [
    ("Deliveries against due", "Cumulative units delivered (solid) against the cumulative "
     "due (dashed), one panel per demand.", figures.deliveries),
    ("Conversions", "Each converted line: converting (hatched) from its start to ready, "
     "ramping up (dotted), then at full rate; colour by organisation.", figures.gantt),
    ("Line utilisation", "Hours used over hours offered, line by week.", figures.utilisation),
    ("Purchases by country", "Spend by country of origin, by supplier.",
     figures.purchases_by_country),
    ("Purchases by week", "Spend of the orders placed each week, by supplier.",
     figures.purchases_by_week),
    ("Flows between sites", "Units shipped between sites over the horizon.", figures.flows_map),
]
"""The plan page's charts, in order: (title, one sentence, how to draw it)."""


def _chart(request: Request, key: tuple[Any, ...], draw: Callable[[], Any]) -> str:
    """A chart's JSON, drawn once: a finished job's result never changes."""
    return loading.cache(request).get(key, lambda: figures.to_json(draw()))


def latest_risk(scope: Scope, job: Job) -> Job | None:
    """The newest finished risk run of the plan (staff only)."""
    done = [r for r in scope.risks(job.id) if r.status == "done" and r.result]
    return done[-1] if done else None


# --- the plan -----------------------------------------------------------------------------


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: Id, user: PageUser, scope: PageScope) -> Response:
    job = scope.job(plan_id, "plan")
    if scope.organization is not None:
        return see_other(f"/plans/{plan_id}/mine")
    ctx = _context(request, user, scope, job, "Plan")
    if job.status != "done":
        return page(request, "progress.html", user, kind="plan", **ctx)
    sc, plan = _inputs(request, scope, job)
    risk = latest_risk(scope, job)
    figs: list[tuple[str, str, str]] = []
    if plan.has_plan:  # a finished plan never changes: its charts are made once
        figs = [(title, intro, _chart(request, ("figure", job.id, title), partial(draw, sc, plan)))
                for title, intro, draw in PLAN_FIGURES]
    totals = data.purchase_totals(sc, plan) if plan.has_plan else None
    return page(request, "plan.html", user, **ctx, sc=sc, plan=plan,
                head=tables.headline(sc, plan, risk.result if risk else None), risk=risk,
                figures=figs, totals=totals.to_dict("records") if totals is not None else [],
                production=tables.production(sc, plan) if plan.has_plan else None,
                conversions=tables.conversions(sc, plan) if plan.has_plan else [],
                buffers=tables.buffers(sc, plan) if plan.has_plan else [],
                runs=scope.risks(job.id))


@router.get("/plans/{plan_id}/why", response_class=HTMLResponse)
def why(request: Request, plan_id: Id, user: PageUser, scope: PageScope) -> Response:
    """Bottlenecks in plain words (a fragment the plan page loads after it is shown: the
    plan's linear program is solved again to price each limit, once per plan)."""
    allow(user, *STAFF)
    job = scope.job(plan_id, "plan")
    sc, plan = _inputs(request, scope, job)
    e = loading.cache(request).get(("why", job.id),
                                   lambda: explain(sc, plan, confirm_top=0, time_limit=10))
    shown = [b for b in e.bottlenecks if b.service_saved > 0 or b.cost_saved > 0][:8]
    return page(request, "why.html", user, note=e.note,
                bottlenecks=[tables.with_dates(sc, bottleneck_sentence(b, sc.currency))
                             for b in shown],
                shortfalls=[tables.with_dates(sc, shortfall_sentence(m))
                            for m in e.shortfalls[:12]],
                rules=[tables.with_dates(sc, r) for r in e.rules])


@router.get("/plans/{plan_id}/production.csv")
def production_csv(request: Request, plan_id: Id, user: PageUser,
                   scope: PageScope) -> Response:
    allow(user, *STAFF)
    job = scope.job(plan_id, "plan")
    sc, plan = _inputs(request, scope, job)
    return _csv(tables.production_csv(sc, plan), f"plan-{plan_id}-production.csv")


@router.post("/plans/{plan_id}/publish")
def publish(request: Request, plan_id: Id, user: PageUser, scope: PageScope,
            csrf: Csrf) -> Response:
    check_csrf(request, csrf)
    allow(user, "agency")
    plan_routes.publish(plan_id, scope, user)
    return see_other(f"/plans/{plan_id}")


# --- risk ---------------------------------------------------------------------------------


RISK_FIGURES: list[tuple[str, str, Callable[[Scenario, dict[str, Any]], Any]]] = [
    ("Deliveries: the fan", "P10–P90 band and median of cumulative deliveries across the "
     "simulated runs, against the cumulative due.", figures.delivery_fan),
    ("P(on time) per due date", "Share of runs in which each due date is met: green from "
     "90 %, amber from 50 %, red below.", figures.on_time),
    ("Criticality", "How much expected lateness falls if each source were perfectly "
     "reliable: the largest on top.", figures.criticality),
]


@router.post("/plans/{plan_id}/risk")
def start_risk(request: Request, plan_id: Id, user: PageUser, scope: PageScope, csrf: Csrf,
               runs: Annotated[int, Form(ge=1, le=1_000_000)] = 1000,
               seed: Annotated[int, Form(ge=0, le=2**63 - 1)] = 0) -> Response:
    check_csrf(request, csrf)
    allow(user, *STAFF)
    queued = risk_routes.start_risk(plan_id, RiskCreate(runs=runs, seed=seed), scope, user,
                                    request.app.state.runner)
    return see_other(f"/risk/{queued.id}")


@router.get("/plans/{plan_id}/risk", response_class=HTMLResponse)
def plan_risk(request: Request, plan_id: Id, user: PageUser, scope: PageScope) -> Response:
    if scope.organization is not None:
        raise not_found(f"plan {plan_id}")
    job = scope.job(plan_id, "plan")
    runs = scope.risks(job.id)
    return _risk_page(request, user, scope, job, runs[-1] if runs else None)


@router.get("/risk/{risk_id}", response_class=HTMLResponse)
def risk_page(request: Request, risk_id: Id, user: PageUser, scope: PageScope) -> Response:
    if scope.organization is not None:
        raise not_found(f"risk {risk_id}")
    run = scope.job(risk_id, "risk")
    return _risk_page(request, user, scope, scope.job(run.plan_id or 0, "plan"), run)


def _risk_page(request: Request, user: User, scope: Scope, job: Job,
               run: Job | None) -> Response:
    ctx = _context(request, user, scope, job, "Risk", run=run, runs=scope.risks(job.id),
                   active=f"/plans/{job.id}/risk")
    if run is None or run.status != "done" or not run.result:
        return page(request, "risk.html", user, figures=[], head=None, **ctx)
    sc, plan = _inputs(request, scope, job)
    risk = data.check_risk(run.result, sc, f"risk {run.id}")
    figs = [(title, intro, _chart(request, ("figure", run.id, title), partial(draw, sc, risk)))
            for title, intro, draw in RISK_FIGURES]
    return page(request, "risk.html", user, figures=figs,
                head=tables.headline(sc, plan, risk), **ctx)


# --- comparing two plans -----------------------------------------------------------------


@router.get("/programmes/{pid}/compare", response_class=HTMLResponse)
def compare_page(request: Request, pid: Id, user: PageUser, scope: PageScope,
                 a: Annotated[int | None, Query(ge=1)] = None,
                 b: Annotated[int | None, Query(ge=1)] = None) -> Response:
    allow(user, *STAFF)
    prog = scope.programme(pid)
    done = [j for j in scope.plans(pid) if j.status == "done" and j.result]
    ctx: dict[str, Any] = {
        "programme": prog, "plans": done, "a": a, "b": b, "title": f"{prog.name} · compare",
        "tabs": nav.tabs(nav.PROGRAMME_TABS, user.role, pid=pid),
        "crumbs": [("Programmes", "/"), (prog.name, f"/programmes/{pid}")],
        "active": f"/programmes/{pid}/compare"}
    if a is None or b is None:
        return page(request, "compare.html", user, result=None, **ctx)
    ja, jb = scope.job(a, "plan"), scope.job(b, "plan")
    if ja.programme_id != pid or jb.programme_id != pid:
        raise not_found(f"plan {a if ja.programme_id != pid else b} of programme {pid}")
    sc_a, pa = _inputs(request, scope, ja)
    sc_b, pb = _inputs(request, scope, jb)
    same = ja.revision == jb.revision
    c = compare(pa, pb, sc_b if same else None, names=(f"plan {a}", f"plan {b}"))
    return page(request, "compare.html", user, result=c, sc=sc_b, same_revision=same,
                sentences=tables.change_sentences(sc_b, c),
                figure=figures.compare_deliveries(sc_b, c), **ctx)


# --- an organisation's part ----------------------------------------------------------------


def _part_org(user: User, scope: Scope, job: Job, org: str | None) -> str:
    if scope.organization is not None:
        return scope.organization
    rev = scope.revision(job.programme_id, job.revision)
    if not org or org not in organizations_named(rev.scenario):
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail=f"organization {org!r} not found in revision {rev.number}; "
                                   "choose one on the page 'Parts by organisation'")
    return org


@router.get("/plans/{plan_id}/parts", response_class=HTMLResponse)
def parts(request: Request, plan_id: Id, user: PageUser, scope: PageScope) -> Response:
    allow(user, *STAFF)
    job = scope.job(plan_id, "plan")
    sc, _ = _inputs(request, scope, job)
    orgs = [{"id": o.id, "name": o.name or o.id,
             "sites": [s.id for s in sc.sites if s.organization == o.id]}
            for o in sc.organizations]
    return page(request, "parts.html", user, orgs=orgs,
                **_context(request, user, scope, job, "Parts",
                           active=f"/plans/{plan_id}/parts"))


@router.get("/plans/{plan_id}/mine", response_class=HTMLResponse)
def mine(request: Request, plan_id: Id, user: PageUser, scope: PageScope,
         org: str | None = None) -> Response:
    job = scope.job(plan_id, "plan")
    ctx = _context(request, user, scope, job, "My part" if scope.organization else "Part",
                   active=f"/plans/{plan_id}/mine" if scope.organization else
                   f"/plans/{plan_id}/parts")
    if job.status != "done":
        return page(request, "progress.html", user, kind="plan", **ctx)
    if scope.organization is None and not org:  # staff: choose whose part
        return see_other(f"/plans/{plan_id}/parts")
    org = _part_org(user, scope, job, org)
    sc, plan = _inputs(request, scope, job, org)
    name = next((o.name or o.id for o in sc.organizations if o.id == org), org)
    gantt = figures.gantt(sc, plan) if plan.activations else None
    return page(request, "mine.html", user, org=org, org_name=name, sc=sc, plan=plan,
                conversions=tables.conversions(sc, plan), gantt=gantt,
                idle=[f"{ln.id} ({ln.name})" if ln.name else ln.id for ln in sc.lines
                      if ln.id not in {a.line for a in plan.activations}],
                production=tables.production(sc, plan), moves=tables.movements(sc, plan),
                csv_href=f"/plans/{plan_id}/mine.csv"
                + ("" if scope.organization else f"?org={org}"), **ctx)


@router.get("/plans/{plan_id}/mine.csv")
def mine_csv(request: Request, plan_id: Id, user: PageUser, scope: PageScope,
             org: str | None = None) -> Response:
    job = scope.job(plan_id, "plan")
    org = _part_org(user, scope, job, org)
    sc, plan = _inputs(request, scope, job, org)
    return _csv(tables.part_csv(sc, plan), f"plan-{plan_id}-{org}.csv")


def _csv(text: str, filename: str) -> Response:
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})
