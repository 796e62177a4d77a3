"""Keeping a replan close to the old plan (``--stability W``), hand-checked on the minimal
example, and its trade on the demo at week 8."""

from __future__ import annotations

import importlib
import math
from pathlib import Path

import pytest

import surge
from conftest import solve_and_verify
from surge.plan.model import Plan
from surge.state import load_actuals, replan
from surge.state.actuals import actuals_from_plan

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal.yaml"
DEMO = ROOT / "examples" / "uav-france.yaml"
DEMO_ACTUALS = ROOT / "examples" / "uav-france-week8.yaml"

# An optimal plan of the minimal example with an odd timing (C = 50,000 fixed + 200 x 2 h x
# 40 + 200 kits x 300 = 126,000 however the 200 drones are spread over weeks 2..7).
MADE = {2: 25.0, 3: 50.0, 4: 50.0, 5: 25.0, 6: 0.0, 7: 50.0}


def odd_plan(sc: surge.Scenario) -> Plan:
    doc = {
        "surge_plan": 1, "scenario": sc.name, "status": "feasible",
        "objective": {"mode": "service-then-cost", "service": 0.0, "cost": 126_000.0},
        "activations": [{"line": "plant-l1", "option": "convert", "start_week": 0,
                         "ready_week": 2}],
        "production": [{"operation": "assemble", "line": "plant-l1", "week": w,
                        "quantity": q} for w, q in MADE.items() if q],
        "purchases": [{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": w - 1,
                       "arrival_week": w, "quantity": q} for w, q in MADE.items() if q],
        "deliveries": [{"demand": "order-1", "week": 7, "quantity": 200.0}],
        "costs": {"activation": 50_000.0, "operating": 16_000.0, "purchase": 60_000.0,
                  "transport": 0.0, "total": 126_000.0},
    }
    plan = Plan.model_validate(doc)
    check = surge.verify(sc, plan)
    assert check.ok, check.violations
    return plan


@pytest.mark.parametrize("freeze", [0, 2])
def test_stability_keeps_the_rest_of_an_executed_plan(freeze: int) -> None:
    """Executed exactly to week 3, the old plan's rest is optimal: with a stability weight
    the replan keeps it (no change over weeks 3..6, firm orders counted as kept) at the
    same C = 126,000 - spent."""
    sc = surge.load(MINIMAL)
    old = odd_plan(sc)
    facts = actuals_from_plan(sc, old, 3)
    result = replan(sc, old, facts, freeze=freeze, window=4, stability=1.0)
    assert result.verification.ok, result.verification.violations
    assert result.plan.status == "optimal"
    assert result.changes.nervousness == 0
    assert result.changes.moves == []
    new_made = {p.week + 3: p.quantity for p in result.plan.production}
    assert all(math.isclose(new_made.get(w, 0.0), MADE[w]) for w in (3, 4, 5, 6))
    assert math.isclose(result.plan.objective.cost + result.rolled.spent["total"], 126_000,
                        rel_tol=1e-9)


def test_stability_never_gives_up_service_and_pays_only_what_it_saves() -> None:
    """On the demo at week 8 (a slipped conversion, short motor deliveries): every weight
    keeps S at its optimum; C rises by at most W x the change avoided; nervousness falls
    as W grows."""
    sc = surge.load(DEMO)
    old = solve_and_verify(sc)
    facts = load_actuals(DEMO_ACTUALS, sc)
    runs = {w: replan(sc, old, facts, freeze=2, window=4, stability=w) for w in (0.0, 1.0, 100.0)}
    base = runs[0.0]
    for w, r in runs.items():
        assert r.verification.ok, (w, r.verification.violations)
        assert math.isclose(r.plan.objective.service, base.plan.objective.service,
                            rel_tol=1e-6, abs_tol=1e-6)
        extra = r.plan.objective.cost - base.plan.objective.cost
        assert extra >= -1e-4 * base.plan.objective.cost  # base is optimal within its gap
        assert extra <= w * (base.changes.nervousness - r.changes.nervousness) + 1.0
    assert runs[1.0].changes.nervousness < base.changes.nervousness
    assert runs[100.0].changes.nervousness <= runs[1.0].changes.nervousness
    paid = runs[100.0].plan
    if paid.objective.cost > base.plan.objective.cost * (1 + 1e-4):
        assert paid.status == "feasible" and "kept close to the old plan" in paid.message


def test_a_stability_plan_later_once_read_back_is_not_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """If the stability stage's plan file came out later than the cheapest plan's (read
    back, quantities below the format's tolerance are left out), the cheapest plan is kept
    and the message says why: S never gets worse for stability's sake."""
    # the module, not the function surge.optimize.solve that its package exports
    solve_module = importlib.import_module("surge.optimize.solve")
    real = solve_module.make_plan

    def later(sc: surge.Scenario, b: object, solved: object, gap: float | None = None) -> Plan:
        plan = real(sc, b, solved, gap)  # type: ignore[arg-type]
        final = getattr(solved, "final", None)
        if final is not None and final.name == "stability":
            objective = plan.objective.model_copy(
                update={"service": (plan.objective.service or 0.0) + 1e-3})
            plan = plan.model_copy(update={"objective": objective})
        return plan

    sc = surge.load(MINIMAL)
    old = odd_plan(sc)
    facts = actuals_from_plan(sc, old, 3)
    plain = replan(sc, old, facts, window=4, stability=0.0)
    monkeypatch.setattr(solve_module, "make_plan", later)
    kept = replan(sc, old, facts, window=4, stability=1.0)
    assert kept.verification.ok, kept.verification.violations
    assert "stability stage: its plan was 0.001 unit-weeks later" in kept.plan.message
    assert "cheapest plan is kept" in kept.plan.message
    assert "kept close to the old plan" not in kept.plan.message
    assert kept.plan.objective.service == plain.plan.objective.service
    assert kept.plan.production == plain.plan.production
    assert kept.plan.purchases == plain.plan.purchases


def test_negative_stability_is_refused() -> None:
    sc = surge.load(MINIMAL)
    old = odd_plan(sc)
    with pytest.raises(surge.InputError, match="--stability must be >= 0"):
        replan(sc, old, actuals_from_plan(sc, old, 3), stability=-1.0)
