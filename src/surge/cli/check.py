"""``surge check``: validate a scenario and summarise it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from surge.cli.common import app, console, handle_errors, print_problems
from surge.cli.inputs import SetOption, WithOption, load_scenario
from surge.errors import Problem
from surge.scenario import load_with_problems
from surge.scenario.model import Scenario


@app.command()
@handle_errors
def check(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
    with_: WithOption = None,
    set_: SetOption = None,
) -> None:
    """Check a scenario against every rule of the format and summarise it.

    Prints every problem at once (errors and warnings, each with its path), then counts,
    horizon, what is due, and an upper bound on what could be made by each due week if
    every line were converted at once and every supplier delivered at full capacity.
    Exit code 0 if valid (warnings allowed), 2 if not.
    """
    if with_ or set_:
        problems: list[Problem] = []
        sc = load_scenario(scenario, with_, set_)
    else:
        sc, problems = load_with_problems(scenario)
        print_problems(problems)
    if not quiet:
        print_summary(sc)
    n = len(problems)
    warnings = f" ({n} warning{'s' if n != 1 else ''})" if problems else ""
    console.print(f"[green]ok[/green] {scenario}: valid scenario{warnings}", soft_wrap=True)


def print_summary(sc: Scenario) -> None:
    """Counts, horizon and dates, what is due, and the capacity bound per due week."""
    from surge.scenario.summary import capacity_bound

    console.print(f"[bold]{escape(sc.name)}[/bold]")
    end = sc.week_date(sc.weeks - 1)
    console.print(f"horizon: {sc.weeks} weeks, week 0 starts {sc.start}, week {sc.weeks - 1} "
                  f"starts {end}; objective {sc.objective.mode}; currency {escape(sc.currency)}",
                  soft_wrap=True)
    n_options = sum(len(line.options) for line in sc.lines)
    n_offers = sum(len(s.offers) for s in sc.suppliers)
    counts = [_count(len(sc.items), "item"), _count(len(sc.operations), "operation"),
              _count(len(sc.organizations), "organization"), _count(len(sc.sites), "site"),
              f"{_count(len(sc.lines), 'line')} ({_count(n_options, 'option')})",
              f"{_count(len(sc.suppliers), 'supplier')} ({_count(n_offers, 'offer')})",
              _count(len(sc.demands), "demand"),
              _count(len(sc.inventory), "stock entry", "stock entries")]
    console.print(", ".join(counts), soft_wrap=True)
    bound = capacity_bound(sc)
    table = Table(title="Due vs. the most that could be available (an upper bound)")
    for col in ("demand", "item", "week", "date", "cum. due", "bound", "verdict"):
        right = col in ("week", "cum. due", "bound")
        table.add_column(col, justify="right" if right else "left", overflow="fold",
                         min_width=10 if col == "verdict" else None)
    def due_by(item: str, week: int) -> float:
        """Cumulative due of every demand for ``item`` by ``week``: they share the bound."""
        return sum(x.quantity for d in sc.demands if d.item == item
                   for x in d.due if x.week <= week)

    for d in sc.demands:
        cum = 0.0
        for week in sorted({x.week for x in d.due}):
            cum += sum(x.quantity for x in d.due if x.week == week)
            ub, need = bound[d.item][week], due_by(d.item, week)
            possible = ub + 1e-6 * max(1.0, need) >= need
            flag = "[green]possible[/green]" if possible else "[red]impossible[/red]"
            table.add_row(escape(d.id), escape(d.item), str(week), str(sc.week_date(week)),
                          f"{cum:,.0f}", f"{ub:,.0f}", flag)
    console.print(table)
    items = [d.item for d in sc.demands]
    if len(set(items)) < len(items):
        console.print("(the verdict compares the bound with what all demands for the item "
                      "have due by that week)", soft_wrap=True)
    total = ", ".join(f"{escape(d.id)} {d.total:,.0f} {escape(d.item)} at {escape(d.site)}"
                      for d in sc.demands)
    console.print(f"total due: {total}", soft_wrap=True)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 demand``, ``2 demands``: the count with its noun in the right number."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"
