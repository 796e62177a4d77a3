"""Turning pydantic's validation errors into messages a person can act on.

One place for every input format read with pydantic (scenario, plan file, risk file):
each error becomes a :class:`~surge.errors.Problem` with the path of the bad value
(``lines[3] 'douai-l2'.options[0].ramp_up[2]``) and what was expected
(``must be between 0 and 1, got 1.5``).

>>> from pydantic import BaseModel, ValidationError
>>> class Row(BaseModel):
...     week: int
>>> try:
...     Row.model_validate({})
... except ValidationError as exc:
...     print(pydantic_problems(exc, {})[0])
(top level): missing required key 'week'
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from surge.errors import Problem
from surge.scenario.types import show


def _no_keys(parent: tuple[Any, ...]) -> list[str]:
    return []


def format_path(loc: tuple[Any, ...], raw: Any) -> str:
    """``('lines', 3, 'options', 0)`` -> ``lines[3] 'douai-l2'.options[0]``.

    The id of a top-level object is shown after its index, so the object can be found
    by name as well as by position.
    """
    out = ""
    node: Any = raw
    for depth, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            if depth == 1 and isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f" '{node['id']}'"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def pydantic_problems(exc: ValidationError, raw: Any,
                      expected_keys: Callable[[tuple[Any, ...]], list[str]] = _no_keys,
                      ) -> list[Problem]:
    """Each error of ``exc`` as a :class:`Problem` at its path in ``raw``, in the format's
    words (``missing required key 'x'``, ``must be between 0 and 1, got 1.5``).

    ``expected_keys(parent)`` lists the keys allowed at a path, for unknown-key hints.
    """
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        value = err.get("input")
        if "[key]" in loc or kind == "invalid_key":  # a bad key in a mapping
            at = loc.index("[key]") if "[key]" in loc else len(loc)
            parent, key = loc[: at - 1], loc[at - 1]
            what = "must be a string" if kind == "invalid_key" else message(err, value)
            problems.append(Problem(format_path(parent, raw) or "(top level)",
                                    f"key {key}: {what}"))
            continue
        if kind == "extra_forbidden":
            parent, key = loc[:-1], loc[-1]
            expected = expected_keys(parent)
            close = difflib.get_close_matches(str(key), expected, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            keys = ", ".join(expected)
            problems.append(
                Problem(format_path(parent, raw) or "(top level)",
                        f"unknown key '{key}'{hint} (expected keys: {keys})")
            )
            continue
        if kind == "missing":
            parent, key = loc[:-1], loc[-1]
            problems.append(Problem(format_path(parent, raw) or "(top level)",
                                    f"missing required key '{key}'"))
            continue
        problems.append(Problem(format_path(loc, raw), message(err, value)))
    return problems


def message(err: Any, value: Any) -> str:
    """One pydantic error in the format's words."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "assertion_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, got {show(value)}"
    if kind in ("list_type",):
        return f"must be a list, got {show(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping, got {show(value)}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "string_type":
        return f"must be a string, got {show(value)}"
    return f"{err['msg']}, got {show(value)}"
