"""The browser UI, served by the same app as the API (``surge serve``).

Server-rendered pages (Jinja2 templates in ``templates/``), Plotly charts drawn in the
browser from JSON embedded in the page (plotly.js served once, as a static file), a little
vanilla JavaScript in ``static/ui.js``; no build step. A page logs in with a session cookie
(:mod:`surge.service.ui.session`) and reads everything through the API's scoped layer
(:mod:`surge.service.scope`), so a manufacturer sees only its own part.

New pages add their router below and a tab in :mod:`surge.service.ui.nav`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from surge.service.ui.render import HERE, http_error, is_page, login_required, validation_error
from surge.service.ui.session import LoginRequired

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the pages, their static files and their error pages to ``app``."""
    from surge.service.ui import pages, plan_pages, state_pages

    app.include_router(pages.router)  # first: it serves /static/plotly.min.js
    app.include_router(plan_pages.router)
    app.include_router(state_pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)

    @app.middleware("http")
    async def server_timing(request: Request,
                            call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """``Server-Timing: app;dur=<ms>`` on every page: the time the server took to make it
        (shown by a browser's developer tools; measured by benchmarks/bench_ui.py)."""
        start = time.perf_counter()
        response = await call_next(request)
        if is_page(request):
            spent = 1000 * (time.perf_counter() - start)
            response.headers["Server-Timing"] = f"app;dur={spent:.1f}"
        return response
