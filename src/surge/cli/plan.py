"""``surge plan``: find the best plan of a scenario and write the plan file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from surge.cli.common import app, console, err_console, handle_errors
from surge.cli.inputs import SetOption, WithOption, guard_output, load_scenario, what_if
from surge.cli.robust_common import (
    CheckRunsOption,
    CheckSeedOption,
    MaxStepsOption,
    RunsOption,
    SeedOption,
)
from surge.errors import InputError, SolverError
from surge.interrupt import catch_sigint
from surge.plan.model import Plan, PlanObjective
from surge.robust.search import Settings
from surge.scenario.model import Scenario

__all__ = ["load_scenario", "plan_command"]

MAX_THREADS = 1024

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
    solver: Annotated[str, typer.Option(
        "--solver", help="highs, or any solver linopy supports.")] = "highs",
    with_: WithOption = None,
    set_: SetOption = None,
    target_on_time: Annotated[float | None, typer.Option(
        "--target-on-time", help="Risk-aware: the least-cost plan found whose every due date "
        "is met with at least this probability under the scenario's uncertainty (0 < P < 1; "
        "docs/robust.md).")] = None,
    runs: RunsOption = 1000,
    seed: SeedOption = 0,
    check_runs: CheckRunsOption = 10_000,
    check_seed: CheckSeedOption = None,
    max_steps: MaxStepsOption = 40,
    cluster: Annotated[str | None, typer.Option(
        "--cluster", help="Run independent solves on Dask: 'local[:N]' or 'tcp://HOST:PORT' "
        "(with --target-on-time: candidate plans; without: the planner's constructions, "
        "roundings and neighbourhoods, docs/model.md).")] = None,
    frontier_file: Annotated[Path | None, typer.Option(
        "--frontier", help="With --target-on-time: also write the frontier file here.")] = None,
) -> None:
    """Plan a scenario: which lines to convert, when, and what to make, buy and ship.

    Minimises lateness S, then cost C at that S ([bold]service-then-cost[/bold]), or
    C + late_penalty x S ([bold]weighted[/bold]). Writes the plan file in every case.
    With [bold]--target-on-time P[/bold], plans with buffers sized by simulation until every
    due date holds with probability P (re-measured on fresh runs), or says plainly that
    P is out of reach, with the best plan found and what caps it.
    Exit code 0 with a plan (optimal or feasible), 3 if infeasible, 2 for bad input,
    1 for anything else.
    """
    guard_output(output, [scenario, *(with_ or [])])
    if frontier_file is not None:
        guard_output(frontier_file, [scenario, output, *(with_ or [])], "--frontier")
    check_threads(threads)
    if target_on_time is not None:
        from surge.cli.robust_common import settings

        st = settings(target=target_on_time, runs=runs, seed=seed, check_runs=check_runs,
                      check_seed=check_seed, max_steps=max_steps, time_limit=time_limit,
                      gap=gap)
    elif frontier_file is not None:
        raise InputError("--frontier goes with --target-on-time P (or use `surge frontier`)")
    if cluster is not None:
        from surge.risk.dask_backend import parse_cluster

        parse_cluster(cluster)  # a bad spec is named before the scenario is read
    sc = load_scenario(scenario, with_, set_)
    if target_on_time is not None:
        plan_for_target(sc, st, cluster, output, frontier_file, what_if(with_, set_))
        return
    try:
        with catch_sigint():
            result = run_solve(sc, time_limit=time_limit, gap=gap, threads=threads,
                               solver=solver, cluster=cluster)
    except (SolverError, MemoryError, RecursionError, ValueError, ArithmeticError) as exc:
        # the plan file is written in every case, an error one too
        what = str(exc) if isinstance(exc, SolverError) else f"{type(exc).__name__}: {exc}"
        result = Plan(scenario=sc.name, status="error", message=what,
                      objective=PlanObjective(mode=sc.objective.mode))
    changes = what_if(with_, set_)
    if changes:
        result.what_if = changes  # type: ignore[attr-defined]  # an extra key of the plan
    result.to_json(output)
    print_plan_summary(sc, result)
    console.print(f"wrote {output}")
    if result.status in ("infeasible", "error"):
        err_console.print(f"[red bold]{result.status}:[/red bold] {escape(result.message)}")
        raise typer.Exit(3 if result.status == "infeasible" else 1)


def plan_for_target(sc: Scenario, st: Settings, cluster: str | None, output: Path,
                    frontier_file: Path | None, changes: dict) -> None:
    """``--target-on-time``: the search, the chosen plan with its ``robust`` key, the frontier."""
    import json

    from surge.cli.robust_common import print_result, run_search
    from surge.fileio import write_text
    from surge.robust.frontier import attach, frontier_document, robust_key

    with catch_sigint():
        r = run_search(sc, st, cluster)
    assert r.chosen.plan is not None
    plan = attach(r.chosen.plan, robust_key(sc, r))
    if not r.reached:
        plan.message = (f"target P(on time) {st.target:g} not reached; best lowest P "
                        f"{r.chosen.checked.min_p:.3f}"  # type: ignore[union-attr]
                        + (f"; {plan.message}" if plan.message else ""))
    if changes:
        plan.what_if = changes  # type: ignore[attr-defined]  # an extra key of the plan
    plan.to_json(output)
    print_plan_summary(sc, plan)
    print_result(sc, r)
    console.print(f"wrote {output}")
    if frontier_file is not None:
        write_text(frontier_file,
                   json.dumps(frontier_document(sc, r), indent=1, allow_nan=False) + "\n")
        console.print(f"wrote {frontier_file}")


def check_threads(threads: int | None) -> None:
    """Refuse more solver threads than the machine could ever use."""
    if threads is not None and threads > MAX_THREADS:
        raise InputError(f"--threads {threads}: at most {MAX_THREADS} threads are supported")


def run_solve(sc: Scenario, *, time_limit: float | None, gap: float | None,
              threads: int | None, solver: str, cluster: str | None = None) -> Plan:
    """Solve with a Rich display of the stages (on stderr)."""
    from surge.optimize import solve  # linopy loads only when a plan is made

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
                         threads=threads, solver=solver, cluster=cluster)
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
        table.add_row("slack", _slack_words(sc, plan))
        for did, week in k["completion_weeks"].items():
            table.add_row(f"  {did} complete", "not within horizon" if week is None
                          else f"week {week} ({sc.week_date(week)})")
    console.print(table)


def _slack_words(sc: Scenario, plan: Plan) -> str:
    """One line on how much room the plan leaves at its due dates (report.data.slack)."""
    from surge.report.data import no_slack, slack

    table = slack(sc, plan)
    tight, n = no_slack(table), len(table)
    if tight:
        return (f"[yellow]none at {tight} of {n} due dates[/yellow] (met in the due week with "
                "0 units to spare: any delay makes them late; run `surge risk`)")
    met = table[table["weeks_early"].notna()]
    if met.empty:
        return "no due date is met"
    return (f"at least {int(met['weeks_early'].min())} week(s) early or "
            f"{met['surplus'].min():,.0f} units ahead at every due date met")


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.1f}"
