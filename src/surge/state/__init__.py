"""Execution state: actuals, rolling a scenario to the week it stands at, replanning,
plan versus actual (state.md).

>>> from surge.state import load_actuals, roll  # doctest: +SKIP
>>> result = roll(scenario, load_actuals("actuals.yaml", scenario), plan, freeze=2)  # doctest: +SKIP
"""

from surge.state.actuals import Actuals, actuals_problems, load_actuals
from surge.state.roll import RollResult, StockCorrection, roll

__all__ = ["Actuals", "RollResult", "StockCorrection", "actuals_problems", "load_actuals",
           "roll"]
