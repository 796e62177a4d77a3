"""The capacity bound of ``surge check``: hand-computed values, and truly an upper bound.

Every expected list below is computed by hand in the comment above it, from the module
docstring's definition (cumulative hours at the earliest start, best option per week,
inputs ``lead_time_weeks`` earlier, supplier capacity from ``available_from_week``).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest

from surge.optimize import solve
from surge.scenario import load, read_file
from surge.scenario.summary import capacity_bound

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = read_file(ROOT / "examples" / "minimal.yaml")


def variant(**changes: Any) -> dict[str, Any]:
    """The minimal scenario with some top-level lists or values replaced."""
    raw = copy.deepcopy(MINIMAL)
    raw.update(copy.deepcopy(changes))
    return raw


def offer(**changes: Any) -> list[dict[str, Any]]:
    base = {"item": "kit", "unit_price": 300, "lead_time_weeks": 1, "capacity_per_week": 60}
    return [{"id": "kits-r-us", "country": "FR", "offers": [base | changes]}]


def option(**changes: Any) -> dict[str, Any]:
    return {"id": "convert", "capabilities": ["assembly"], "hours_per_week": 100,
            "lead_time_weeks": 2, "ramp_up": [0.5]} | changes


def lines(*options: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": "plant-l1", "site": "plant", "options": list(options)}]


def assert_close(actual: list[float], expected: list[float]) -> None:
    assert len(actual) == len(expected)
    assert all(math.isclose(a, e, abs_tol=1e-9)
               for a, e in zip(actual, expected, strict=True)), actual


def test_minimal_scenario_by_hand() -> None:
    # hours 0,0,50,100,... -> cumulative 0,0,50,150,...,550 -> drones /2; kits 60 t by week t
    bound = capacity_bound(load(copy.deepcopy(MINIMAL)))
    assert_close(bound["drone"], [0, 0, 25, 75, 125, 175, 225, 275])
    assert_close(bound["kit"], [0, 60, 120, 180, 240, 300, 360, 420])


def test_kits_bind() -> None:
    # kits 20 t by week t: 0,20,...,140;
    # drones min(hours/2, kits) = min(0,0),(0,20),(25,40),(75,60),...
    bound = capacity_bound(load(variant(suppliers=offer(capacity_per_week=20))))
    assert_close(bound["drone"], [0, 0, 25, 60, 80, 100, 120, 140])


def test_yield_and_operation_lead_time() -> None:
    # yield 0.5, lead 1: by week t, runs up to t-1: min(H(t-1) * 0.5 / 2, kits(t-1) * 0.5 / 1)
    # H = 0,0,50,150,250,350,450; kits = 0,60,120,...: min(0,0),(0,30),(12.5,60),(37.5,90),...
    raw = variant()
    raw["operations"][0] |= {"yield": 0.5, "lead_time_weeks": 1}
    bound = capacity_bound(load(raw))
    assert_close(bound["drone"], [0, 0, 0, 12.5, 37.5, 62.5, 87.5, 112.5])


def test_inventory_capacity_list_available_from_and_late_arrivals() -> None:
    # 10 kits in stock; orders from week 2, lead 3, capacities 1..8 per order week:
    # orders in weeks 2,3,4 (capacities 3,4,5) arrive in weeks 5,6,7; later ones never arrive.
    raw = variant(suppliers=offer(capacity_per_week=[1, 2, 3, 4, 5, 6, 7, 8], lead_time_weeks=3,
                                  available_from_week=2),
                  inventory=[{"site": "plant", "item": "kit", "quantity": 10}])
    bound = capacity_bound(load(raw))
    assert_close(bound["kit"], [10, 10, 10, 10, 10, 13, 17, 22])
    # drones: min(hours/2 = 0,0,25,75,..., kits) = 0,0,10,10,10,13,17,22
    assert_close(bound["drone"], [0, 0, 10, 10, 10, 13, 17, 22])


def test_best_option_per_week() -> None:
    # option A (100 h, lead 2, ramp 0.5) and B (30 h, lead 0, from week 1): per week
    # max(A, B) = 0,30,50,100,100,100,100,100 -> cumulative 0,30,80,180,... -> /2
    raw = variant(lines=lines(option(), option(id="quick", hours_per_week=30, lead_time_weeks=0,
                                                ramp_up=[], earliest_start_week=1)),
                  suppliers=offer(capacity_per_week=1000))
    bound = capacity_bound(load(raw))
    assert_close(bound["drone"], [0, 15, 40, 90, 140, 190, 240, 290])


def test_an_option_that_can_never_start_offers_nothing() -> None:
    raw = variant(lines=lines(option(earliest_start_week=8)))
    assert_close(capacity_bound(load(raw))["drone"], [0] * 8)


def test_a_non_monotone_ramp_is_still_bounded_by_the_earliest_start() -> None:
    # ramp [1, 0, 0] from week 2: hours 0,0,100,0,0,100,100,100 -> cumulative /2
    raw = variant(lines=lines(option(ramp_up=[1, 0, 0])), suppliers=offer(capacity_per_week=1000))
    assert_close(capacity_bound(load(raw))["drone"], [0, 0, 50, 50, 50, 100, 150, 200])


def test_multi_level_bom_with_alternatives_and_shared_hours() -> None:
    # frame: bought 5/week (lead 0) or moulded (1 h each, capability moulding, none at week 0-1)
    # on a second line (20 h/week, lead 1, started week 0, ready week 1, ramp none).
    # frames: bought 5(t+1) + moulded 20 t  -> 5, 30, 55, 80, 105, 130, 155, 180
    # drones need a kit and a frame: min(hours/2, kits, frames) = 0, 0, 25, 75, 105, 130, 155, 180
    raw = variant(
        items=[{"id": "kit"}, {"id": "frame"}, {"id": "drone"}],
        operations=[
            {"id": "assemble", "produces": "drone", "consumes": {"kit": 1, "frame": 1},
             "capability": "assembly", "hours_per_unit": 2},
            {"id": "mould", "produces": "frame", "capability": "moulding", "hours_per_unit": 1},
        ],
        lines=[*lines(option()), {"id": "mould-l", "site": "plant", "options": [
            {"id": "o", "capabilities": ["moulding"], "hours_per_week": 20,
             "lead_time_weeks": 1}]}],
        suppliers=[*offer(capacity_per_week=1000), {"id": "frames", "country": "DE", "offers": [
            {"item": "frame", "unit_price": 1, "lead_time_weeks": 0, "capacity_per_week": 5}]}],
    )
    bound = capacity_bound(load(raw))
    assert_close(bound["frame"], [5, 30, 55, 80, 105, 130, 155, 180])
    assert_close(bound["drone"], [0, 0, 25, 75, 105, 130, 155, 180])


def test_an_operation_without_any_line_makes_nothing() -> None:
    raw = variant()
    raw["operations"][0]["capability"] = "painting"
    assert_close(capacity_bound(load(raw))["drone"], [0] * 8)


@pytest.mark.parametrize(
    ("raw", "tight"),
    [
        (variant(), True),
        (variant(suppliers=offer(capacity_per_week=20)), True),
        # only one option can be activated: the per-week max over options is not reachable
        (variant(lines=lines(option(), option(id="quick", hours_per_week=30, lead_time_weeks=0,
                                              ramp_up=[], earliest_start_week=1)),
                 suppliers=offer(capacity_per_week=25, lead_time_weeks=0)), False),
    ],
    ids=["minimal", "kits-bind", "two-options"],
)
def test_the_optimiser_never_beats_the_bound(raw: dict[str, Any], tight: bool) -> None:
    """With 1,000 drones due every week, the optimal plan delivers as much as it can, as
    early as it can; its cumulative deliveries never exceed the bound (and reach it where
    one line with one option, one operation and one input leave no slack in the relaxation)."""
    raw["demands"][0]["due"] = [{"week": t, "quantity": 1000} for t in range(8)]
    scenario = load(raw)
    bound = capacity_bound(scenario)["drone"]
    plan = solve(scenario, time_limit=60)
    delivered = [0.0] * 8
    for d in plan.deliveries:
        delivered[d.week] += d.quantity
    cumulative = [sum(delivered[: t + 1]) for t in range(8)]
    assert all(c <= b + 1e-6 for c, b in zip(cumulative, bound, strict=True)), (cumulative, bound)
    if not tight:
        return
    # within the solver's relative gap (objective.mip_gap = 1e-4)
    assert all(math.isclose(c, b, rel_tol=1e-4, abs_tol=1e-6)
               for c, b in zip(cumulative, bound, strict=True)), (cumulative, bound)
