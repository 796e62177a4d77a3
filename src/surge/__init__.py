"""Surge: plan the conversion of civilian lines to surge production.

>>> import surge
>>> scenario = surge.load("examples/minimal.yaml")
>>> plan = surge.solve(scenario)
>>> plan.status, plan.objective.service, plan.objective.cost
('optimal', 0.0, 126000.0)
>>> surge.verify(scenario, plan).ok
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from surge.errors import InputError, Problem, ScenarioError, SurgeError

if TYPE_CHECKING:
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

# Public names resolved on first use, so that ``import surge`` (and the CLI's start-up)
# does not pay for linopy, xarray and pandas until a plan is solved.
_LAZY = {
    "Plan": "surge.plan.model",
    "Scenario": "surge.scenario.model",
    "load": "surge.scenario.load",
    "solve": "surge.optimize.solve",
    "verify": "surge.plan.verify",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'surge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
