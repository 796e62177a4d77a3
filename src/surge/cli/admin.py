"""``surge admin create-user``: add a user to the service database."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from surge.cli.common import app, console, handle_errors
from surge.errors import InputError

admin_app = typer.Typer(help="Administer the service (users).", no_args_is_help=True)
app.add_typer(admin_app, name="admin")


@admin_app.command("create-user")
@handle_errors
def create_user(
    email: Annotated[str, typer.Option("--email", help="The user's email (login name).")],
    role: Annotated[str, typer.Option("--role", help="agency, analyst or manufacturer.")],
    organization: Annotated[str | None, typer.Option(
        "--organization", help="Organisation id (required for a manufacturer).")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of stdin.")] = False,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: "
                  "SURGE_DATABASE_URL, else sqlite file surge.db here).")] = None,
) -> None:
    """Create a user (the first agency user is made this way)."""
    from surge.service.db.session import make_engine, session_factory, upgrade
    from surge.service.settings import Settings
    from surge.service.users import create_user as add_user

    if not password_stdin:
        raise InputError("--password-stdin is required: the password is read from stdin, "
                         "never from the command line")
    password = sys.stdin.readline().rstrip("\r\n")
    settings = Settings.model_validate({"database_url": db} if db else {})
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        user = add_user(session, email=email, role=role, organization=organization,
                        password=password, by="surge admin")
    engine.dispose()
    console.print(f"created user {user.email} ({user.role}"
                  + (f", organization {user.organization})" if user.organization else ")"))
