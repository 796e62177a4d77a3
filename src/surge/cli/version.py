"""``surge --version``: the version of the installed package (a callback of the app)."""

from __future__ import annotations

from typing import Annotated

import typer

from surge.cli.common import app


def _show_version(value: bool) -> None:
    if value:
        from surge import __version__

        typer.echo(f"surge {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """Plan surge production on converted civilian lines: check scenarios, plan, verify,
    measure risk and explain."""
