"""What the commands share when they read inputs: the scenario with its what-if changes,
a plan checked against that scenario, and the guard on output paths.

A plan made with ``--with``/``--set`` records them under its ``what_if`` key (each overlay
by name and SHA-256 of its content); every command that reads a plan with its scenario
refuses, in one line, a plan of another scenario or one made with changes it is not given.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from surge.cli.common import print_problems
from surge.errors import InputError
from surge.fileio import check_output
from surge.plan.model import Plan
from surge.scenario import load_with_problems
from surge.scenario.model import Scenario

if TYPE_CHECKING:  # surge.state pulls in the optimiser (linopy): not at start-up
    from surge.state.actuals import Actuals

WithOption = Annotated[list[Path] | None, typer.Option(
    "--with", help="Overlay file(s) applied to the scenario, in order (see docs/whatif.md).")]
SetOption = Annotated[list[str] | None, typer.Option(
    "--set", help="One-line change, e.g. suppliers.cellco.offers[0].capacity_per_week=0.")]


def load_scenario(path: Path, overlays: list[Path] | None = None,
                  sets: list[str] | None = None) -> Scenario:
    """The scenario, with what-if overlays and --set changes applied when given."""
    if overlays or sets:
        from surge.explain.whatif import load_with_overlays

        return load_with_overlays(path, overlays or [], sets or [])
    sc, problems = load_with_problems(path)
    print_problems(problems)
    return sc


def what_if(overlays: list[Path] | None, sets: list[str] | None) -> dict[str, Any]:
    """The record of what-if changes a plan file keeps: ``{}`` when there are none."""
    if not overlays and not sets:
        return {}
    files = []
    for o in overlays or []:
        try:
            digest = hashlib.sha256(Path(o).read_bytes()).hexdigest()
        except OSError:
            digest = ""
        files.append({"file": str(o), "sha256": digest})
    return {"with": files, "set": list(sets or [])}


def _shown(record: dict[str, Any]) -> str:
    parts = [f"--with {f.get('file')}" for f in record.get("with", [])]
    parts += [f"--set {s}" for s in record.get("set", [])]
    return " ".join(parts) or "no --with/--set"


def check_plan_of(sc: Scenario, plan: Plan, plan_path: Path, scenario_path: Path,
                  overlays: list[Path] | None = None, sets: list[str] | None = None) -> None:
    """Refuse, in one line, a plan of another scenario, or a plan made with what-if changes
    that this command is not given (the same files, by content, and the same ``--set``).

    A plan made without changes may be looked at under a what-if (does it still hold, what
    is its risk there?): that is allowed."""
    if plan.scenario != sc.name:
        raise InputError(f"{plan_path}: the plan is for scenario '{plan.scenario}', not "
                         f"'{sc.name}' ({scenario_path}): give the scenario the plan was made for")
    recorded = (plan.model_extra or {}).get("what_if") or {}
    given = what_if(overlays, sets)
    if not isinstance(recorded, dict):
        raise InputError(f"{plan_path}: what_if must be a mapping, got {recorded!r}")

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (tuple(f.get("sha256") for f in r.get("with", []) if isinstance(f, dict)),
                tuple(r.get("set", [])))

    if recorded and key(recorded) != key(given):
        raise InputError(f"{plan_path}: the plan was made with {_shown(recorded)}, but this "
                         f"command was given {_shown(given)}: give the same what-if changes")


def guard_output(path: Path | None, inputs: list[Path | None], option: str = "--output") -> None:
    """:func:`surge.fileio.check_output` for an optional output."""
    if path is not None:
        check_output(path, inputs, option)


def read_risk_file(path: Path, sc: Scenario) -> dict[str, Any]:
    """The one reader of risk files on the command line: JSON with each key once, within
    the input size limit, then checked against the risk format for scenario ``sc``."""
    from surge.fileio import read_text
    from surge.plan.reader import load_json
    from surge.report.data import check_risk

    doc = load_json(read_text(path, "risk file (JSON)"), str(path), "risk file")
    return check_risk(doc, sc, str(path))


def load_state_inputs(scenario: Path, plan: Path | None, actuals: Path | None
                      ) -> tuple[Scenario, Plan | None, Actuals | None]:
    """What ``roll``, ``replan``, ``track`` and ``report --actuals`` read: the scenario
    (its warnings printed), the plan checked to be of that scenario, and the actuals
    checked against it (every problem at once)."""
    from surge.plan.reader import read_plan
    from surge.state.actuals import load_actuals

    sc = load_scenario(scenario)
    old = None
    if plan is not None:
        old = read_plan(plan)
        check_plan_of(sc, old, plan, scenario)
    facts = load_actuals(actuals, sc) if actuals is not None else None
    return sc, old, facts
