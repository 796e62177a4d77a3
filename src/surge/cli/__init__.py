"""The ``surge`` command line: one module per command, found and registered here.

Each module ``surge/cli/<command>.py`` registers its command on :data:`app` with
``@app.command()``; adding a command is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil

from surge.cli.common import app

__all__ = ["app", "main", "register_commands"]

_SKIP = {"common"}


def register_commands() -> None:
    """Import every command module so that each adds its command to :data:`app`.

    Safe to call more than once (a module is imported once). Call it before using
    :data:`app` directly, e.g. with ``typer.testing.CliRunner``.
    """
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name not in _SKIP:
            importlib.import_module(f"{__name__}.{info.name}")


def main() -> None:
    """Entry point of the ``surge`` script."""
    register_commands()
    app()

