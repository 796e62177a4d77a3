"""``surge check``: validate a scenario and summarise it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from surge.cli.common import app, console, handle_errors, print_problems
from surge.scenario import load_with_problems
from surge.scenario.model import Scenario


@app.command()
@handle_errors
def check(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
) -> None:
    """Check a scenario against every rule of the format and summarise it.

    Prints every problem at once (errors and warnings, each with its path), then counts,
    horizon, what is due, and an upper bound on what could be made by each due week if
    every line were converted at once and every supplier delivered at full capacity.
    Exit code 0 if valid (warnings allowed), 2 if not.
    """
    sc, problems = load_with_problems(scenario)
    print_problems(problems)
    if not quiet:
        print_summary(sc)
    console.print(f"[green]ok[/green] {scenario}: valid scenario"
                  + (f" ({len(problems)} warning{'s' if len(problems) != 1 else ''})" if problems else ""))


def print_summary(sc: Scenario) -> None:
    from surge.scenario.summary import capacity_bound

    console.print(f"[bold]{sc.name}[/bold]")
    end = sc.week_date(sc.weeks - 1)
    console.print(f"horizon: {sc.weeks} weeks, week 0 = {sc.start} .. week {sc.weeks - 1} = {end}; "
                  f"objective {sc.objective.mode}; currency {sc.currency}")
    counts = Table(title="Entities", show_header=True)
    for kind in ("items", "operations", "organizations", "sites", "lines", "suppliers", "demands"):
        counts.add_column(kind, justify="right")
    n_options = sum(len(line.options) for line in sc.lines)
    n_offers = sum(len(s.offers) for s in sc.suppliers)
    counts.add_row(*[str(len(getattr(sc, k))) for k in
                     ("items", "operations", "organizations", "sites")],
                   f"{len(sc.lines)} ({n_options} options)", f"{len(sc.suppliers)} ({n_offers} offers)",
                   str(len(sc.demands)))
    console.print(counts)
    bound = capacity_bound(sc)
    table = Table(title="Demands: due vs. most that could be made (upper bound)")
    for col in ("demand", "item", "site", "due week", "date", "cumulative due", "upper bound", ""):
        table.add_column(col, justify="right" if col in ("due week", "cumulative due", "upper bound") else "left")
    for d in sc.demands:
        cum = 0.0
        for week in sorted({x.week for x in d.due}):
            cum += sum(x.quantity for x in d.due if x.week == week)
            ub = bound[d.item][week]
            flag = "[green]possible[/green]" if ub + 1e-9 >= cum else "[red]impossible[/red]"
            table.add_row(d.id, d.item, d.site, str(week), str(sc.week_date(week)),
                          f"{cum:,.0f}", f"{ub:,.0f}", flag)
        table.add_row(f"[bold]{d.id} total[/bold]", "", "", "", "", f"[bold]{d.total:,.0f}[/bold]", "", "")
    console.print(table)
