"""The browser UI, served by the same app as the API (``surge serve``).

Server-rendered pages (Jinja2 templates in ``templates/``), Plotly charts drawn in the
browser from JSON embedded in the page (plotly.js served once, as a static file), a little
vanilla JavaScript in ``static/ui.js``; no build step. A page logs in with a session cookie
(:mod:`surge.service.ui.session`) and reads everything through the API's scoped layer
(:mod:`surge.service.scope`), so a manufacturer sees only its own part.

New pages add their router below and a tab in :mod:`surge.service.ui.nav`.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from surge.service.ui.render import HERE, http_error, login_required, validation_error
from surge.service.ui.session import LoginRequired

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the pages, their static files and their error pages to ``app``."""
    from surge.service.ui import pages, plan_pages

    app.include_router(pages.router)  # first: it serves /static/plotly.min.js
    app.include_router(plan_pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
