"""Rendering a page: the templates, the context every page shares, and the error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from fastapi import Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from surge.service.db.models import User
from surge.service.ui import figures
from surge.service.ui.session import LoginRequired, csrf_token, login_url, session_user

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["plotly_version"] = plotly.__version__
templates.env.filters["figure"] = figures.to_json
API = "/api/"
CHARTED = {"plan.html", "risk.html", "compare.html", "revision.html", "mine.html",
           "actual.html"}


def page(request: Request, name: str, user: User | None, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    """``templates/name`` with the shared context: the user, its CSRF token, the chart config."""
    import json

    context.setdefault("title", "Surge")
    context.setdefault("crumbs", [])
    context.setdefault("tabs", [])
    context.setdefault("charts", name in CHARTED)
    return templates.TemplateResponse(request, name, status_code=status_code, context={
        "user": user, "csrf": csrf_token(request) if user else "",
        "plot_config": json.dumps(figures.CONFIG), **context})


def is_page(request: Request) -> bool:
    """A request for a page (not the JSON API, not a static file)."""
    return not request.url.path.startswith((API, "/static/"))


async def login_required(request: Request, exc: Exception) -> Response:
    """No session: pages go to the login page, JSON endpoints answer 401."""
    assert isinstance(exc, LoginRequired)
    if request.url.path.endswith(".json"):
        return Response('{"detail": "not logged in"}', status_code=401,
                        media_type="application/json")
    return RedirectResponse(login_url(exc.next_path), status_code=303)


async def http_error(request: Request, exc: Exception) -> Response:
    """An HTML page for a page's error, the API's JSON for the API."""
    assert isinstance(exc, StarletteHTTPException)
    if not is_page(request) or request.url.path.endswith((".json", ".csv")):
        return await http_exception_handler(request, exc)
    user = session_user(request)
    titles = {401: "Not logged in", 403: "Not allowed", 404: "Not found", 409: "Not ready"}
    return page(request, "error.html", user, status_code=exc.status_code,
                title=titles.get(exc.status_code, "Error"), detail=str(exc.detail),
                code=exc.status_code)


async def validation_error(request: Request, exc: Exception) -> Response:
    """A page with a malformed address or form answers a page; the API its JSON."""
    assert isinstance(exc, RequestValidationError)
    if not is_page(request):
        return await request_validation_exception_handler(request, exc)
    problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}"
                         for e in exc.errors())
    return page(request, "error.html", session_user(request), status_code=422,
                title="Bad request", detail=problems, code=422)
