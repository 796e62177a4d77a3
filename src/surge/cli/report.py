"""``surge report``: one self-contained HTML page of a plan (and its risk, if given)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from surge.cli.common import app, console, err_console, handle_errors
from surge.errors import InputError
from surge.plan.model import Plan
from surge.scenario import load


def read_risk(path: Path) -> Any:
    """The JSON document of a risk file; its content is checked by the report."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a JSON risk file ({exc})") from None


@app.command()
@handle_errors
def report(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    plan: Annotated[Path, typer.Argument(help="Plan file (JSON) of that scenario.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="HTML file to write.")
    ] = Path("report.html"),
    risk: Annotated[
        Path | None, typer.Option("--risk", help="Risk file of the plan (from surge risk).")
    ] = None,
    explain: Annotated[bool, typer.Option(
        "--explain",
        help="Add a 'Why this plan' section: bottlenecks and missed due dates.")] = False,
    compare: Annotated[Path | None, typer.Option(
        "--compare", help="Add a section comparing the plan with this other plan file.")] = None,
) -> None:
    """Write the plan's report: one HTML file that opens offline in any browser.

    KPIs, deliveries against due dates, line activations, utilisation, purchases, stock and
    costs; with [bold]--risk[/bold], the delivery fan, P(on time) and criticality. A plan
    without a schedule (infeasible, error) still gives a page with its status and message.
    Exit code 0 when written, 2 for bad input.
    """
    from surge.report import write_report
    from surge.report.data import check_risk

    sc = load(scenario)
    the_plan = Plan.read(plan)
    risk_doc = check_risk(read_risk(risk), sc, str(risk)) if risk is not None else None
    extra = []
    if explain or compare is not None:
        from surge.explain.report import extra_sections

        with err_console.status("Explaining the plan..."):
            extra = extra_sections(sc, the_plan, explain=explain, compare=compare)
    with err_console.status("Drawing the report..."):
        path = write_report(output, sc, the_plan, risk=risk_doc, extra_sections=extra)
    size = path.stat().st_size / 1e6
    note = "" if the_plan.has_plan else f" (plan {the_plan.status}: no charts)"
    console.print(f"[green]wrote[/green] {path} ({size:.1f} MB){note}")
