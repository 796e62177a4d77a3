"""``surge plan``: find the best plan of a scenario and write the plan file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from surge.cli.common import app, console, err_console, handle_errors, print_problems
from surge.errors import SolverError
from surge.plan.model import Plan, PlanObjective
from surge.scenario import load_with_problems
from surge.scenario.model import Scenario

STEPS = {
    "prepare": "index sets and pruning",
    "build": "building the model (linopy)",
    "service": "stage 1: minimise lateness S",
    "cost": "stage 2: minimise cost C at that S",
    "weighted": "minimise C + late_penalty x S",
    "extract": "reading the plan back",
}


@app.command("plan")
@handle_errors
def plan_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Plan file to write (JSON).")],
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=0.01,
        help="Seconds for the whole solve [default: objective.time_limit_s].")] = None,
    gap: Annotated[float | None, typer.Option(
        "--gap", min=0.0, max=0.999,
        help="Relative MIP gap per stage [default: objective.mip_gap].")] = None,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="Solver threads.")] = None,
    solver: Annotated[str, typer.Option("--solver",
                                        help="highs, or any solver linopy supports.")] = "highs",
    with_: Annotated[list[Path] | None, typer.Option(
        "--with",
        help="Overlay file(s) applied to the scenario, in order (see docs/whatif.md).")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set",
        help="One-line change, e.g. suppliers.cellco.offers[0].capacity_per_week=0.")] = None,
) -> None:
    """Plan a scenario: which lines to convert, when, and what to make, buy and ship.

    Minimises lateness S, then cost C at that S ([bold]service-then-cost[/bold]), or
    C + late_penalty x S ([bold]weighted[/bold]). Writes the plan file in every case.
    Exit code 0 with a plan (optimal or feasible), 3 if infeasible, 2 for bad input,
    1 for anything else.
    """
    sc = load_scenario(scenario, with_ or [], set_ or [])
    try:
        result = run_solve(sc, time_limit=time_limit, gap=gap, threads=threads, solver=solver)
    except SolverError as exc:  # the plan file is written in every case, an error one too
        result = Plan(scenario=sc.name, status="error", message=str(exc),
                      objective=PlanObjective(mode=sc.objective.mode))
    result.to_json(output)
    print_plan_summary(sc, result)
    console.print(f"wrote {output}")
    if result.status in ("infeasible", "error"):
        err_console.print(f"[red bold]{result.status}:[/red bold] {escape(result.message)}")
        raise typer.Exit(3 if result.status == "infeasible" else 1)


def load_scenario(path: Path, overlays: list[Path], sets: list[str]) -> Scenario:
    """The scenario, with what-if overlays and --set changes applied when given."""
    if overlays or sets:
        from surge.scenario.overlay import load_with_overlays

        return load_with_overlays(path, overlays, sets)
    sc, problems = load_with_problems(path)
    print_problems(problems)
    return sc


def run_solve(sc: Scenario, *, time_limit: float | None, gap: float | None,
              threads: int | None, solver: str) -> Plan:
    """Solve with a Rich display of the stages (on stderr)."""
    from surge.optimize import solve  # linopy: imported when a command needs it

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=False) as progress:
        tasks: dict[str, TaskID] = {}

        def finish_all() -> None:
            for task in tasks.values():
                progress.update(task, completed=1, total=1)

        def step(name: str) -> None:
            finish_all()
            tasks[name] = progress.add_task(STEPS.get(name, name), total=None)

        try:
            return solve(sc, progress=step, time_limit=time_limit, mip_gap=gap,
                         threads=threads, solver=solver)
        finally:
            finish_all()


def print_plan_summary(sc: Scenario, plan: Plan) -> None:
    from surge.report.data import kpis

    colour = {"optimal": "green", "feasible": "yellow"}.get(plan.status, "red")
    table = Table(title=f"Plan: {sc.name}", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("status",
                  f"[{colour}]{plan.status}[/{colour}]"
                  + (f" — {plan.message}" if plan.message else ""))
    if plan.has_plan and plan.costs is not None:
        o = plan.objective
        k = kpis(sc, plan)
        table.add_row("lateness S", f"{o.service:,.1f} unit-weeks (bound {_fmt(o.service_bound)})"
                      if o.mode != "weighted" else f"{o.service:,.1f} unit-weeks")
        table.add_row("cost C", f"{o.cost:,.0f} {sc.currency}" + (
            f" (bound {_fmt(o.cost_bound)})" if o.mode != "weighted" else ""))
        if o.mode == "weighted":
            extra = plan.objective.model_extra or {}
            table.add_row("value C + pS",
                          f"{extra.get('value', 0):,.1f} (bound {_fmt(extra.get('bound'))})")
        c = plan.costs
        table.add_row("  activation", f"{c.activation:,.0f}")
        table.add_row("  operating", f"{c.operating:,.0f}")
        table.add_row("  purchase", f"{c.purchase:,.0f}")
        table.add_row("  transport", f"{c.transport:,.0f}")
        table.add_row("lines activated", f"{k['lines_activated']} of {len(sc.lines)}")
        first = k.get("first_delivery_week")
        table.add_row("first delivery",
                      "none" if first is None else f"week {first} ({sc.week_date(first)})")
        table.add_row("on-time share", f"{100 * k['on_time_share']:.1f}%")
        for did, week in k["completion_weeks"].items():
            table.add_row(f"  {did} complete", "not within horizon" if week is None
                          else f"week {week} ({sc.week_date(week)})")
    console.print(table)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.1f}"
