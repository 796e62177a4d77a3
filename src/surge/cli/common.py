"""What every command shares: the Typer app, consoles, and turning errors into exits.

Exit codes: 0 success, 1 anything else (internal error, a verification that fails),
2 bad input, 3 infeasible scenario (``surge plan``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from surge.errors import InputError, Problem, SurgeError

app = typer.Typer(
    name="surge",
    help="Plan surge production on converted civilian lines: check scenarios, plan, "
    "verify, measure risk and explain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

console = Console(highlight=False, soft_wrap=True)  # messages stay one greppable line
err_console = Console(stderr=True, highlight=False,
                      soft_wrap=True)  # messages stay one line: greppable

F = TypeVar("F", bound=Callable[..., Any])


def print_problems(problems: list[Problem], *, warnings: bool = True) -> None:
    for p in problems:
        if p.severity == "error":
            err_console.print(f"[red]error[/red]   {escape(str(p))}")
        elif warnings:
            err_console.print(f"[yellow]warning[/yellow] {escape(str(p))}")


def fail(exc: SurgeError) -> NoReturn:
    """Print a Surge error for a person and exit with its code."""
    if isinstance(exc, InputError) and exc.problems:
        err_console.print(f"[red bold]{escape(exc.headline)}[/red bold]")
        print_problems(exc.problems)
    else:
        err_console.print(f"[red bold]error:[/red bold] {escape(str(exc))}")
    raise typer.Exit(exc.exit_code)


def handle_errors(func: F) -> F:
    """Turn every error into a message and an exit code; never a traceback.

    Set ``SURGE_DEBUG=1`` to see the traceback of an unexpected error.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except SurgeError as exc:
            fail(exc)
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence for users
            if os.environ.get("SURGE_DEBUG"):
                raise
            err_console.print(
                f"[red bold]internal error:[/red bold] {escape(type(exc).__name__)}: "
                f"{escape(str(exc))}\n(set SURGE_DEBUG=1 to see where; please report it)"
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]

