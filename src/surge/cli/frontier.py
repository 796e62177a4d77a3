"""``surge frontier``: the trade-off between cost and certainty, as verified plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from surge.cli.common import app, console, handle_errors
from surge.cli.inputs import SetOption, WithOption, guard_output, load_scenario
from surge.cli.robust_common import (
    CheckRunsOption,
    CheckSeedOption,
    ClusterOption,
    MaxStepsOption,
    RunsOption,
    SeedOption,
    run_search,
    settings,
)
from surge.fileio import write_text
from surge.interrupt import catch_sigint


@app.command("frontier")
@handle_errors
def frontier_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Frontier file to write (JSON).")],
    target_on_time: Annotated[float, typer.Option(
        "--target-on-time", help="The P to mark on the frontier: the cheapest plan reaching "
        "it is the chosen one.")] = 0.9,
    runs: RunsOption = 1000,
    seed: SeedOption = 0,
    check_runs: CheckRunsOption = 10_000,
    check_seed: CheckSeedOption = None,
    max_steps: MaxStepsOption = 40,
    cluster: ClusterOption = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=0.01, help="Seconds for each solve (default: objective.time_limit_s).")
    ] = None,
    with_: WithOption = None,
    set_: SetOption = None,
) -> None:
    """Trade cost for certainty: verified plans from the deterministic optimum to the
    highest lowest-P(on time) the buffer search reaches, each with C, expected S, lowest
    P(on time) and P(all met) on fresh runs, and what each step buys."""
    guard_output(output, [scenario, *(with_ or [])])
    st = settings(target=target_on_time, runs=runs, seed=seed, check_runs=check_runs,
                  check_seed=check_seed, max_steps=max_steps, time_limit=time_limit, gap=None)
    sc = load_scenario(scenario, with_, set_)
    from surge.robust.frontier import cap_words, frontier_document

    with catch_sigint():
        r = run_search(sc, st, cluster, frontier_only=True)
    doc = frontier_document(sc, r)
    write_text(output, json.dumps(doc, indent=1, allow_nan=False) + "\n")
    table = Table(title=f"Frontier: {sc.name} ({st.check_runs:,} fresh runs, seed "
                        f"{st.check_seed})")
    for col in ("C", "lowest P(on time)", "P(all met)", "E[S]", "step"):
        table.add_column(col, justify="left" if col == "step" else "right")
    for p in doc["points"]:
        mark = " *" if p["chosen"] else ""
        table.add_row(f"{p['cost']:,.0f}{mark}", f"{p['min_p_on_time']:.3f} ± "
                      f"{p['min_p_stderr']:.3f}", f"{p['p_all_met']:.3f}",
                      f"{p['expected_service']:,.0f}", p["step"])
    console.print(table)
    if doc["reached"]:
        console.print(f"* the cheapest plan with every due date at P >= {st.target:g}")
    else:
        console.print(f"[red]no plan found reaches P {st.target:g}[/red] (* marks the best); "
                      + (f"what caps it: {cap_words(doc['cap'])}" if doc["cap"] else ""))
    console.print(f"wrote {output}")
