"""Surge: plan the conversion of civilian lines to surge production.

>>> import surge
>>> scenario = surge.load("examples/minimal.yaml")
>>> plan = surge.solve(scenario)
>>> plan.status, plan.objective.service, plan.objective.cost
('optimal', 0.0, 126000.0)
>>> surge.verify(scenario, plan).ok
True
"""

from surge.errors import InputError, Problem, ScenarioError, SurgeError
from surge.optimize import solve
from surge.plan.model import Plan
from surge.plan.verify import verify
from surge.scenario import Scenario, load

__all__ = [
    "InputError",
    "Plan",
    "Problem",
    "Scenario",
    "ScenarioError",
    "SurgeError",
    "load",
    "solve",
    "verify",
]
__version__ = "0.1.0"
