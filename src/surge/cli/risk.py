"""``surge risk``: run a plan many times under the scenario's uncertainty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from surge.cli.common import app, console, err_console, handle_errors
from surge.errors import InputError
from surge.plan.model import Plan
from surge.risk.simulate import DEFAULT_CHUNK, DEFAULT_CRITICALITY_RUNS, simulate
from surge.scenario import load


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
) -> None:
    """Run PLAN many times under the disruptions of SCENARIO's `uncertainty` section.

    Reports the probability of meeting each due date, the fan of cumulative deliveries,
    the expected service S and which suppliers and lines matter most. The same seed gives
    the same numbers in-process and on any cluster.
    """
    if runs < 1:
        raise InputError(f"--runs must be >= 1, got {runs}")
    if criticality_runs < 0:
        raise InputError(f"--criticality-runs must be >= 0, got {criticality_runs}")
    if chunk_size < 1:
        raise InputError(f"--chunk-size must be >= 1, got {chunk_size}")
    sc = load(scenario)
    pl = Plan.read(plan)
    if pl.scenario != sc.name:
        raise InputError(f"{plan}: the plan is for scenario '{pl.scenario}', "
                         f"but {scenario} is '{sc.name}'")
    with Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("runs", total=runs)
        doc = simulate(sc, pl, runs=runs, seed=seed, chunk_size=chunk_size, cluster=cluster,
                       criticality_runs=criticality_runs, progress=lambda k: bar.advance(task, k))
    print_summary(doc, pl)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
        console.print(f"wrote {output}")


def print_summary(doc: dict, plan: Plan) -> None:
    planned = plan.objective.service
    console.print(f"[bold]{doc['scenario']}[/bold]: {doc['runs']:,} runs, seed {doc['seed']}")
    console.print(f"expected S = {doc['expected_service']:,.1f} ± {doc['service_stderr']:,.1f} "
                  f"(plan: {planned:,.1f})" if planned is not None else
                  f"expected S = {doc['expected_service']:,.1f} ± {doc['service_stderr']:,.1f}")
    console.print(f"P(all due dates met) = {doc['p_all_met']:.3f}")
    table = Table(title="Due dates")
    for col in ("demand", "week", "cumulative due", "P(on time)"):
        table.add_column(col, justify="left" if col == "demand" else "right")
    for d in doc["due_dates"]:
        table.add_row(d["demand"], str(d["week"]), f"{d['cumulative_due']:,.0f}",
                      f"{d['p_on_time']:.3f}")
    console.print(table)
    if doc["criticality"]:
        crit = Table(title="Criticality: drop in expected S when the source is perfect")
        for col in ("kind", "id", "drop", "stderr"):
            crit.add_column(col, justify="right" if col in ("drop", "stderr") else "left")
        for c in doc["criticality"]:
            crit.add_row(c["kind"], c["id"], f"{c['drop']:,.1f}", f"{c['stderr']:,.1f}")
        console.print(crit)
