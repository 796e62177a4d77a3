"""The range policy: magnitudes the planner can solve reliably.

HiGHS takes 1e20 as infinity and works to a relative precision of about 1e-9 to 1e-6;
a model mixing 1e308 hours with unit quantities of 1 gives the empty plan labelled
``optimal``. So every number of a scenario must lie within :data:`LIMITS` (by field name)
or :data:`DEFAULT_LIMIT`; a value outside is an error naming the field, the value and the
supported range. These limits are stated here only: the JSON Schema of the format
(``surge schema``) takes its maxima from them.

>>> print(magnitude_problems({"lines": [{"hours_per_week": 1e308}]})[0])
lines[0].hours_per_week: 1e+308 is out of the supported range: at most 10,000 [h/week]
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from surge.errors import Problem

MAX_WEEKS = 520
"""Longest horizon [weeks]: ten years."""

DEFAULT_LIMIT = 1e12
"""Largest magnitude of any number without a limit of its own [its unit]."""

LIMITS: dict[str, tuple[float, str]] = {
    "hours_per_week": (1e4, "h/week"),
    "hours_per_unit": (1e6, "h/unit"),
    "capacity_per_week": (1e9, "units/week"),
    "quantity": (1e9, "units"),
    "weight": (1e6, "-"),
    "weight_kg": (1e6, "kg"),
    "unmet_weeks": (5_200, "weeks"),
    "lead_time_weeks": (5_200, "weeks"),
    "late_penalty": (1e12, "per unit-week"),
    "fixed_cost": (1e12, "currency"),
    "weekly_cost": (1e12, "currency/week"),
    "cost_per_hour": (1e9, "currency/h"),
    "unit_price": (1e9, "currency/unit"),
    "cost_per_kg_km": (1e6, "currency/(kg km)"),
    "budget": (1e13, "currency"),
    "time_limit_s": (1e7, "s"),
}


CHECKED_ELSEWHERE = {"week", "weeks", "lat", "lon", "surge"}
"""Fields whose range the model checks already (a due week lies within the horizon)."""


def magnitude_problems(raw: Any) -> list[Problem]:
    """An error for each number of ``raw`` outside its supported range."""
    out: list[Problem] = []
    _walk(raw, "", "", out)
    return out


def _walk(node: Any, path: str, key: str, out: list[Problem]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            label = node.get("id") if isinstance(node.get("id"), str) else None
            here = f"{path}.{k}" if path else str(k)
            if label and path.endswith("]") and path.count(".") == 0:
                here = f"{path} '{label}'.{k}"
            _walk(v, here, str(k), out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _walk(v, f"{path}[{i}]", key, out)
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        if key in CHECKED_ELSEWHERE or isinstance(node, float) and not math.isfinite(node):
            return  # reported by the type checks as not a finite number
        limit, unit = LIMITS.get(key, (DEFAULT_LIMIT, ""))
        try:
            big = abs(node) > limit
        except OverflowError:  # an int too large for a float
            big = True
        if big:
            shown = f"{node:g}" if isinstance(node, float) else _short(node)
            units = f" [{unit}]" if unit else ""
            out.append(Problem(path, f"{shown} is out of the supported range: at most "
                                     f"{limit:,.0f}{units}"))


def _short(n: int) -> str:
    try:
        text = str(n)
    except ValueError:
        return "an integer of more than 4,300 digits"
    return text if len(text) <= 24 else f"{text[:6]}... ({len(text)} digits)"


def horizon_problems(raw: Any) -> list[Problem]:
    """An error if the horizon (``start`` plus ``weeks``) runs past the year 9999."""
    if not isinstance(raw, dict):
        return []
    start, weeks = raw.get("start"), raw.get("weeks")
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            return []
    if not isinstance(start, dt.date) or isinstance(weeks, bool) or not isinstance(weeks, int):
        return []
    if not 1 <= weeks <= MAX_WEEKS:
        return []
    try:
        start + dt.timedelta(weeks=weeks)
    except OverflowError:
        return [Problem("start", f"the horizon of {weeks} weeks from {start} ends after the "
                                 "year 9999, the last date supported")]
    return []
