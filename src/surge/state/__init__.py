"""Execution state: actuals, rolling a scenario to the week it stands at, replanning,
plan versus actual (state.md).

>>> from surge.state import load_actuals, roll  # doctest: +SKIP
>>> facts = load_actuals("actuals.yaml", scenario)  # doctest: +SKIP
>>> result = roll(scenario, facts, plan, freeze=2)  # doctest: +SKIP
"""

from surge.state.actuals import Actuals, actuals_problems, load_actuals
from surge.state.replan import Changes, ReplanResult, plan_changes, replan
from surge.state.roll import RollResult, StockCorrection, roll
from surge.state.track import Tracking, track

__all__ = ["Actuals", "Changes", "ReplanResult", "RollResult", "StockCorrection", "Tracking",
           "actuals_problems", "load_actuals", "plan_changes", "replan", "roll", "track"]
