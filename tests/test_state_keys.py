"""The two scenario keys of rolled scenarios, ``receipts`` and ``lines[].committed``, on
the minimal example: each optimum worked out by hand and checked with ``math.isclose``.
Every plan goes through the independent verifier (``solve_and_verify``).

The minimal example: 200 drones due in week 7 at ``plant``; the line offers 100 h/week
(50 drones) at full rate, 50 h in its first ready week (ramp 0.5); kits cost 300 and take
one week; hours cost 40 (2 h per drone, so 80 per drone); conversion fixed cost 50,000.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import surge
from conftest import solve_and_verify
from surge.errors import ScenarioError
from surge.plan.model import Plan
from surge.scenario import read_file

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "minimal.yaml"


def minimal(**line_keys: Any) -> dict[str, Any]:
    doc = read_file(EXAMPLE)
    doc["lines"][0].update(line_keys)
    return doc


def test_committed_line_ready_now_pays_no_fixed_cost() -> None:
    """Committed ready in week 0 (50 h, then 100 h): kits arrive from week 1, so the line
    makes 200 drones in weeks 1..4; S = 0, C = 200 x 80 + 200 x 300 = 76,000 (no fixed
    cost: it is spent); weekly cost 1,000 x 8 weeks is added."""
    doc = minimal(committed={"option": "convert", "ready_week": 0})
    doc["lines"][0]["options"][0]["weekly_cost"] = 1000
    plan = solve_and_verify(doc)
    assert plan.objective.service == 0
    assert math.isclose(plan.objective.cost, 76_000 + 8_000, rel_tol=1e-6)
    assert plan.costs is not None and math.isclose(plan.costs.activation, 8_000, rel_tol=1e-6)
    [act] = plan.activations
    assert (act.line, act.option, act.start_week, act.ready_week) == ("plant-l1", "convert", -2, 0)


def test_committed_line_negative_ready_is_past_its_ramp() -> None:
    """Ready in week -3: past its ramp, full 100 h from week 0; the weekly cost is paid for
    weeks 0..7 only (8 x 1,000)."""
    doc = minimal(committed={"option": "convert", "ready_week": -3})
    doc["lines"][0]["options"][0]["weekly_cost"] = 1000
    plan = solve_and_verify(doc)
    assert plan.objective.service == 0
    assert math.isclose(plan.objective.cost, 76_000 + 8_000, rel_tol=1e-6)
    assert plan.activations[0].start_week == -5


def test_committed_line_ready_late_gives_backlog() -> None:
    """Ready in week 5: 25 + 50 + 50 = 125 drones by week 7, 75 short: S = 75 x (1 + 8)
    = 675; C = 3 weeks x 1,000 + 125 x (80 + 300) = 50,500. The line cannot start earlier:
    there is no choice left."""
    doc = minimal(committed={"option": "convert", "ready_week": 5})
    doc["lines"][0]["options"][0]["weekly_cost"] = 1000
    plan = solve_and_verify(doc)
    assert math.isclose(plan.objective.service, 675, rel_tol=1e-6)
    assert math.isclose(plan.objective.cost, 50_500, rel_tol=1e-6)
    assert plan.activations[0].ready_week == 5


def test_budget_counts_committed_weekly_cost() -> None:
    """Budget 8,000 + 125 x 380 = 55,500 with the line committed from week 0 at 1,000/week:
    125 drones can be paid for, so S = 75 x 9 = 675 (the budget binds)."""
    doc = minimal(committed={"option": "convert", "ready_week": 0})
    doc["lines"][0]["options"][0]["weekly_cost"] = 1000
    doc["policy"] = {"budget": 55_500}
    plan = solve_and_verify(doc)
    assert math.isclose(plan.objective.service, 675, rel_tol=1e-6)
    assert math.isclose(plan.objective.cost, 55_500, rel_tol=1e-6)


def test_receipts_of_the_demanded_item_need_no_plan() -> None:
    """200 drones arrive in week 7 whatever the plan does: S = 0 and C = 0 (receipts cost
    nothing; no conversion)."""
    doc = read_file(EXAMPLE)
    doc["receipts"] = [{"site": "plant", "item": "drone", "week": 7, "quantity": 200}]
    plan = solve_and_verify(doc)
    assert plan.objective.service == 0 and plan.objective.cost == 0
    assert plan.activations == []
    assert [(d.week, d.quantity) for d in plan.deliveries] == [(7, 200.0)]


def test_receipts_of_an_input_replace_purchases() -> None:
    """200 kits arrive in week 0: no kit is bought; C = 50,000 + 200 x 80 = 66,000."""
    doc = read_file(EXAMPLE)
    doc["receipts"] = [{"site": "plant", "item": "kit", "week": 0, "quantity": 200}]
    plan = solve_and_verify(doc)
    assert plan.objective.service == 0
    assert math.isclose(plan.objective.cost, 66_000, rel_tol=1e-6)
    assert plan.purchases == []


def test_verifier_refuses_a_plan_that_moves_a_committed_line() -> None:
    doc = minimal(committed={"option": "convert", "ready_week": 5})
    sc = surge.load(doc)
    plan = Plan.model_validate({
        "surge_plan": 1, "scenario": sc.name, "status": "feasible",
        "objective": {"mode": "service-then-cost", "service": 1800.0, "cost": 0.0},
        "activations": [{"line": "plant-l1", "option": "convert", "start_week": 0,
                         "ready_week": 2}],
        "costs": {"activation": 0.0, "operating": 0.0, "purchase": 0.0, "transport": 0.0,
                  "total": 0.0}})
    messages = [v.message for v in surge.verify(sc, plan).violations]
    assert ("line plant-l1 is committed to option convert ready in week 5; the plan activates "
            "option convert ready in week 2") in messages


def test_verifier_refuses_a_plan_without_the_committed_line() -> None:
    sc = surge.load(minimal(committed={"option": "convert", "ready_week": 5}))
    plan = Plan.model_validate({
        "surge_plan": 1, "scenario": sc.name, "status": "feasible",
        "objective": {"mode": "service-then-cost", "service": 1800.0, "cost": 0.0},
        "costs": {"activation": 0.0, "operating": 0.0, "purchase": 0.0, "transport": 0.0,
                  "total": 0.0}})
    messages = [v.message for v in surge.verify(sc, plan).violations]
    assert ("line plant-l1 is committed to option convert ready in week 5; the plan does not "
            "activate it") in messages


def test_bad_keys_are_named() -> None:
    doc = minimal(committed={"option": "retool", "ready_week": 1.5})
    doc["receipts"] = [{"site": "depot", "item": "kit", "week": 8, "quantity": 0}]
    with pytest.raises(ScenarioError) as err:
        surge.load(doc)
    text = str(err.value)
    assert "lines[0] 'plant-l1'.committed.option: unknown option 'retool'" in text
    assert "receipts[0].site: unknown site 'depot'" in text
    assert "receipts[0].week: must be between 0 and 7 (weeks - 1), got 8" in text
    assert "receipts[0].quantity: must be > 0, got 0" in text


def test_risk_run_counts_receipts_and_committed_lines() -> None:
    """Without uncertainty a risk run executes the plan exactly: receipts arrive and the
    committed line (ready in week -3) works, so every run meets the demand (S = 0)."""
    from surge.risk import simulate

    doc = minimal(committed={"option": "convert", "ready_week": -3})
    doc["receipts"] = [{"site": "plant", "item": "kit", "week": 0, "quantity": 120},
                       {"site": "plant", "item": "drone", "week": 6, "quantity": 40}]
    sc = surge.load(doc)
    plan = solve_and_verify(sc)
    assert plan.purchases and sum(p.quantity for p in plan.purchases) == pytest.approx(40)
    risk = simulate(sc, plan, runs=20, seed=1)
    assert risk["p_all_met"] == 1.0
    assert risk["expected_service"] == pytest.approx(0.0)
