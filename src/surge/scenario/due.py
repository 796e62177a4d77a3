"""What is due when: the one place the per-week due quantities are built from the demands.

>>> from surge.scenario import load
>>> sc = load("examples/minimal.yaml")
>>> due_matrix(sc).shape == (len(sc.demands), sc.weeks)
True
"""

from __future__ import annotations

import numpy as np

from surge.scenario.model import Demand, Scenario


def due_per_week(demand: Demand, weeks: int) -> np.ndarray:
    """Units of ``demand`` due in each week, shape (weeks,) [units]."""
    out = np.zeros(weeks)
    for x in demand.due:
        out[x.week] += x.quantity
    return out


def due_matrix(scenario: Scenario) -> np.ndarray:
    """Units due per demand (in scenario order) and week, shape (demands, weeks) [units]."""
    out = np.zeros((len(scenario.demands), scenario.weeks))
    for j, demand in enumerate(scenario.demands):
        out[j] = due_per_week(demand, scenario.weeks)
    return out
