"""``surge roll``: the scenario of the rest of the programme, from the actuals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from surge.cli.common import app, console, handle_errors
from surge.cli.inputs import guard_output, load_state_inputs
from surge.state import RollResult, roll
from surge.state.roll import write_scenario
from surge.state.track import Tracking, track


@app.command("roll")
@handle_errors
def roll_command(
    scenario: Annotated[Path, typer.Argument(help="The original scenario (YAML or JSON).")],
    actuals: Annotated[Path, typer.Argument(help="Actuals file: what happened up to W.")],
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="Rolled scenario to write (.yaml or .json).")],
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="The plan being executed (needed for --freeze).")] = None,
    freeze: Annotated[int, typer.Option(
        "--freeze", min=0, help="Weeks W..W+F-1 of the plan's orders and conversions "
        "kept as firm.")] = 0,
) -> None:
    """Roll a scenario to week W = through_week of the actuals.

    Writes the scenario of weeks W.. as it stands: stock from the books (or the count),
    everything under way as receipts, converted lines committed, the remaining dues, the
    budget less what was spent. With --plan, also prints the plan-vs-actual variances.
    Exit code 2 for bad or inconsistent actuals (nothing is
    written).
    """
    guard_output(output, [scenario, actuals, plan])
    sc, old, facts = load_state_inputs(scenario, plan, actuals)
    assert facts is not None
    result = roll(sc, facts, old, freeze)
    write_scenario(result.document, output)
    print_roll_summary(result, sc.currency)
    if old is not None:
        print_variances(track(sc, old, facts))
    console.print(f"wrote {output}")


def print_variances(t: Tracking) -> None:
    """The plan-vs-actual variances of a roll with ``--plan``: totals and shortfalls."""
    for kind in ("production", "receipts", "deliveries"):
        rows = [s for s in t.series if s.kind == kind]
        if rows:
            planned = sum(float(s.planned.sum()) for s in rows)
            actual = sum(float(s.actual.sum()) for s in rows)
            console.print(f"{kind} to week {t.through_week - 1}: actual {actual:,.1f}, "
                          f"planned {planned:,.1f} ({actual - planned:+,.1f})")
    for text in t.shortfalls:
        console.print(escape(f"shortfall: {text}"))


def print_roll_summary(result: RollResult, currency: str) -> None:
    """What the roll found: S already incurred, money spent, stock corrections."""
    sc, W = result.scenario, result.through_week
    console.print(f"rolled to week {W}: {sc.weeks} weeks left from {sc.start}")
    console.print(f"lateness S already incurred (weeks 0..{W - 1}): "
                  f"{result.service_incurred:,.1f} unit-weeks")
    parts = ", ".join(f"{k} {v:,.0f}" for k, v in result.spent.items() if k != "total")
    console.print(f"spent: {result.spent['total']:,.0f} {currency} ({parts})")
    if sc.policy.budget is not None:
        console.print(f"budget left: {sc.policy.budget:,.0f} {currency}")
    committed = [ln for ln in sc.lines if ln.committed is not None]
    console.print(f"committed lines: {len(committed)}; receipts under way: "
                  f"{len(sc.receipts)}; demands open: {len(sc.demands)}")
    if result.frozen_purchases or result.frozen_activations:
        console.print(f"frozen from the plan: {result.frozen_purchases} purchases, "
                      f"{result.frozen_activations} activations")
    for c in result.corrections:
        console.print(escape(f"stock correction: {c.item} at {c.site}: counted {c.counted:,.1f}, "
                             f"books {c.computed:,.1f} ({c.difference:+,.1f})"))
