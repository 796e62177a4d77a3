"""``surge compare``: what differs between two plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from surge.cli.common import app, console, handle_errors
from surge.cli.inputs import guard_output
from surge.errors import InputError
from surge.explain.compare import Comparison, compare
from surge.explain.story import amount
from surge.fileio import write_text
from surge.plan.model import Plan
from surge.scenario import load

if TYPE_CHECKING:
    from surge.explain.compare import Comparison


@app.command("compare")
@handle_errors
def compare_command(
    plan_a: Annotated[Path, typer.Argument(help="First plan file (JSON).")],
    plan_b: Annotated[Path, typer.Argument(help="Second plan file (JSON).")],
    scenario: Annotated[Path | None, typer.Option(
        "--scenario", help="Scenario of the plans: S and C recomputed, S split by demand.")] = None,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Also write the comparison as JSON to this file.")] = None,
) -> None:
    """Compare two plans: S and C and their parts, activations added, removed or moved,
    deliveries, and the suppliers whose orders changed most. Exit code 0, 2 for bad input."""
    guard_output(json_out, [plan_a, plan_b, scenario], "--json")
    sc = load(scenario) if scenario is not None else None
    a, b = Plan.read(plan_a), Plan.read(plan_b)
    if a.scenario != b.scenario:
        raise InputError(f"{plan_a} is a plan of scenario '{a.scenario}' and {plan_b} of "
                         f"'{b.scenario}': compare plans of one scenario")
    if sc is not None and a.scenario != sc.name:
        raise InputError(f"the plans are of scenario '{a.scenario}', but {scenario} is "
                         f"'{sc.name}'")
    result = compare(a, b, sc, names=(plan_a.name, plan_b.name))
    print_comparison(result)
    if json_out is not None:
        write_text(json_out, json.dumps(result.to_dict(), indent=1) + "\n")
        console.print(f"wrote {json_out}")


def print_comparison(c: Comparison) -> None:
    table = Table(title=f"{escape(c.name_a)} vs {escape(c.name_b)}")
    table.add_column("")
    for col in (c.name_a, c.name_b, "change"):
        table.add_column(escape(col), justify="right")
    for what, a, b in c.numbers():
        change = b - a
        colour = "green" if change < -1e-6 else "red" if change > 1e-6 else "dim"
        table.add_row(escape(what), amount(a), amount(b), f"[{colour}]{amount(change)}[/{colour}]")
    console.print(table)
    for d, (before, after) in c.delivered.items():
        diff = [y - x for x, y in zip(before, after, strict=True)]
        if any(abs(v) > 1e-6 for v in diff):
            week = max(range(len(diff)), key=lambda t: abs(diff[t]))
            console.print(f"• deliveries of {escape(d)}: {amount(diff[week])} units by week "
                          f"{week} ({amount(before[week])} -> {amount(after[week])}), "
                          f"{amount(before[-1])} -> {amount(after[-1])} in all")
    for line in c.sentences(deliveries=False):  # deliveries: above, by their largest change
        console.print(f"• {escape(line)}")
