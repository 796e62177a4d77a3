"""``surge report``: one self-contained HTML page of a plan (and its risk, if given)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from surge.cli.common import app, console, err_console, handle_errors
from surge.cli.inputs import (
    SetOption,
    WithOption,
    check_plan_of,
    guard_output,
    load_scenario,
    read_risk_file,
)
from surge.errors import InputError
from surge.plan.model import Plan

if TYPE_CHECKING:
    from surge.report.html import Section
    from surge.scenario.model import Scenario


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
    actuals: Annotated[Path | None, typer.Option(
        "--actuals", help="Add a 'Plan versus actual' section from this actuals file.")] = None,
    frontier: Annotated[Path | None, typer.Option(
        "--frontier", help="Frontier file (surge frontier, surge plan --frontier): adds the "
                           "cost-against-certainty chart and the side-by-side to the "
                           "'A plan that holds' section.")] = None,
    with_: WithOption = None,
    set_: SetOption = None,
) -> None:
    """Write the plan's report: one HTML file that opens offline in any browser.

    KPIs, deliveries against due dates, line activations, utilisation, purchases, stock and
    costs; with [bold]--risk[/bold], the delivery fan, P(on time) and criticality. A plan
    without a schedule (infeasible, error) still gives a page with its status and message.
    Exit code 0 when written, 2 for bad input.
    """
    from surge.report import write_report

    guard_output(output, [scenario, plan, risk, compare, actuals, frontier, *(with_ or [])])
    sc = load_scenario(scenario, with_, set_)
    the_plan = Plan.read(plan)
    check_plan_of(sc, the_plan, plan, scenario, with_, set_)
    risk_doc = read_risk_file(risk, sc) if risk is not None else None
    extra = []
    if explain or compare is not None:
        from surge.explain.report import extra_sections

        with err_console.status("Explaining the plan..."):
            extra = extra_sections(sc, the_plan, explain=explain, compare=compare)
    if actuals is not None:
        extra.append(tracking_block(sc, the_plan, actuals))
    held = robust_extra(sc, the_plan, frontier)
    if held is not None:
        extra = [held, *extra]
    with err_console.status("Drawing the report..."):
        path = write_report(output, sc, the_plan, risk=risk_doc, extra_sections=extra)
    size = path.stat().st_size / 1e6
    note = "" if the_plan.has_plan else f" (plan {the_plan.status}: no charts)"
    console.print(f"[green]wrote[/green] {path} ({size:.1f} MB){note}")


def tracking_block(sc: Scenario, plan: Plan, actuals: Path) -> Section:
    """The "Plan versus actual" section of ``--actuals`` (surge.state.report)."""
    from surge.state import load_actuals, track
    from surge.state.report import tracking_section

    return tracking_section(sc, track(sc, plan, load_actuals(actuals, sc)))
def robust_extra(sc: Scenario, plan: Plan, frontier: Path | None) -> Section | None:
    """The 'A plan that holds' section for a risk-aware plan and/or a frontier file."""
    from surge.report.robust import robust_section

    doc = read_frontier_file(frontier, sc) if frontier is not None else None
    return robust_section(sc, plan, doc)


def read_frontier_file(path: Path, sc: Scenario) -> dict[str, Any]:
    """A frontier file of this scenario, or a clear error naming the file."""
    from surge.fileio import read_text

    try:
        doc = json.loads(read_text(path, "frontier file (JSON)"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("surge_frontier") != 1:
        raise InputError(f"{path}: not a frontier file (expected a JSON object with "
                         "surge_frontier: 1, from `surge frontier`)")
    if doc.get("scenario") != sc.name:
        raise InputError(f"{path}: frontier of scenario {doc.get('scenario')!r}, not of "
                         f"{sc.name!r}")
    if not isinstance(doc.get("points"), list):
        raise InputError(f"{path}: 'points' must be a list of frontier plans")
    return doc
