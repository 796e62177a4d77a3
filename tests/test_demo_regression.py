"""The demo scenario (examples/uav-france.yaml) solves to proven optimality with known values.

Values observed on two identical runs (HiGHS, 2 cores); docs/demo.md explains them.
"""

import math
from pathlib import Path

import pytest

import surge
from surge.report.data import kpis

DEMO = Path(__file__).resolve().parents[1] / "examples" / "uav-france.yaml"

SERVICE = 0.0
COST = 2845520.791818158
LINES = {"cleon-l1", "lacq-l1", "laval-l1", "le-mans-l1", "serquigny-l1", "tg-l1", "toulouse-l1"}


@pytest.fixture(scope="module")
def solved():
    scenario = surge.load(DEMO)
    return scenario, surge.solve(scenario, time_limit=60)


def test_demo_is_solved_to_optimality(solved):
    _, plan = solved
    assert plan.status == "optimal"
    assert all(stage["status"] == "optimal" for stage in plan.model_extra["solver"]["stages"])


def test_demo_objective_values(solved):
    _, plan = solved
    assert math.isclose(plan.objective.service, SERVICE, rel_tol=1e-6, abs_tol=1e-6)
    assert math.isclose(plan.objective.cost, COST, rel_tol=1e-6)


def test_demo_plan_shape(solved):
    scenario, plan = solved
    figures = kpis(scenario, plan)
    assert {a.line for a in plan.activations} == LINES
    assert figures["lines_activated"] == 7 < len(scenario.lines) == 20
    assert figures["first_delivery_week"] == 8
    assert math.isclose(figures["on_time_share"], 1.0, rel_tol=1e-6)


def test_demo_plan_verifies(solved):
    scenario, plan = solved
    assert surge.verify(scenario, plan).ok
