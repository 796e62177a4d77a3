"""Surge: plan the conversion of civilian lines to surge production.

The public API, one import away: ``load_scenario`` (or ``load``) reads and checks a
scenario, ``solve`` plans it (``S`` first, then ``C``), ``verify`` checks a plan against
its scenario independently of the solver, ``simulate`` measures a plan's risk (Monte
Carlo), and the programme loop has ``load_actuals``, ``track``, ``roll``, ``replan`` and
``rehearse``. Names are imported on first use, so ``import surge`` stays quick. (The
planner is ``solve``: ``surge.plan`` is the package of the plan file.) See README.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from surge.errors import InputError, Problem, ScenarioError, SurgeError

if TYPE_CHECKING:
    from surge.optimize.solve import solve
    from surge.plan.model import Plan
    from surge.plan.verify import verify
    from surge.risk.simulate import simulate
    from surge.scenario import Scenario, load
    from surge.scenario import load as load_scenario
    from surge.state.actuals import Actuals, load_actuals
    from surge.state.rehearse import rehearse
    from surge.state.replan import replan
    from surge.state.roll import roll
    from surge.state.track import track

__all__ = [
    "Actuals",
    "InputError",
    "Plan",
    "Problem",
    "Scenario",
    "ScenarioError",
    "SurgeError",
    "load",
    "load_actuals",
    "load_scenario",
    "rehearse",
    "replan",
    "roll",
    "simulate",
    "solve",
    "track",
    "verify",
]
__version__ = "0.1.0"

# Public names resolved on first use, so that ``import surge`` (and the CLI's start-up)
# does not pay for linopy, xarray and pandas until a plan is solved: name -> (module, name).
_LAZY = {
    "Actuals": ("surge.state.actuals", "Actuals"),
    "Plan": ("surge.plan.model", "Plan"),
    "Scenario": ("surge.scenario.model", "Scenario"),
    "load": ("surge.scenario.load", "load"),
    "load_actuals": ("surge.state.actuals", "load_actuals"),
    "load_scenario": ("surge.scenario.load", "load"),
    "rehearse": ("surge.state.rehearse", "rehearse"),
    "replan": ("surge.state.replan", "replan"),
    "roll": ("surge.state.roll", "roll"),
    "simulate": ("surge.risk.simulate", "simulate"),
    "solve": ("surge.optimize.solve", "solve"),
    "track": ("surge.state.track", "track"),
    "verify": ("surge.plan.verify", "verify"),
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access (PEP 562)."""
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'surge' has no attribute {name!r}")
    value = getattr(importlib.import_module(where[0]), where[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
