"""Surge: plan the conversion of civilian lines to surge production.

>>> import surge
>>> scenario = surge.load("examples/minimal.yaml")  # doctest: +SKIP
>>> plan = surge.solve(scenario)                      # doctest: +SKIP
>>> surge.verify(scenario, plan).ok                   # doctest: +SKIP
True
"""

from surge.errors import InputError, Problem, ScenarioError, SurgeError
from surge.scenario import Scenario, load

__all__ = ["InputError", "Problem", "Scenario", "ScenarioError", "SurgeError", "load"]
__version__ = "0.1.0"
