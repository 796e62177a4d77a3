"""``surge db upgrade``: create or migrate the service database."""

from __future__ import annotations

from typing import Annotated

import typer

from surge.cli.common import app, console, handle_errors

db_app = typer.Typer(help="The service database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command()
@handle_errors
def upgrade(
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: "
                  "SURGE_DATABASE_URL, else sqlite file surge.db here).")] = None,
) -> None:
    """Create the schema or migrate it to the newest version (Alembic)."""
    from surge.service.db.session import upgrade as run_upgrade
    from surge.service.settings import Settings

    settings = Settings.model_validate({"database_url": db} if db else {})
    run_upgrade(settings.database_url)
    console.print(f"database {settings.database_url.split('@')[-1]} is up to date")
