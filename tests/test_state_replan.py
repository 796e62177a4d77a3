"""Replanning and plan versus actual on the minimal example (hand-checked) and the demo."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

import surge
import surge.cli
from conftest import solve_and_verify
from surge.cli import app
from surge.plan.model import Plan
from surge.state import load_actuals, replan, track
from surge.state.actuals import actuals_from_plan

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal.yaml"
DEMO = ROOT / "examples" / "uav-france.yaml"
DEMO_ACTUALS = ROOT / "examples" / "uav-france-week8.yaml"
surge.cli.register_commands()

# The minimal example's optimal plan: line started in week 0, ready in week 2; kits
# ordered 60 in week 0 and 60 in week 1. At week 2 the conversion has slipped: expected
# ready in week 4. The first order arrived; the second is expected in week 2.
SLIPPED: dict[str, Any] = {
    "surge_actuals": 1, "scenario": "one line, one part", "through_week": 2,
    "activations": [{"line": "plant-l1", "option": "convert", "start_week": 0,
                     "expected_ready_week": 4}],
    "purchases": [{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": 0,
                   "quantity": 60, "received": [{"week": 1, "quantity": 60}]},
                  {"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": 1,
                   "quantity": 60}]}


def test_replan_of_a_slipped_conversion() -> None:
    """Ready in week 4: 25 drones in week 4 (ramp 0.5), 50 in each of weeks 5..7 = 175 of
    200: S = 25 x (1 + 8) = 225. The conversion is reported moved 2 weeks later."""
    sc = surge.load(MINIMAL)
    plan = solve_and_verify(sc)
    result = replan(sc, plan, load_actuals(SLIPPED, sc))
    assert result.verification.ok
    assert math.isclose(result.plan.objective.service, 225, rel_tol=1e-6)
    assert [str(m) for m in result.changes.moves] == [
        "plant-l1: ready week 2 -> 4 (2 weeks later)"]
    t = track(sc, plan, load_actuals(SLIPPED, sc))
    assert t.shortfalls[0] == "plant-l1 expected ready 2 weeks late"


def test_replan_of_an_exactly_executed_plan_changes_nothing() -> None:
    sc = surge.load(MINIMAL)
    plan = solve_and_verify(sc)
    result = replan(sc, plan, actuals_from_plan(sc, plan, 3), freeze=2)
    assert result.verification.ok
    assert result.changes.moves == []
    assert result.plan.objective.service == 0
    assert math.isclose(result.plan.objective.cost + result.rolled.spent["total"],
                        plan.objective.cost, rel_tol=1e-6)
    assert track(sc, plan, actuals_from_plan(sc, plan, 3)).shortfalls == []


def test_track_names_a_short_supplier_and_a_late_demand() -> None:
    """Due 50 in week 1 and nothing delivered; 25 of the 60 kits due by week 2 arrived."""
    doc = surge.scenario.read_file(MINIMAL)
    doc["demands"][0]["due"] = [{"week": 1, "quantity": 50}, {"week": 7, "quantity": 150}]
    sc = surge.load(doc)
    plan = solve_and_verify(sc)
    facts = load_actuals({
        "surge_actuals": 1, "scenario": sc.name, "through_week": 3,
        "purchases": [{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": 0,
                       "quantity": 60, "received": [{"week": 1, "quantity": 25}]}]}, sc)
    t = track(sc, plan, facts)
    assert "kits-r-us delivered 42% of ordered (25 of 60 due by week 2), behind since week 1" \
        in t.shortfalls
    assert "order-1 50 behind due since week 1" in t.shortfalls
    assert "plant-l1 not converted (planned ready in week 2)" in t.shortfalls


def test_demo_week8_tracks_and_replans(tmp_path: Path) -> None:
    """The demo's actuals: le-mans-l1 ready 2 weeks late, asia-motors short; the replan
    passes verify against its rolled scenario."""
    plan_file = tmp_path / "plan.json"
    runner = CliRunner()
    env = {"COLUMNS": "120", "NO_COLOR": "1"}
    assert runner.invoke(app, ["plan", str(DEMO), "-o", str(plan_file)], env=env).exit_code == 0
    res = runner.invoke(app, ["track", str(DEMO), str(plan_file), str(DEMO_ACTUALS)], env=env)
    assert res.exit_code == 0, res.stderr
    assert "le-mans-l1 ready 2 weeks late" in res.stdout
    assert "asia-motors will deliver 63% of the motor on order (300 of 476 expected)" \
        in res.stdout
    new = tmp_path / "new.json"
    rolled = tmp_path / "rolled.yaml"
    res = runner.invoke(app, ["replan", str(DEMO), str(plan_file), str(DEMO_ACTUALS),
                              "--freeze", "2", "--rolled", str(rolled), "-o", str(new)], env=env)
    assert res.exit_code == 0, res.stderr
    assert "conversion change: le-mans-l1: ready week 5 -> 7 (2 weeks later)" in res.stdout
    assert "stock correction: fc_kit at toulouse: counted 1,998.0, books 2,000.0 (-2.0)" \
        in res.stdout
    assert "verified: the new plan holds every rule of the rolled scenario" in res.stdout
    assert surge.verify(surge.load(rolled), Plan.read(new)).ok


def test_projected_completion_is_the_median_week_shifted() -> None:
    from surge.state.replan import projected_completion

    risk = {"completion": [
        {"demand": "a", "week": 3, "probability": 0.2}, {"demand": "a", "week": 5,
                                                          "probability": 0.4},
        {"demand": "a", "week": None, "probability": 0.4},
        {"demand": "b", "week": 9, "probability": 0.3}, {"demand": "b", "week": None,
                                                          "probability": 0.7}]}
    assert projected_completion(risk, 8) == {"a": 13, "b": None}
