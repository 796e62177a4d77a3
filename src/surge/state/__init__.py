"""Execution state: actuals, rolling a scenario to the week it stands at, replanning,
plan versus actual (state.md).

>>> from surge.state import load_actuals, roll  # doctest: +SKIP
>>> facts = load_actuals("actuals.yaml", scenario)  # doctest: +SKIP
>>> result = roll(scenario, facts, plan, freeze=2)  # doctest: +SKIP

The names below resolve on first use (PEP 562), so that importing one piece (the
actuals, say) does not load the optimiser.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from surge.state.actuals import Actuals, actuals_problems, load_actuals
    from surge.state.replan import Changes, ReplanResult, plan_changes, replan
    from surge.state.roll import RollResult, StockCorrection, roll
    from surge.state.track import Tracking, track

_WHERE = {
    "Actuals": "actuals", "actuals_problems": "actuals", "load_actuals": "actuals",
    "Changes": "replan", "ReplanResult": "replan", "plan_changes": "replan",
    "replan": "replan", "RollResult": "roll", "StockCorrection": "roll", "roll": "roll",
    "Tracking": "track", "track": "track",
}

__all__ = ["Actuals", "Changes", "ReplanResult", "RollResult", "StockCorrection", "Tracking",
           "actuals_problems", "load_actuals", "plan_changes", "replan", "roll", "track"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"surge.state.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'surge.state' has no attribute {name!r}")
