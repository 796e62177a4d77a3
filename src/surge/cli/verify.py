"""``surge verify``: check a plan file against its scenario, independently of the planner."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from surge.cli.common import app, console, err_console, handle_errors
from surge.cli.inputs import SetOption, WithOption, check_plan_of, load_scenario
from surge.fmt import num, shown
from surge.plan.model import Plan, is_close

if TYPE_CHECKING:  # the verifier (pandas) loads when the command runs
    from surge.plan.verify import Verification


@app.command("verify")
@handle_errors
def verify_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    plan: Annotated[Path, typer.Argument(help="Plan file (JSON, plan format v1).")],
    with_: WithOption = None,
    set_: SetOption = None,
) -> None:
    """Check every constraint of the scenario on a plan and recompute S and C from it.

    Prints the recomputed service S and cost C beside what the plan claims, the cost
    breakdown, how many checks ran, and every violation with its objects and week.
    Exit code 0 if the plan holds, 1 if any rule is broken, 2 for bad input.
    """
    sc = load_scenario(scenario, with_, set_)
    p = Plan.read(plan)
    check_plan_of(sc, p, plan, scenario, with_, set_)
    began = time.perf_counter()

    from surge.plan.verify import verify

    result = verify(sc, p)
    seconds = time.perf_counter() - began
    for w in result.warnings:
        err_console.print(f"[yellow]warning[/yellow] {escape(f'[{w.rule}]')} {escape(w.message)}")
    print_summary(p, result, seconds)
    print_violations(result)
    if result.ok:
        console.print(f"[green]ok[/green] {escape(str(plan))}: the plan holds "
                      f"({result.n_checks:,} checks, status {p.status})")
        return
    console.print(f"[red bold]not ok[/red bold] {escape(str(plan))}: "
                  f"{len(result.violations):,} "
                  f"violation{'s' if len(result.violations) != 1 else ''} "
                  f"of {', '.join(sorted(result.rules))}")
    raise typer.Exit(1)


def _mark(claimed: Any, actual: float | None) -> str:
    if actual is None:
        return ""
    ok = isinstance(claimed, (int, float)) and is_close(float(claimed), actual)
    return "[green]ok[/green]" if ok else "[red]differs[/red]"


def _show(x: Any) -> str:
    """A summary cell: a floating-point residual (2.3e-13) reads 0."""
    return num(shown(float(x))) if isinstance(x, (int, float)) else "null"


def print_summary(p: Plan, result: Verification, seconds: float) -> None:
    console.print(f"[bold]{escape(p.scenario)}[/bold]: plan status [bold]{p.status}[/bold]"
                  + (f" - {escape(p.message)}" if p.message else ""))
    table = Table(title="Recomputed from the plan vs. claimed by it")
    for col in ("", "recomputed", "claimed", ""):
        table.add_column(col, justify="right" if col else "left")
    rows: list[tuple[str, float | None, Any]] = [
        ("service S [unit-weeks]", result.service, p.objective.service),
        ("cost C", result.cost, p.objective.cost),
    ]
    costs = result.costs or {}
    claimed = p.costs.model_dump() if p.costs is not None else {}
    from surge.plan.verify import COST_PARTS

    rows += [(f"  {part}", costs.get(part), claimed.get(part)) for part in (*COST_PARTS, "total")]
    for label, actual, claim in rows:
        table.add_row(escape(label), _show(actual), _show(claim), _mark(claim, actual))
    console.print(table)
    late = {d: s for d, s in result.service_by_demand.items() if shown(s) > 0}
    if late:
        worst = sorted(late.items(), key=lambda kv: -kv[1])[:10]
        console.print("late demands (unit-weeks): "
                      + ", ".join(f"{escape(d)} {num(s)}" for d, s in worst)
                      + (f" and {len(late) - 10} more" if len(late) > 10 else ""))
    console.print(f"{result.n_checks:,} checks in {len(result.checks)} families, "
                  f"{seconds:.2f} s")


def print_violations(result: Verification) -> None:
    """One line per violation (rule, week, objects, message): greppable at any width."""
    if not result.violations:
        return
    console.print(f"[bold red]{len(result.violations):,} violations[/bold red]")
    for v in result.violations:
        week = "" if v.week is None else f" week {v.week}"
        objects = f" [{escape(', '.join(v.objects))}]" if v.objects else ""
        console.print(f"[red]{v.rule}[/red]{week}{objects}: {escape(v.message)}")
