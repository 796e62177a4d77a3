"""``surge risk``: run a plan many times under the scenario's uncertainty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from surge.cli.common import app, console, err_console, handle_errors
from surge.cli.inputs import (
    SetOption,
    WithOption,
    check_plan_of,
    guard_output,
    load_scenario,
)
from surge.errors import InputError
from surge.fileio import write_text
from surge.plan.model import Plan
from surge.risk.simulate import DEFAULT_CHUNK, DEFAULT_CRITICALITY_RUNS, simulate


@app.command()
@handle_errors
def risk(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    plan: Annotated[Path, typer.Argument(help="Plan file (JSON, plan format v1).")],
    runs: Annotated[int, typer.Option("--runs", "-n", help="Number of runs.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Seed of the random numbers.")] = 0,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the risk file (JSON) here.")
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option("--cluster", help="Run on Dask: 'local[:N]' starts N worker processes, "
                                       "'tcp://HOST:PORT' uses a running scheduler."),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="Runs per chunk (each chunk has its own seed).")
    ] = DEFAULT_CHUNK,
    criticality_runs: Annotated[
        int, typer.Option("--criticality-runs",
                          help="Runs (the first ones) that rank the suppliers and lines by how "
                               "much they matter; 0 skips the ranking.")
    ] = DEFAULT_CRITICALITY_RUNS,
    with_: WithOption = None,
    set_: SetOption = None,
) -> None:
    """Run PLAN many times under the disruptions of SCENARIO's `uncertainty` section.

    Reports the probability of meeting each due date, the fan of cumulative deliveries,
    the expected service S and which suppliers and lines matter most. The same seed gives
    the same numbers in-process and on any cluster.
    """
    check_counts(runs=runs, seed=seed, chunk_size=chunk_size, cluster=cluster)
    guard_output(output, [scenario, plan, *(with_ or [])])
    if runs < 1:
        raise InputError(f"--runs must be >= 1, got {runs}")
    if criticality_runs < 0:
        raise InputError(f"--criticality-runs must be >= 0, got {criticality_runs}")
    if chunk_size < 1:
        raise InputError(f"--chunk-size must be >= 1, got {chunk_size}")
    sc = load_scenario(scenario, with_, set_)
    pl = Plan.read(plan)
    check_plan_of(sc, pl, plan, scenario, with_, set_)
    with Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("runs", total=runs)
        doc = simulate(sc, pl, runs=runs, seed=seed, chunk_size=chunk_size, cluster=cluster,
                       criticality_runs=criticality_runs, progress=lambda k: bar.advance(task, k))
    print_summary(doc, pl)
    if output:
        write_text(output, json.dumps(doc, indent=1, allow_nan=False) + "\n")
        console.print(f"wrote {output}")


MAX_RUNS = 100_000_000
MAX_SEED = 2**63 - 1


def check_counts(*, runs: int, seed: int, chunk_size: int, cluster: str | None) -> None:
    """Refuse counts and a cluster address no run could use, naming the option."""
    if runs > MAX_RUNS:
        raise InputError(f"--runs {runs}: at most {MAX_RUNS:,} runs are supported")
    if not 0 <= seed <= MAX_SEED:
        raise InputError(f"--seed {seed}: must be between 0 and 2**63 - 1")
    if chunk_size > MAX_RUNS:
        raise InputError(f"--chunk-size {chunk_size}: at most {MAX_RUNS:,} runs per chunk")
    if cluster is not None and not cluster.strip():
        raise InputError("--cluster '': give 'local[:N]' or 'tcp://HOST:PORT', or leave the "
                         "option out to run in this process")


def print_summary(doc: dict, plan: Plan) -> None:
    planned = plan.objective.service
    console.print(f"[bold]{doc['scenario']}[/bold]: {doc['runs']:,} runs, seed {doc['seed']}")
    console.print(f"expected S = {doc['expected_service']:,.1f} ± {doc['service_stderr']:,.1f} "
                  f"unit-weeks (plan: {planned:,.1f})" if planned is not None else
                  f"expected S = {doc['expected_service']:,.1f} ± {doc['service_stderr']:,.1f} "
                  "unit-weeks")
    if not doc.get("uncertainty", True):
        console.print("[yellow]This scenario has no uncertainty that touches the plan[/yellow] "
                      "(no `uncertainty` section, or every distribution at no disruption): "
                      "every run executes the plan as written, so the numbers below are the "
                      "plan's own, not a measured risk. Add an `uncertainty` section "
                      "(docs/scenario.md) to measure one.")
        console.print(f"due dates met in the plan as written: "
                      f"{'all' if doc['p_all_met'] == 1 else 'not all'}")
    else:
        console.print(f"P(all due dates met) = {doc['p_all_met']:.3f}")
    measured = doc.get("uncertainty", True)
    table = Table(title="Due dates")
    for col in ("demand", "week", "cumulative due", "P(on time)" if measured else "met"):
        table.add_column(col, justify="left" if col == "demand" else "right")
    for d in doc["due_dates"]:
        table.add_row(d["demand"], str(d["week"]), f"{d['cumulative_due']:,.0f}",
                      f"{d['p_on_time']:.3f}" if measured else
                      "yes" if d["p_on_time"] == 1 else "no")
    console.print(table)
    if doc["criticality"]:
        crit = Table(title="Criticality: drop in expected S when the source is perfect")
        for col in ("kind", "id", "drop", "stderr"):
            crit.add_column(col, justify="right" if col in ("drop", "stderr") else "left")
        for c in doc["criticality"]:
            crit.add_row(c["kind"], c["id"], f"{c['drop']:,.1f}", f"{c['stderr']:,.1f}")
        console.print(crit)
        for c in doc["criticality"]:
            if c.get("worse_when_perfect"):
                console.print(f"[yellow]note:[/yellow] making {c['kind']} {c['id']} perfectly "
                              f"reliable makes expected S worse by {-c['drop']:,.1f} "
                              f"(± {c['stderr']:,.1f}): with more of its units on time, catch-up "
                              "work elsewhere is reordered (see docs/risk.md, invariant 3)")
