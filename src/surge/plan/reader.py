"""The one strict reader of plan files, used by every command that reads a plan.

Strict where a plan file could mislead: each key once, ``surge_plan: 1`` present, types
exact (a week ``"2"`` or a quantity ``true`` is refused), and no unknown key inside a
row or in ``costs``. Extra top-level keys are welcome (KPIs, solver statistics), unless
they look like a misspelt known key (``purchase`` for ``purchases``).
"""

from __future__ import annotations

import difflib
import json
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from surge.errors import PlanFileError
from surge.fileio import read_text
from surge.plan.model import Plan
from surge.validation import pydantic_problems

_LISTS = ("activations", "production", "purchases", "shipments", "deliveries")


def load_json(text: str, label: str, what: str = "plan file") -> Any:
    """Parse JSON with each key once, finite numbers and bounded nesting."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise PlanFileError(f"{label}: key '{key}' is written twice in one object")
            out[key] = value
        return out

    def no_constants(token: str) -> float:
        raise PlanFileError(f"{label}: {token} is not a finite number")

    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"{label}: not a JSON {what} (line {exc.lineno}, column "
                            f"{exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise PlanFileError(f"{label}: nested too deeply to be a {what}") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise PlanFileError(f"{label}: not a {what}: an integer of more than 4,300 "
                            "digits") from None


def read_plan(path: str | Path) -> Plan:
    """Read and check a plan file; anything else gives a :class:`PlanFileError`."""
    label = str(path)
    data = load_json(read_text(path, "plan file (JSON)"), label)
    return plan_from_data(data, label)


def plan_from_data(data: Any, label: str = "plan", *, strict: bool = True) -> Plan:
    """A :class:`Plan` from parsed JSON, with the strict rules of this module (``strict``
    False: pydantic's lax types and the format version may be left out, for Python use)."""
    if not isinstance(data, dict):
        raise PlanFileError(f"{label}: a plan file is a JSON object, got {type(data).__name__}")
    problems: list[str] = []
    if strict and "surge_plan" not in data:
        problems.append("missing required key 'surge_plan' (the format version, 1)")
    known = list(Plan.model_fields)
    for key in data:
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.8)
        if key not in known and close:
            problems.append(f"unknown key '{key}'; did you mean '{close[0]}'?")
    try:
        plan = Plan.model_validate(data, strict=strict)
    except ValidationError as exc:
        problems += [str(p) for p in pydantic_problems(exc, data)]
        plan = None
    if strict:
        problems += _python_names(data)
    if plan is not None and strict:
        problems += _row_extras(plan)
    if problems:
        raise PlanFileError(f"{label}: not a valid plan (format v1):\n  " + "\n  ".join(problems))
    assert plan is not None
    return plan


def _python_names(data: dict[str, Any]) -> list[str]:
    """A row key spelt as the Python field (``from_``) instead of the format's (``from``)."""
    out = []
    for key in _LISTS:
        rows = data.get(key)
        if not isinstance(rows, list):
            continue
        row_model = typing.get_args(Plan.model_fields[key].annotation)[0]
        renamed = {n: f.alias for n, f in row_model.model_fields.items()
                   if f.alias not in (None, n)}
        for i, row in enumerate(rows):
            for name in renamed.keys() & (row.keys() if isinstance(row, dict) else set()):
                expected = [f.alias or n for n, f in row_model.model_fields.items()]
                out.append(f"{key}[{i}]: unknown key '{name}' (expected keys: "
                           f"{', '.join(expected)})")
    return out


def _row_extras(plan: Plan) -> list[str]:
    out = []
    for key in _LISTS:
        for i, row in enumerate(getattr(plan, key)):
            out += _extras(row, f"{key}[{i}]")
    if plan.costs is not None:
        out += _extras(plan.costs, "costs")
    return out


def _extras(row: BaseModel, where: str) -> list[str]:
    extra = row.model_extra or {}
    if not extra:
        return []
    expected = [f.alias or n for n, f in type(row).model_fields.items()]
    return [f"{where}: unknown key '{k}' (expected keys: {', '.join(expected)})" for k in extra]
