"""``surge track``: plan versus actual up to the week the actuals reach."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from surge.cli.common import app, console, handle_errors
from surge.cli.inputs import guard_output, load_state_inputs
from surge.state.track import Tracking, track

TITLES = {"production": "Production per line (actual / planned) [units]",
          "receipts": "Purchases received per supplier (actual / planned) [units]",
          "deliveries": "Deliveries per demand (actual / planned; cumulative against due) "
                        "[units]"}

HEADS = {"production": "line", "receipts": "supplier", "deliveries": "demand"}


@app.command("track")
@handle_errors
def track_command(
    scenario: Annotated[Path, typer.Argument(help="The original scenario (YAML or JSON).")],
    plan: Annotated[Path, typer.Argument(help="The plan being executed (plan file).")],
    actuals: Annotated[Path, typer.Argument(help="Actuals file: what happened up to W.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Also write the comparison as JSON.")] = None,
    risk_runs: Annotated[int, typer.Option(
        "--risk-runs", min=0, help="Projected completion: replan the rolled scenario and "
        "run this many Monte Carlo runs of the new plan (0: none).")] = 0,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the risk runs.")] = 0,
) -> None:
    """Plan versus actual, week by week up to W, and the largest shortfalls in words.

    With --risk-runs N, also the projected completion of each demand: the scenario is
    rolled to W and replanned (verified), and N risk runs of the new plan give each
    demand's median completion week.
    """
    guard_output(output, [scenario, plan, actuals])
    sc, old, facts = load_state_inputs(scenario, plan, actuals)
    assert old is not None and facts is not None
    result = track(sc, old, facts)
    print_tracking(result)
    if output is not None:
        output.write_text(json.dumps(result.to_dict(), indent=1) + "\n", encoding="utf-8")
        console.print(f"wrote {output}")
    if risk_runs:
        from surge.cli.replan import print_projection
        from surge.state.replan import replan

        if sc.uncertainty is None:
            console.print("projected completion: the scenario has no uncertainty section")
            return
        again = replan(sc, old, facts)
        if again.plan.status not in ("optimal", "feasible") or not again.verification.ok:
            console.print(f"projected completion: the rolled scenario could not be "
                          f"replanned ({again.plan.status}: {escape(again.plan.message)})")
            return
        print_projection(again, risk_runs, seed)


def _cell(a: float, p: float) -> str:
    text = f"{a:,.0f}/{p:,.0f}"
    return f"[red]{text}[/red]" if a < p - 1e-6 else text


def print_tracking(t: Tracking) -> None:
    W = t.through_week
    for kind, title in TITLES.items():
        rows = [s for s in t.series if s.kind == kind]
        if not rows:
            continue
        table = Table(title=escape(title))
        table.add_column(HEADS[kind], no_wrap=True)
        for week in range(W):
            table.add_column(f"w{week}", justify="right")
        table.add_column("total", justify="right")
        for s in rows:
            cells = [_cell(a, p) for a, p in zip(s.actual, s.planned, strict=True)]
            table.add_row(escape(s.name), *cells,
                          _cell(float(s.actual.sum()), float(s.planned.sum())))
            if s.due is not None:
                table.add_row("  cum. due", *[f"{x:,.0f}" for x in np.cumsum(s.due)],
                              f"{s.due.sum():,.0f}")
                table.add_row("  cum. planned", *[f"{x:,.0f}" for x in np.cumsum(s.planned)],
                              f"{s.planned.sum():,.0f}")
                table.add_row("  cum. delivered", *[f"{x:,.0f}" for x in np.cumsum(s.actual)],
                              f"{s.actual.sum():,.0f}")
        console.print(table)
    if t.conversions:
        table = Table(title="Conversions: planned and actual ready week")
        for col in ("line", "planned", "actual", "late [weeks]"):
            table.add_column(escape(col))
        for c in t.conversions:
            actual = "not started" if c.actual_ready is None else (
                f"{c.actual_ready}" + ("" if c.ready else " (expected)"))
            late = c.weeks_late
            table.add_row(escape(c.line), "-" if c.planned_ready is None else str(c.planned_ready),
                          actual, "-" if late is None else f"{late:+d}")
        console.print(table)
    if t.shortfalls:
        console.print(f"largest shortfalls up to week {W - 1}:")
        for text in t.shortfalls:
            console.print(escape(f"  {text}"))
    else:
        console.print(f"on plan up to week {W - 1}: no shortfall")
