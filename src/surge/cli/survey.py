"""``surge survey``: capacity survey workbooks out to industry (``template``) and back
into a scenario (``import``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from surge.cli.common import app, console, err_console, handle_errors
from surge.errors import InputError
from surge.scenario import load
from surge.scenario.yaml_writer import dumps, output_format

survey_app = typer.Typer(name="survey", no_args_is_help=True, add_completion=False,
                         help="Capacity survey workbooks: make them, read them back.")
app.add_typer(survey_app, name="survey")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and ``os.replace``: all or nothing."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None


@survey_app.command("template")
@handle_errors
def template(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx).")],
    organization: Annotated[str | None, typer.Option(  # noqa: UP007 - typer needs Optional
        "--organization", help="Id of the organisation the workbook is for.")] = None,
    supplier: Annotated[str | None, typer.Option(  # noqa: UP007
        "--supplier", help="Id of the supplier the workbook is for.")] = None,
) -> None:
    """Write the survey workbook of one organisation or supplier, prefilled from SCENARIO.

    A new id gives an empty workbook. Example:
    [bold]surge survey template examples/uav-france.yaml --organization cleon -o cleon.xlsx[/bold]
    """
    if output.suffix.lower() != ".xlsx":
        raise InputError(f"{output}: the workbook must be named .xlsx")
    sc = load(scenario)
    from surge.survey import make_template  # openpyxl loads when a workbook is made

    write_atomic(output, make_template(sc, organization=organization, supplier=supplier))
    who = f"organisation '{organization}'" if organization else f"supplier '{supplier}'"
    console.print(f"wrote {escape(str(output))}: survey workbook of the {escape(who)}")


@survey_app.command("import")
@handle_errors
def import_(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    workbooks: Annotated[list[Path], typer.Argument(help="Returned workbooks (.xlsx).")],
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="Merged scenario to write (.yaml, .yml or .json).")],
) -> None:
    """Merge returned workbooks into SCENARIO and write the merged scenario.

    Each organisation's sites and lines (each supplier's offers) are replaced by its
    workbook's; new ids are added. Every problem of every workbook is printed with its
    cell; on any error nothing is written and the exit code is 2.
    """
    from surge.survey import merge, read_workbook  # openpyxl loads when workbooks are read
    from surge.survey.read import SurveyProblem

    fmt = output_format(output)
    sc = load(scenario)
    subs, problems = [], []
    for path in workbooks:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(SurveyProblem(path.name, None, None, None,
                                          f"cannot read ({exc.strerror})"))
            continue
        sub, found = read_workbook(path.name, data)
        problems += found
        if sub is not None:
            subs.append(sub)
    merged, found = merge(sc, subs)
    problems += found
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        label = "[red]error[/red]  " if p.severity == "error" else "[yellow]warning[/yellow]"
        err_console.print(f"{label} {escape(str(p))}")
    if errors or merged is None:
        noun = "problem" if len(errors) == 1 else "problems"
        err_console.print(f"[red bold]{len(errors)} {noun} found; nothing written[/red bold]")
        raise typer.Exit(2)
    write_atomic(output, dumps(merged.dump(), fmt).encode("utf-8"))
    console.print(f"wrote {escape(str(output))}: {len(subs)} workbook"
                  f"{'s' if len(subs) != 1 else ''} merged into {escape(str(scenario))}")
