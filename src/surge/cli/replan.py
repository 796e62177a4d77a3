"""``surge replan``: roll, plan the rest of the programme, verify, and show what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from surge.cli.common import app, console, err_console, handle_errors
from surge.cli.inputs import guard_output, load_state_inputs
from surge.cli.plan import print_plan_summary
from surge.cli.roll import print_roll_summary
from surge.state.replan import Changes, ReplanResult, projected_completion, replan
from surge.state.roll import write_scenario


@app.command("replan")
@handle_errors
def replan_command(
    scenario: Annotated[Path, typer.Argument(help="The original scenario (YAML or JSON).")],
    plan: Annotated[Path, typer.Argument(help="The plan being executed (plan file).")],
    actuals: Annotated[Path, typer.Argument(help="Actuals file: what happened up to W.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="New plan file (JSON).")],
    freeze: Annotated[int, typer.Option(
        "--freeze", min=0, help="Weeks W..W+F-1 of the old plan's orders and conversions "
        "kept as firm.")] = 0,
    window: Annotated[int | None, typer.Option(
        "--window", min=1, help="Weeks over which nervousness is measured "
        "(default: F, or 4).")] = None,
    stability: Annotated[float, typer.Option(
        "--stability", min=0.0, help="Keep the new plan close to the old one: after S is "
        "minimal, minimise C + W x (units of purchases and production changed over the "
        "window); W in currency per unit, 0: off.")] = 0.0,
    rolled: Annotated[Path | None, typer.Option(
        "--rolled", help="Also write the rolled scenario here (.yaml or .json).")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=0.01, help="Seconds for the solve.")] = None,
    risk_runs: Annotated[int, typer.Option(
        "--risk-runs", min=0, help="Monte Carlo runs of the new plan on the rolled scenario "
        "(0: none) for its projected completion.")] = 0,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the risk runs.")] = 0,
) -> None:
    """Replan from where the programme really stands.

    Rolls the scenario to week W of the actuals, plans the rolled scenario, verifies the
    new plan against it and prints what changed against the old plan. The new plan's
    weeks are those of the rolled scenario (week 0 = week W of the original). Exit code 0
    with a verified plan, 3 if infeasible, 2 for bad input, 1 otherwise.
    """
    guard_output(output, [scenario, plan, actuals])
    guard_output(rolled, [scenario, plan, actuals], "--rolled")
    sc, old, facts = load_state_inputs(scenario, plan, actuals)
    assert old is not None and facts is not None
    result = replan(sc, old, facts, freeze, window, stability, time_limit=time_limit)
    if rolled is not None:
        write_scenario(result.rolled.document, rolled)
    result.plan.to_json(output)
    print_roll_summary(result.rolled, sc.currency)
    print_plan_summary(result.rolled.scenario, result.plan)
    print_changes(result.changes)
    console.print(f"wrote {output}")
    if result.plan.status in ("infeasible", "error"):
        err_console.print(f"[red bold]{result.plan.status}:[/red bold] "
                          f"{escape(result.plan.message)}")
        raise typer.Exit(3 if result.plan.status == "infeasible" else 1)
    if not result.verification.ok:
        for v in result.verification.violations:
            err_console.print(f"[red]violation[/red] {escape(str(v))}")
        raise typer.Exit(1)
    console.print("verified: the new plan holds every rule of the rolled scenario")
    if risk_runs and result.rolled.scenario.uncertainty is not None:
        print_projection(result, risk_runs, seed)


def print_projection(result: ReplanResult, runs: int, seed: int) -> None:
    """Projected completion of each demand from a risk run of the new plan."""
    from surge.risk import simulate

    risk = simulate(result.rolled.scenario, result.plan, runs=runs, seed=seed)
    W = result.rolled.through_week
    console.print(f"risk of the new plan ({runs} runs, seed {seed}): all due dates met in "
                  f"{100 * risk['p_all_met']:.1f}% of runs, expected S "
                  f"{risk['expected_service']:,.1f} unit-weeks")
    for did, week in projected_completion(risk, W).items():
        console.print(f"  {did}: median completion "
                      + ("beyond the horizon" if week is None else f"week {week}"))


def print_changes(ch: Changes) -> None:
    """Activations added, dropped or moved; nervousness over the window."""
    W, F = ch.through_week, ch.window
    if not ch.moves:
        console.print("conversions: unchanged")
    for m in ch.moves:
        console.print(escape(f"conversion change: {m}"))
    console.print(f"nervousness over weeks {W}..{W + F - 1}: {ch.nervousness:,.1f} units "
                  f"(purchases {ch.purchase_change:,.1f}, production "
                  f"{ch.production_change:,.1f})")
