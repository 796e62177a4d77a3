"""The ``surge`` command line: one module per command, found and registered here.

Each module ``surge/cli/<command>.py`` registers its command on :data:`app` with
``@app.command()``; adding a command is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil

from surge.cli.common import app

__all__ = ["app", "main"]

_SKIP = {"common"}


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name not in _SKIP:
            importlib.import_module(f"{__name__}.{info.name}")


def main() -> None:
    """Entry point of the ``surge`` script."""
    _register()
    app()
