"""``surge explain``: why a plan is what it is — bottlenecks, their value, missed due dates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from surge.cli.common import app, console, err_console, handle_errors
from surge.cli.inputs import (
    SetOption,
    WithOption,
    check_plan_of,
    guard_output,
    load_scenario,
)
from surge.explain import Explanation, explain
from surge.explain.story import amount, bottleneck_sentence, shortfall_sentence
from surge.fileio import write_text
from surge.plan.model import Plan
from surge.scenario.model import Scenario

if TYPE_CHECKING:
    from surge.explain import Explanation


@app.command("explain")
@handle_errors
def explain_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    plan: Annotated[Path, typer.Argument(help="Plan file (JSON) of that scenario.")],
    with_: WithOption = None,
    set_: SetOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Bottlenecks to show.")] = 10,
    confirm: Annotated[int, typer.Option(
        "--confirm", min=0, help="Top bottlenecks to confirm by re-planning.")] = 3,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=0.01, help="Seconds for each confirming re-plan.")] = 10.0,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Also write the explanation as JSON to this file.")] = None,
) -> None:
    """Explain a plan: what holds it back and what more of it would be worth.

    Fixes the plan's line starts, prices every line-hour, supplier, budget and policy limit
    by its dual value (lateness, then cost, saved per extra unit), ranks them in runs of
    weeks, confirms the top ones by re-planning with the limit relaxed, and names the
    missed due dates with what is used to the full upstream. Exit code 0, 2 for bad input.
    """
    guard_output(json_out, [scenario, plan, *(with_ or [])], "--json")
    sc = load_scenario(scenario, with_, set_)
    the_plan = Plan.read(plan)
    check_plan_of(sc, the_plan, plan, scenario, with_, set_)
    with err_console.status("Pricing the plan's limits...") as status:
        result = explain(sc, the_plan, confirm_top=confirm, time_limit=time_limit,
                         progress=lambda step: status.update(f"Explaining: {step}"))
    print_explanation(result, sc.currency, top)
    buffers = print_buffers(sc, the_plan)
    if json_out is not None:
        doc = result.to_dict()
        if buffers:
            doc["buffers"] = buffers
        write_text(json_out, json.dumps(doc, indent=1) + "\n")
        console.print(f"wrote {json_out}")


def print_explanation(e: Explanation, currency: str, top: int = 10) -> None:

    if e.note:
        console.print(escape(e.note))
        return
    console.print(f"[bold]{escape(e.scenario)}[/bold]: the plan's LP with its line starts fixed "
                  f"gives S = {amount(e.service or 0)} unit-weeks, C = {amount(e.cost or 0)} "
                  f"{escape(currency)}")
    shown = [b for b in e.bottlenecks if b.service_saved > 0 or b.cost_saved > 0][:top]
    for rule in e.rules:
        console.print(f"• {escape(rule)}")
    if not shown:
        if not e.rules:
            console.print("No limit holds this plan back: one more unit of any capacity, "
                          "supplier or rule would change neither lateness nor cost.")
    else:
        table = Table(title="Bottlenecks: lateness S and cost saved per extra unit a week, "
                      "and by the relaxation named below")
        for col in ("#", "limit", "weeks", "S/unit", f"{currency}/unit", "ΔS duals",
                    "ΔS re-planned", "ΔC re-planned"):
            table.add_column(col, justify="right" if "/" in col or "Δ" in col else "left")
        for i, b in enumerate(shown, 1):
            conf = b.confirmation or {}
            table.add_row(str(i), escape(f"{b.kind} {b.object}"), b.weeks,
                          amount(b.service_per_unit),
                          amount(b.cost_per_unit), amount(-b.service_saved),
                          _opt(conf.get("service_change"))
                          + ("*" if conf.get("status") == "feasible" else ""),
                          _opt(conf.get("cost_change")))
        console.print(table)
        if any((b.confirmation or {}).get("status") == "feasible" for b in shown):
            console.print("* re-planned within the time limit, not proven optimal")
        for b in shown[:5]:
            console.print(f"• {escape(bottleneck_sentence(b, currency))}")
    if e.shortfalls:
        console.print("[bold]Missed due dates[/bold]")
        for m in e.shortfalls:
            console.print(f"• {escape(shortfall_sentence(m))}")
    else:
        console.print("[green]Every due date is met.[/green]")


def print_buffers(sc: Scenario, plan: Plan) -> dict:
    """A risk-aware plan's buffers in words, with what each step cost (docs/robust.md)."""
    from surge.explain.buffers import (
        buffer_sentences,
        cost_sentences,
        robust_info,
        summary_sentence,
    )

    if robust_info(plan) is None:
        return {}
    summary, words, costs = (summary_sentence(sc, plan), buffer_sentences(sc, plan),
                             cost_sentences(sc, plan))
    console.print("[bold]Buffers: how this plan holds under the scenario's uncertainty[/bold]")
    console.print(escape(summary))
    for w in words:
        console.print(f"• {escape(w)}")
    if costs:
        console.print("What each step of the search bought, and what it cost:")
        for c in costs:
            console.print(f"  {escape(c)}")
    return {"summary": summary, "buffers": words, "steps": costs}


def _opt(x: float | None) -> str:
    return "—" if x is None else amount(x)
