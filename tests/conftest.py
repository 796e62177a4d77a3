"""Shared test helpers: every plan a test makes goes through the independent verifier."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import surge
from surge.plan.model import Plan
from surge.scenario.model import Scenario


def solve_and_verify(scenario: dict[str, Any] | str | Path | Scenario, **kw: Any) -> Plan:
    """Plan ``scenario`` (a raw document, a file or a loaded scenario) with
    ``surge.solve(..., **kw)`` and assert that ``surge.verify`` finds no violation.

    A plan that breaks a rule fails the test with every violation listed.
    """
    if isinstance(scenario, dict):
        scenario = copy.deepcopy(scenario)  # loading must not change the caller's document
    sc = scenario if isinstance(scenario, Scenario) else surge.load(scenario)
    plan = surge.solve(sc, **kw)
    result = surge.verify(sc, plan)
    assert result.ok, (
        f"plan of {sc.name!r} ({plan.status}) breaks {len(result.violations)} rule(s):\n  "
        + "\n  ".join(str(v) for v in result.violations)
    )
    return plan
