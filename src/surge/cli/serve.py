"""``surge serve``: the programme service (API) on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from surge.cli.common import app, err_console, handle_errors


@app.command()
@handle_errors
def serve(
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: "
                  "SURGE_DATABASE_URL, else sqlite file surge.db here).")] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    cluster: Annotated[str, typer.Option(
        "--cluster", help="Where jobs run: 'local[:N]' (in-process, N threads) or "
                          "'tcp://HOST:PORT' (a Dask scheduler).")] = "local",
) -> None:
    """Serve the browser UI at / and the JSON API under /api/v1 (migrating the database first)."""
    import uvicorn

    from surge.service.app import create_app
    from surge.service.db.session import upgrade
    from surge.service.settings import Settings

    overrides = {"cluster": cluster} | ({"database_url": db} if db else {})
    settings = Settings.model_validate(overrides)
    err_console.print(f"surge serve: database {settings.database_url.split('@')[-1]}, "
                      f"jobs on {cluster}, pages at http://{host}:{port}/, "
                      f"API at http://{host}:{port}/api/v1/docs")
    upgrade(settings.database_url)  # a database it cannot open: a clear error, exit 2
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning",
                timeout_keep_alive=60)
