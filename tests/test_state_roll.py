"""Rolling: the principle of optimality on generated scenarios, and hand-checked rolls of
the minimal example (stock, receipts, committed lines, dues, budget, freeze)."""

from __future__ import annotations

import math
from typing import Any

import pytest

import surge
from conftest import solve_and_verify
from surge.scenario.generate import generate
from surge.state import roll
from surge.state.actuals import actuals_from_plan


def no_shares(raw: dict[str, Any]) -> dict[str, Any]:
    policy = raw.get("policy") or {}
    policy.pop("max_share_per_organization", None)
    policy.pop("restricted_origins", None)
    raw["policy"] = policy
    return raw


@pytest.mark.parametrize(("lines", "weeks", "seed", "W", "tight"),
                         [(5, 12, 1, 4, None), (6, 14, 2, 6, None), (5, 10, 3, 3, None),
                          (8, 16, 4, 8, None), (5, 10, 3, 3, (2, 185_000.0)),
                          (5, 10, 3, 7, (2, 185_000.0))])
def test_rolling_an_executed_optimal_plan_keeps_its_optimum(
        lines: int, weeks: int, seed: int, W: int, tight: tuple[float, float] | None) -> None:
    """Executed exactly to week W then replanned: S* - S incurred and C* - spent.

    ``tight`` multiplies every due quantity and sets a budget (about 80% of the cost of
    meeting the larger demand), so that S* > 0 and the budget binds."""
    raw = no_shares(generate(lines, weeks, seed, uncertainty=False))
    if tight is not None:
        for dm in raw["demands"]:
            for due in dm["due"]:
                due["quantity"] *= tight[0]
        raw["policy"]["budget"] = tight[1]
    sc = surge.load(raw)
    plan = solve_and_verify(sc, mip_gap=0.0)
    if tight is not None:
        assert plan.objective.service > 0 and plan.objective.cost == pytest.approx(tight[1])
    assert plan.status == "optimal"
    result = roll(sc, actuals_from_plan(sc, plan, W))
    again = solve_and_verify(result.scenario, mip_gap=0.0)
    assert again.status == "optimal"
    s_star, c_star = plan.objective.service, plan.objective.cost
    assert math.isclose(again.objective.service + result.service_incurred, s_star,
                        rel_tol=1e-6, abs_tol=1e-5)
    assert math.isclose(again.objective.cost + result.spent["total"], c_star,
                        rel_tol=1e-6, abs_tol=1e-4)


# --- hand-checked rolls of the minimal example ---------------------------------------
# 200 drones due in week 7 (here: 50 in week 1, 150 in week 7); the line (lead 2, ramp 0.5,
# 100 h/week, 2 h per drone, 40 per hour, fixed 50,000); kits at 300, lead 1, 60 a week.

EXAMPLE = "examples/minimal.yaml"


def minimal_scenario(**policy: Any) -> surge.Scenario:
    from pathlib import Path

    from surge.scenario import read_file

    doc = read_file(Path(__file__).resolve().parents[1] / EXAMPLE)
    doc["demands"][0]["due"] = [{"week": 1, "quantity": 50}, {"week": 7, "quantity": 150}]
    doc["policy"] = policy
    return surge.load(doc)


def facts(**lists: Any) -> dict[str, Any]:
    return {"surge_actuals": 1, "scenario": "one line, one part", "through_week": 3} | lists


CONVERTED = [{"line": "plant-l1", "option": "convert", "start_week": 0, "ready_week": 2}]
MADE = [{"operation": "assemble", "line": "plant-l1", "week": 2, "quantity": 25}]
BOUGHT = [{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": 1, "quantity": 60,
           "received": [{"week": 2, "quantity": 25}]}]


def test_roll_of_the_minimal_example_by_hand() -> None:
    """Week 3: 25 drones made in week 2 (25 kits of the 60 ordered in week 1 arrived), 20
    delivered in week 2. S incurred = backlog 50 (week 1) + 30 (week 2) = 80. Spent: 50,000
    fixed + 25 x 2 h x 40 + 60 x 300 = 70,000. Stock: 5 drones. Receipts: the 35 kits still
    to come arrive at max(3, 1 + 1) = week 3, rolled week 0. Dues: 30 outstanding now
    (rolled week 0) and 150 in rolled week 4. The line is committed ready in week -1."""
    from surge.state import load_actuals

    sc = minimal_scenario(budget=200_000)
    a = load_actuals(facts(activations=CONVERTED, production=MADE, purchases=BOUGHT,
                           deliveries=[{"demand": "order-1", "week": 2, "quantity": 20}]), sc)
    r = roll(sc, a)
    rolled = r.scenario
    assert (rolled.weeks, str(rolled.start)) == (5, "2026-01-26")
    assert r.service_incurred == 80
    assert r.spent == {"activation": 50_000, "operating": 2_000, "purchase": 18_000,
                       "transport": 0, "total": 70_000}
    assert rolled.policy.budget == 130_000
    assert [(s.site, s.item, s.quantity) for s in rolled.inventory] == [("plant", "drone", 5)]
    assert [(x.site, x.item, x.week, x.quantity) for x in rolled.receipts] == [
        ("plant", "kit", 0, 35)]
    assert [(d.week, d.quantity) for d in rolled.demands[0].due] == [(0, 30), (4, 150)]
    assert rolled.demands[0].unmet_weeks == 8
    assert rolled.lines[0].committed is not None
    assert rolled.lines[0].committed.ready_week == -1
    plan = solve_and_verify(rolled)
    # 5 in stock + 25 made in rolled week 0 from the 35 kits arriving (ramp done: 100 h)
    # cover the 30 due now: S = 0; 175 drones to make: 175 x 80 + 140 kits x 300 = 56,000.
    assert plan.objective.service == 0
    assert math.isclose(plan.objective.cost, 56_000, rel_tol=1e-6)


def test_a_count_replaces_the_books() -> None:
    from surge.state import load_actuals

    sc = minimal_scenario()
    a = load_actuals(facts(activations=CONVERTED, production=MADE, purchases=BOUGHT,
                           stock=[{"site": "plant", "item": "drone", "quantity": 22}]), sc)
    r = roll(sc, a)
    [c] = r.corrections
    assert (c.site, c.item, c.computed, c.counted, c.difference) == ("plant", "drone", 25, 22, -3)
    assert [(s.item, s.quantity) for s in r.scenario.inventory] == [("drone", 22)]


def test_inconsistent_actuals_name_site_item_and_week() -> None:
    from surge.errors import InputError
    from surge.state import load_actuals

    sc = minimal_scenario()
    a = load_actuals(facts(activations=CONVERTED, production=MADE, purchases=BOUGHT,
                           deliveries=[{"demand": "order-1", "week": 2, "quantity": 30}]), sc)
    with pytest.raises(InputError) as err:
        roll(sc, a)
    assert ("stock of drone at plant would be -5 at the end of week 2: more is used, shipped "
            "or delivered than the actuals bring in") in str(err.value)


def test_freeze_makes_the_plans_near_orders_and_conversions_firm() -> None:
    """W = 1, nothing happened yet; the plan converts in week 1 (ready 3) and orders 60 kits
    in week 1 and 40 in week 2. --freeze 1 keeps week 1: the line committed ready in rolled
    week 2, 60 kits received in rolled week 1, the offer's capacity in rolled week 0 cut to
    0; spent 50,000 + 18,000 = 68,000 (the week-2 order is not firm)."""
    from surge.plan.model import Plan
    from surge.state import load_actuals

    sc = minimal_scenario(budget=200_000)
    plan = Plan.model_validate({
        "surge_plan": 1, "scenario": sc.name, "status": "feasible",
        "objective": {"mode": "service-then-cost", "service": 0.0, "cost": 0.0},
        "activations": [{"line": "plant-l1", "option": "convert", "start_week": 1,
                         "ready_week": 3}],
        "purchases": [{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": w,
                       "arrival_week": w + 1, "quantity": q} for w, q in ((1, 60), (2, 40))]})
    a = load_actuals(facts(through_week=1), sc)
    r = roll(sc, a, plan, freeze=1)
    assert (r.frozen_purchases, r.frozen_activations) == (1, 1)
    assert r.spent["frozen"] == 68_000 and r.spent["total"] == 68_000
    assert r.scenario.policy.budget == 132_000
    assert [(x.item, x.week, x.quantity) for x in r.scenario.receipts] == [("kit", 1, 60)]
    assert r.scenario.suppliers[0].offers[0].capacity_per_week == [0, 60, 60, 60, 60, 60, 60]
    committed = r.scenario.lines[0].committed
    assert committed is not None and committed.ready_week == 2
    solve_and_verify(r.scenario)


@pytest.mark.parametrize(("lines", "weeks", "seed"), [(5, 12, 1), (6, 14, 2)])
def test_rolling_twice_keeps_the_optimum(lines: int, weeks: int, seed: int) -> None:
    """A rolled scenario (with committed lines and receipts) rolls again: executed exactly
    to week 3, then 3 more weeks of the replan, the optimum is still S* and C*."""
    sc = surge.load(no_shares(generate(lines, weeks, seed, uncertainty=False)))
    plan = solve_and_verify(sc, mip_gap=0.0)
    first = roll(sc, actuals_from_plan(sc, plan, 3))
    middle = solve_and_verify(first.scenario, mip_gap=0.0)
    second = roll(first.scenario, actuals_from_plan(first.scenario, middle, 3))
    assert second.scenario.receipts or any(ln.committed for ln in second.scenario.lines)
    last = solve_and_verify(second.scenario, mip_gap=0.0)
    assert math.isclose(last.objective.cost + second.spent["total"] + first.spent["total"],
                        plan.objective.cost, rel_tol=1e-6)
    assert math.isclose(last.objective.service + second.service_incurred
                        + first.service_incurred, plan.objective.service, abs_tol=1e-5)
