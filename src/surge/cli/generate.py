"""``surge generate``: write a synthetic scenario of any size, for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from surge.cli.common import app, console, err_console, handle_errors
from surge.errors import SurgeError
from surge.fileio import check_output
from surge.scenario import validate
from surge.scenario.generate import (
    LINES_RANGE,
    WEEKS_RANGE,
    check_size,
)
from surge.scenario.generate import generate as generate_scenario
from surge.scenario.yaml_writer import output_format, write


@app.command()
@handle_errors
def generate(
    lines: Annotated[int, typer.Option(
        "--lines", "-n", help=f"Candidate lines, {LINES_RANGE[0]}..{LINES_RANGE[1]}.")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="File to write (.yaml, .yml or .json).")],
    weeks: Annotated[int, typer.Option(
        "--weeks", "-w", help=f"Horizon in weeks, {WEEKS_RANGE[0]}..{WEEKS_RANGE[1]}.")] = 26,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Random seed (>= 0).")] = 0,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="yaml or json (default: from the file's suffix).")] = None,
) -> None:
    """Write a synthetic but meaningful scenario with N candidate lines.

    The product is a small electric fixed-wing airframe (25 items, 4 levels, alternative
    operations); the lines (with 1-3 conversion options each) stand at about N/3 sites of
    about N/8 organisations across Europe; about 8 + N/20 suppliers in Europe and Asia
    have limited weekly capacity; orders at 1-3 depots fall due monthly and need roughly
    half of the lines. Same arguments, same file, byte for byte.

    Example: [bold]surge generate --lines 300 --weeks 26 --seed 7 -o s300.yaml[/bold]
    """
    check_size(lines, weeks, seed)
    check_output(output)
    kind = output_format(output, fmt)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        progress.add_task(f"generating {lines} lines over {weeks} weeks", total=None)
        doc = generate_scenario(lines, weeks, seed)
        scenario, problems = validate(doc)
        if scenario is None:  # the generator's own fault, not the user's
            first = "; ".join(str(p) for p in problems[:3])
            raise SurgeError("the generated scenario breaks the format (please report it): "
                             f"{first}")
        write(doc, output, kind)
    units = sum(d.total for d in scenario.demands if d.item == "uav")
    console.print(
        f"wrote {output}: {len(scenario.lines)} lines "
        f"({sum(len(line.options) for line in scenario.lines)} options) at {len(scenario.sites)} "
        "sites "
        f"of {len(scenario.organizations)} organisations, {len(scenario.suppliers)} suppliers, "
        f"{len(scenario.demands)} demands ({units:,.0f} aircraft) over {weeks} weeks"
        + (f"; {len(problems)} warnings" if problems else "")
    )
