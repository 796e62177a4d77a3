"""The application factory: ``create_app(settings)``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from surge.service.db.session import make_engine, session_factory, upgrade
from surge.service.jobs import JobRunner
from surge.service.routes import audit, auth, plans, programmes, risk, surveys
from surge.service.settings import Settings
from surge.service.ui import install as install_ui

PREFIX = "/api/v1"
log = logging.getLogger("surge.service")
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes answers 413."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._reject(scope, receive, send)
            return
        seen = 0

        async def counted() -> MutableMapping[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(status_code=413, content={
            "detail": f"the request body is larger than the limit of {self.limit:,} bytes"})
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def create_app(settings: Settings | None = None, *, start_jobs: bool = True) -> FastAPI:
    """The service for ``settings``: migrates the database and starts the job runner on start."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(upgrade, settings.database_url)
        if start_jobs:  # Dask's synchronous client must not run on the event loop
            await anyio.to_thread.run_sync(app.state.runner.start)
        try:
            yield
        finally:
            if start_jobs:
                await anyio.to_thread.run_sync(app.state.runner.stop)
            engine.dispose()

    app = FastAPI(title="Surge service", version="1", lifespan=lifespan,
                  openapi_url=f"{PREFIX}/openapi.json", docs_url=f"{PREFIX}/docs", redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.runner = JobRunner(settings.database_url, settings.cluster)
    for module in (auth, programmes, plans, risk, audit, surveys):
        app.include_router(module.router, prefix=PREFIX)
    install_ui(app)  # the browser pages: /, /login, /programmes/..., /plans/..., /static/

    @app.exception_handler(DataError)
    async def unstorable(request: Request, exc: DataError) -> JSONResponse:
        # PostgreSQL refuses some text SQLite takes (a NUL character, \u0000); the transaction
        # is rolled back, nothing is written: the client's input, not the service, is at fault
        nul = "NUL" in str(exc.orig)
        what = ("a text value contains the NUL character (\\u0000), which the database "
                "cannot store" if nul else f"a value the database cannot store ({exc.orig})")
        return JSONResponse(status_code=422, content={
            "detail": f"{request.method} {request.url.path}: {what}; nothing was written"})

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={
            "detail": f"internal error ({type(exc).__name__}); the service log has the details"})

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app
