"""``surge rehearse``: live sampled futures with and without rolling replans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from surge.cli.common import app, console, handle_errors
from surge.cli.inputs import check_plan_of, guard_output, load_scenario
from surge.errors import InputError
from surge.state.rehearse import Rehearsal, rehearse


@app.command("rehearse")
@handle_errors
def rehearse_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file, with an uncertainty section.")],
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="The plan to execute (default: plan the scenario first).")] = None,
    step: Annotated[int, typer.Option(
        "--weeks-per-step", "--weeks", "-k", min=1,
        help="Roll and replan every K weeks.")] = 4,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the first future.")] = 0,
    futures: Annotated[int, typer.Option(
        "--futures", min=1, help="Futures to live (seeds SEED, SEED+1, ...).")] = 1,
    freeze: Annotated[int, typer.Option(
        "--freeze", min=0, help="Weeks of the old plan's orders and conversions kept firm "
        "at each replan.")] = 0,
    stability: Annotated[float, typer.Option(
        "--stability", min=0.0, help="Change penalty of each replan, in currency per "
        "unit changed (0: off; see surge replan).")] = 0.0,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=0.01, help="Seconds for each solve.")] = 60.0,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the rehearsal as JSON.")] = None,
) -> None:
    """Rehearse the rolling process: what replanning is worth, measured.

    Samples futures from the scenario's uncertainty (the risk simulator's distributions)
    and lives each twice: the plan executed as written, and the plan rolled and replanned
    every K weeks from the facts so far. Prints the achieved lateness S and cost C of
    both, and the nervousness of the replans. Exit code 0, 2 for bad input.
    """
    guard_output(output, [scenario, plan])
    sc = load_scenario(scenario)
    if step >= sc.weeks:
        raise InputError(f"--weeks-per-step {step} must be < weeks = {sc.weeks} of the "
                         "scenario (no replan would happen)")
    if sc.uncertainty is None:
        console.print("note: the scenario has no uncertainty section: every future is the "
                      "plan itself")
    if plan is not None:
        from surge.plan.reader import read_plan

        base = read_plan(plan)
        check_plan_of(sc, base, plan, scenario)
    else:
        from surge.optimize import solve

        base = solve(sc, time_limit=time_limit)
    result = rehearse(sc, base, step=step, seeds=list(range(seed, seed + futures)),
                      freeze=freeze, stability=stability, time_limit=time_limit)
    print_rehearsal(result, sc.currency)
    if output is not None:
        output.write_text(json.dumps(result.to_dict(), indent=1) + "\n", encoding="utf-8")
        console.print(f"wrote {output}")


def print_rehearsal(r: Rehearsal, currency: str) -> None:
    console.print(f"plan made once: S = {r.plan_service:,.1f} unit-weeks, "
                  f"C = {r.plan_cost:,.0f} {currency}")
    table = Table(title=escape(f"Rehearsal: replanning every {r.step} weeks"
                               + (f", freeze {r.freeze}" if r.freeze else "")
                               + (f", stability {r.stability:g}" if r.stability else "")))
    for col in ("seed", "S plan once", "S rolling", f"C plan once [{currency}]",
                f"C rolling [{currency}]", "nervousness [units]", "replans"):
        table.add_column(escape(col), justify="right")
    for f in r.futures:
        bad = sum(1 for x in f.replans if not x.verified or x.status not in ("optimal",
                                                                             "feasible"))
        table.add_row(str(f.seed), f"{f.once_service:,.1f}", f"{f.rolling_service:,.1f}",
                      f"{f.once_cost:,.0f}", f"{f.rolling_cost:,.0f}", f"{f.nervousness:,.0f}",
                      f"{len(f.replans)}" + (f" ({bad} kept the old plan)" if bad else ""))
    if len(r.futures) > 1:
        table.add_row("mean", f"{r.mean('once_service'):,.1f}",
                      f"{r.mean('rolling_service'):,.1f}", f"{r.mean('once_cost'):,.0f}",
                      f"{r.mean('rolling_cost'):,.0f}", f"{r.mean('nervousness'):,.0f}", "")
    console.print(table)
    s0, s1 = r.mean("once_service"), r.mean("rolling_service")
    c0, c1 = r.mean("once_cost"), r.mean("rolling_cost")
    console.print(f"value of replanning (mean of {len(r.futures)} future"
                  f"{'s' if len(r.futures) != 1 else ''}): lateness S {s0:,.1f} -> {s1:,.1f} "
                  f"unit-weeks ({s1 - s0:+,.1f}), cost C {c0:,.0f} -> {c1:,.0f} {currency} "
                  f"({c1 - c0:+,.0f})")
