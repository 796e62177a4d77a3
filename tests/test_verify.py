"""The independent verifier: a hand-made optimal plan of the spec's minimal scenario holds,
and each way of breaking it is reported under its rule with the numbers at fault."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import surge.cli
from surge.plan.model import Plan
from surge.plan.verify import Verification, haversine_km, verify
from surge.scenario import load, read_file

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "minimal.yaml"
# Production per week: 25 in the ready week (ramp 0.5), then 50 a week until 200 are made.
MADE = [(2, 25.0), (3, 50.0), (4, 50.0), (5, 50.0), (6, 25.0)]


def minimal(**changes: Any) -> dict[str, Any]:
    """The spec's minimal scenario as a dict, with top-level keys replaced."""
    raw = read_file(EXAMPLE)
    raw.update(changes)
    return raw


def hand_plan() -> dict[str, Any]:
    """An optimal plan of the minimal scenario, made by hand.

    Line started in week 0, ready in week 2 (lead 2): 50 h (25 drones) in week 2, then 100 h
    (50 drones) a week; each week's kits are bought the week before (lead 1, <= 60 a week);
    each week's drones are delivered as made, 200 by week 7: S = 0 and
    C = 50,000 + 400 h x 40 + 200 kits x 300 = 126,000.
    """
    return {
        "surge_plan": 1, "scenario": "one line, one part", "status": "optimal", "message": "",
        "objective": {"mode": "service-then-cost", "service": 0.0, "cost": 126000.0,
                      "service_bound": 0.0, "cost_bound": 126000.0},
        "activations": [{"line": "plant-l1", "option": "convert", "start_week": 0,
                         "ready_week": 2}],
        "production": [{"operation": "assemble", "line": "plant-l1", "week": w, "quantity": q}
                       for w, q in MADE],
        "purchases": [{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": w - 1,
                       "arrival_week": w, "quantity": q} for w, q in MADE],
        "shipments": [],
        "deliveries": [{"demand": "order-1", "week": w, "quantity": q} for w, q in MADE],
        "costs": {"activation": 50000.0, "operating": 16000.0, "purchase": 60000.0,
                  "transport": 0.0, "total": 126000.0},
    }


def check(plan: dict[str, Any], scenario: dict[str, Any] | None = None,
          fix_claims: bool = True) -> Verification:
    """Verify ``plan``; with ``fix_claims`` the claimed S and C are first set to the
    recomputed ones, so that only the broken constraint is reported."""
    sc = load(scenario or minimal())
    result = verify(sc, Plan.from_dict(plan))
    if fix_claims and result.costs is not None:
        plan = copy.deepcopy(plan)
        plan["objective"].update(service=result.service, cost=result.cost,
                                 service_bound=result.service, cost_bound=result.cost)
        plan["costs"] = dict(result.costs)
        result = verify(sc, Plan.from_dict(plan))
    assert result.ok == (not result.violations)
    return result


def only(result: Verification, rule: str) -> list[str]:
    """The messages of ``rule``, asserting it is the only rule broken."""
    assert result.rules == {rule}, [str(v) for v in result.violations]
    return [v.message for v in result.violations]


# --- the hand plan holds ---------------------------------------------------------------


def test_hand_plan_of_the_minimal_scenario_holds_with_S_0_and_C_126000() -> None:
    result = check(hand_plan(), fix_claims=False)
    assert result.ok, [str(v) for v in result.violations]
    assert result.warnings == []
    assert result.service == 0.0
    assert math.isclose(result.cost, 126_000.0)
    assert result.costs == pytest.approx({"activation": 50_000.0, "operating": 16_000.0,
                                          "purchase": 60_000.0, "transport": 0.0,
                                          "total": 126_000.0})
    assert result.service_by_demand == {"order-1": 0.0}
    assert result.n_checks > 100


def test_started_in_week_1_the_line_still_makes_200_in_time() -> None:
    plan = hand_plan()
    plan["activations"][0].update(start_week=1, ready_week=3)
    made = [(3, 25.0), (4, 50.0), (5, 50.0), (6, 50.0), (7, 25.0)]
    plan["production"] = [{"operation": "assemble", "line": "plant-l1", "week": w, "quantity": q}
                          for w, q in made]
    plan["purchases"] = [{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": w - 1,
                          "arrival_week": w, "quantity": q} for w, q in made]
    plan["deliveries"] = [{"demand": "order-1", "week": w, "quantity": q} for w, q in made]
    result = check(plan, fix_claims=False)
    assert result.ok, [str(v) for v in result.violations]


def test_late_units_count_each_week_and_unmet_weeks_more_at_the_end() -> None:
    """Only 150 of 200 delivered: backlog 50 in week 7 (the due week) and 50 x 8 unmet
    weeks (default = weeks) at the end: S = 50 + 400 = 450."""
    plan = hand_plan()
    plan["deliveries"] = plan["deliveries"][:4]  # 175 delivered
    plan["deliveries"][-1]["quantity"] = 25.0  # 150 delivered
    result = check(plan, fix_claims=False)
    assert result.service == pytest.approx(450.0)
    assert result.service_by_demand == {"order-1": pytest.approx(450.0)}
    assert only(result, "claimed-service") == [
        "objective.service is 0 but the plan's own numbers give 450 "
        "(claimed minus recomputed: -450)"]


def test_activation_with_weekly_cost_is_paid_from_ready_to_the_horizon_end() -> None:
    """fixed 50,000 + weekly 1,000 x (8 - 2) weeks = 56,000."""
    raw = minimal()
    raw["lines"][0]["options"][0]["weekly_cost"] = 1000
    result = check(hand_plan(), raw, fix_claims=False)
    assert result.costs is not None and result.costs["activation"] == pytest.approx(56_000.0)
    assert result.rules == {"claimed-cost"}


def test_transport_costs_weight_times_great_circle_distance() -> None:
    """(0, 0) to (0, 90): a quarter of the circumference, pi/2 x 6371 km = 10,007.5 km;
    10 drones of 2 kg at 0.001 per kg km cost 10 x 2 x 10,007.5 x 0.001 = 200.15."""
    raw = minimal(transport={"lead_time_weeks": 1, "cost_per_kg_km": 0.001})
    raw["items"][1]["weight_kg"] = 2.0
    raw["sites"][0].update(lat=0.0, lon=0.0)
    raw["sites"].append({"id": "depot", "organization": "acme", "country": "FR", "lat": 0.0,
                         "lon": 90.0})
    plan = hand_plan()
    plan["deliveries"][-1]["quantity"] = 15.0
    plan["shipments"] = [{"item": "drone", "from": "plant", "to": "depot", "week": 6,
                          "arrival_week": 7, "quantity": 10.0}]
    result = check(plan, raw, fix_claims=False)
    assert haversine_km(0.0, 0.0, 0.0, 90.0) == pytest.approx(math.pi / 2 * 6371.0)
    assert result.costs is not None
    assert result.costs["transport"] == pytest.approx(10 * 2 * math.pi / 2 * 6371.0 * 0.001)
    assert result.service == pytest.approx(10 * (1 + 8))  # 10 drones never reach the plant


# --- one test per rule -----------------------------------------------------------------


def test_unknown_objects_are_named() -> None:
    plan = hand_plan()
    plan["production"][0]["line"] = "plant-l9"
    plan["purchases"][0]["supplier"] = "nobody"
    plan["deliveries"][0]["demand"] = "order-9"
    result = check(plan)
    messages = [v.message for v in result.violations if v.rule == "unknown-object"]
    assert messages == [
        "production[0] names line 'plant-l9', which the scenario does not have",
        "purchases[0] names supplier offer of item 'nobody/kit', which the scenario does not have",
        "deliveries[0] names demand 'order-9', which the scenario does not have",
    ]


def test_a_purchase_of_an_item_the_supplier_does_not_offer() -> None:
    plan = hand_plan()
    plan["purchases"][0]["item"] = "drone"
    result = check(plan)
    assert "unknown-object" in result.rules
    assert ("kits-r-us/drone",) in [v.objects for v in result.violations]


def test_weeks_outside_the_horizon() -> None:
    plan = hand_plan()
    plan["deliveries"][-1]["week"] = 8
    result = check(plan)
    assert "horizon" in result.rules
    v = next(v for v in result.violations if v.rule == "horizon")
    assert v.week == 8 and v.objects == ("order-1",)
    assert v.message == "deliveries[4]: delivery week 8 is outside the horizon 0..7"


def test_output_arriving_after_the_horizon() -> None:
    raw = minimal()
    raw["operations"][0]["lead_time_weeks"] = 2
    plan = hand_plan()
    plan["production"][-1]["week"] = 6
    result = check(plan, raw)
    msgs = [v.message for v in result.violations if v.rule == "horizon"]
    assert msgs == ["production[4]: assemble on plant-l1 in week 6 gives output in week 8 "
                    "(lead time 2), after the horizon's last week 7"]


def test_negative_quantity() -> None:
    plan = hand_plan()
    plan["shipments"] = []
    plan["deliveries"].append({"demand": "order-1", "week": 7, "quantity": -5.0})
    result = check(plan)
    assert only(result, "quantity") == [
        "deliveries[5] has quantity -5; quantities must be finite and >= 0"]
    assert result.violations[0].excess == 5.0


def test_two_activations_of_one_line() -> None:
    plan = hand_plan()
    plan["activations"].append({"line": "plant-l1", "option": "convert", "start_week": 3,
                                "ready_week": 5})
    assert only(check(plan), "activation") == [
        "line plant-l1 is activated 2 times (activations rows 0, 1); at most one activation per "
        "line"]


def test_start_before_earliest_start_week_and_wrong_ready_week() -> None:
    raw = minimal()
    raw["lines"][0]["options"][0]["earliest_start_week"] = 1
    plan = hand_plan()
    plan["activations"][0]["ready_week"] = 1
    result = check(plan, raw)
    assert only(result, "activation") == [
        "line plant-l1 option convert starts in week 0; it may start in weeks 1..7",
        "line plant-l1 option convert started in week 0 is ready in week 2 (lead time 2), "
        "the plan says 1",
    ]


def test_production_on_a_line_that_is_not_activated() -> None:
    plan = hand_plan()
    plan["activations"] = []
    result = check(plan)
    messages = only(result, "line-inactive")
    assert len(messages) == 5
    assert messages[0] == ("production[0]: 25 of assemble on line plant-l1, "
                           "which no activation converts")
    assert result.costs is not None and result.costs["activation"] == 0.0


def test_production_without_the_capability() -> None:
    raw = minimal()
    raw["lines"][0]["options"][0]["capabilities"] = ["machining"]
    messages = only(check(hand_plan(), raw), "capability")
    assert messages[0] == ("production[0]: assemble needs capability 'assembly', the option "
                           "activated on line plant-l1 has ['machining']")


def test_production_before_the_line_is_ready() -> None:
    plan = hand_plan()
    plan["activations"][0].update(start_week=1, ready_week=3)
    result = check(plan)
    assert "line-not-ready" in result.rules
    assert result.violations[0].message == (
        "production[0]: 25 of assemble on line plant-l1 in week 2, before the line is ready "
        "in week 3")


def test_hours_over_the_ramped_capacity() -> None:
    """60 drones in week 3 take 120 h of the 100 offered; kits follow (60 in week 2)."""
    plan = hand_plan()
    for rows in ("production", "purchases", "deliveries"):
        plan[rows][1]["quantity"], plan[rows][4]["quantity"] = 60.0, 15.0
    result = check(plan)
    assert only(result, "line-hours") == [
        "line plant-l1 works 120 h in week 3 but offers 100 h (100 h/week x ramp 1), 20 h too many"]
    v = result.violations[0]
    assert (v.objects, v.week, v.excess) == (("plant-l1",), 3, pytest.approx(20.0))


def test_ramp_up_limits_the_ready_week() -> None:
    """Week 2 offers 100 h x 0.5 = 50 h: 30 drones (60 h) are 10 h too many."""
    plan = hand_plan()
    for rows in ("production", "purchases", "deliveries"):
        plan[rows][0]["quantity"], plan[rows][4]["quantity"] = 30.0, 20.0
    assert only(check(plan), "line-hours") == [
        "line plant-l1 works 60 h in week 2 but offers 50 h (100 h/week x ramp 0.5), "
        "10 h too many"]


def test_ordering_more_than_the_supplier_capacity() -> None:
    plan = hand_plan()
    plan["purchases"] = [{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": 0,
                          "arrival_week": 1, "quantity": 200.0}]
    result = check(plan)
    assert only(result, "supplier-capacity") == [
        "200 kit ordered from kits-r-us in week 0, capacity 60: 140 too many"]
    assert result.violations[0].excess == pytest.approx(140.0)


def test_supplier_capacity_by_week_list() -> None:
    raw = minimal()
    raw["suppliers"][0]["offers"][0]["capacity_per_week"] = [60, 60, 60, 40, 60, 60, 60, 60]
    assert only(check(hand_plan(), raw), "supplier-capacity") == [
        "50 kit ordered from kits-r-us in week 3, capacity 40: 10 too many"]


def test_ordering_before_the_offer_is_available() -> None:
    raw = minimal()
    raw["suppliers"][0]["offers"][0]["available_from_week"] = 2
    assert only(check(hand_plan(), raw), "supplier-availability") == [
        "purchases[0]: kit ordered from kits-r-us in week 1, but the offer is available from week "
        "2"]


def test_arrival_week_must_be_week_plus_lead() -> None:
    plan = hand_plan()
    plan["purchases"][2]["arrival_week"] = 3
    assert only(check(plan), "lead-time") == [
        "purchases[2] leaves in week 3 and arrives in week 4 (lead time 1), the plan says week 3"]


def test_a_shipment_to_its_own_site() -> None:
    plan = hand_plan()
    plan["deliveries"][-1]["quantity"] = 24.0
    plan["shipments"] = [{"item": "drone", "from": "plant", "to": "plant", "week": 6,
                          "arrival_week": 7, "quantity": 1.0}]
    assert only(check(plan), "shipment-route") == [
        "shipments[0] ships drone from plant to itself; a shipment goes to another site"]


def test_shipment_arriving_after_the_horizon() -> None:
    raw = minimal()
    raw["sites"].append({"id": "depot", "organization": "acme", "country": "FR", "lat": 50.0,
                         "lon": 3.0})
    plan = hand_plan()
    plan["deliveries"][-1]["quantity"] = 20.0
    plan["shipments"] = [{"item": "drone", "from": "plant", "to": "depot", "week": 7,
                          "arrival_week": 8, "quantity": 5.0}]
    assert only(check(plan, raw), "horizon") == [
        "shipments[0] in week 7 arrives in week 8 (lead time 1), after the horizon's last week 7"]


def test_using_kits_that_are_not_in_stock() -> None:
    """Without the first order, week 2 uses 25 kits that never came: stock -25 from week 2
    to the end (the later orders only cover their own week)."""
    plan = hand_plan()
    del plan["purchases"][0]
    result = check(plan)
    assert only(result, "stock-balance") == [
        "stock of kit at plant is -25 at the end of week 2 (in 0, out 25 that week); below zero "
        "through week 7, lowest -25 in week 2: more is used, shipped or delivered than is on hand"]
    v = result.violations[0]
    assert (v.objects, v.week, v.excess) == (("plant", "kit"), 2, 25.0)


def test_initial_inventory_counts_as_stock() -> None:
    plan = hand_plan()
    del plan["purchases"][0]
    assert check(plan, minimal(inventory=[{"site": "plant", "item": "kit", "quantity": 25}])).ok


def test_delivering_before_it_is_made() -> None:
    plan = hand_plan()
    plan["deliveries"] = [{"demand": "order-1", "week": 2, "quantity": 200.0}]
    messages = only(check(plan), "stock-balance")
    assert messages[0].startswith("stock of drone at plant is -175 at the end of week 2 "
                                  "(in 25, out 200 that week); below zero through week 5")


def test_delivering_more_than_due() -> None:
    plan = hand_plan()
    for rows in ("production", "purchases", "deliveries"):
        plan[rows][4]["quantity"] = 35.0
    result = check(plan)
    assert only(result, "delivery-total") == [
        "demand order-1 has 210 drone delivered by week 6, more than the 200 due in all"]
    assert result.violations[0].excess == pytest.approx(10.0)


def test_over_budget() -> None:
    result = check(hand_plan(), minimal(policy={"budget": 100_000}))
    assert only(result, "policy-budget") == [
        "the plan costs 126,000, over the budget of 100,000 by 26,000"]


def test_budget_within_tolerance() -> None:
    assert check(hand_plan(), minimal(policy={"budget": 126_000 - 0.05})).ok


def test_one_organization_making_too_large_a_share() -> None:
    result = check(hand_plan(), minimal(policy={"max_share_per_organization": 0.6}))
    assert only(result, "policy-organization-share") == [
        "acme makes 200 of the 200 drone made (100%); one organization may make at most 60%"]
    assert result.violations[0].excess == pytest.approx(80.0)


def test_too_much_from_restricted_origins() -> None:
    raw = minimal(policy={"restricted_origins": {"countries": ["FR"], "max_share": 0.25}})
    assert only(check(hand_plan(), raw), "policy-restricted-origins") == [
        "200 of the 200 kit ordered (100%) come from FR; at most 25% may"]


def test_claimed_numbers_that_do_not_add_up() -> None:
    plan = hand_plan()
    plan["costs"]["purchase"] = 59_000.0
    plan["objective"]["cost_bound"] = 130_000.0
    result = check(plan, fix_claims=False)
    assert result.rules == {"claimed-cost", "claimed-bound"}
    assert [v.message for v in result.violations] == [
        "costs.purchase is 59,000 but the plan's own numbers give 60,000 "
        "(claimed minus recomputed: -1,000)",
        "objective.cost_bound is 130,000, above the value 126,000 it bounds from below",
    ]


def test_claims_within_tolerance_hold() -> None:
    plan = hand_plan()
    plan["objective"]["cost"] = 126_000.1  # 1e-6 relative is 0.126
    plan["objective"]["service"] = 5e-7  # 1e-6 absolute near zero
    assert check(plan, fix_claims=False).ok


def test_weighted_mode_checks_the_value() -> None:
    raw = minimal(objective={"mode": "weighted", "late_penalty": 10})
    plan = hand_plan()
    plan["objective"] = {"mode": "weighted", "service": 0.0, "cost": 126000.0,
                         "service_bound": None, "cost_bound": None, "value": 125000.0,
                         "bound": 125000.0}
    assert only(check(plan, raw, fix_claims=False), "claimed-value") == [
        "objective.value is 125,000 but the plan's own numbers give 126,000 "
        "(claimed minus recomputed: -1,000)"]
    plan["objective"]["value"] = 126000.0
    plan["objective"]["bound"] = 126000.0
    assert check(plan, raw, fix_claims=False).ok


def test_an_optimal_plan_with_its_bound_outside_the_gap_is_flagged() -> None:
    raw = minimal(objective={"mode": "weighted", "late_penalty": 10})
    plan = hand_plan()
    plan["objective"] = {"mode": "weighted", "service": 0.0, "cost": 126000.0,
                         "service_bound": None, "cost_bound": None, "value": 126000.0,
                         "bound": 0.0}
    assert only(check(plan, raw, fix_claims=False), "optimal-gap") == [
        "the plan says optimal, but objective.value 126,000 and its bound 0 are 126,000 "
        "apart, more than the mip_gap of 0.0001 allows"]
    plan["status"] = "feasible"  # a feasible plan may be far from its bound
    assert check(plan, raw, fix_claims=False).ok


def test_overflowing_quantities_never_pass() -> None:
    plan = hand_plan()
    plan["deliveries"][0]["quantity"] = 1e308
    result = verify(load(minimal()), Plan.from_dict(plan))
    assert not result.ok
    assert "quantity" in result.rules
    assert any("at most 1e+12" in v.message for v in result.violations if v.rule == "quantity")


def test_missing_claims() -> None:
    plan = hand_plan()
    plan["costs"] = None
    plan["objective"]["service"] = None
    result = check(plan, fix_claims=False)
    assert result.rules == {"claimed-cost", "claimed-service"}
    assert result.violations[0].message == (
        "objective.service is missing (null); the plan's numbers give 0")


def test_an_infeasible_plan_is_empty_with_null_numbers() -> None:
    empty = {"scenario": "one line, one part", "status": "infeasible",
             "message": "policy-budget: budget 10 is below any plan"}
    result = check(empty, fix_claims=False)
    assert result.ok and result.service is None and result.cost is None
    bad = hand_plan()
    bad["status"] = "infeasible"
    result = check(bad, fix_claims=False)
    messages = only(result, "status")
    assert messages[0] == "a plan with status 'infeasible' must have no activations, got 1 rows"
    assert "a plan with status 'infeasible' must have costs null, got 126000.0" in messages
    assert "a plan with status 'infeasible' must have objective.cost null, got 126000.0" in messages


def test_format_problems_are_warnings() -> None:
    plan = hand_plan()
    plan["scenario"] = "another one"
    plan["production"].reverse()
    plan["purchases"].append({"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": 6,
                              "arrival_week": 7, "quantity": 1e-9})
    result = check(plan, fix_claims=False)
    assert result.ok
    assert [w.rule for w in result.warnings] == ["scenario-name", "sorting", "tiny-quantity"]
    assert result.warnings[1].message == (
        "production are not sorted by operation, line, week: row 1 comes before row 0")


# --- random plans never crash the verifier ---------------------------------------------

LISTS = ("activations", "production", "purchases", "shipments", "deliveries")
NAMES = {"line": ["plant-l1", "x"], "option": ["convert", "y"], "operation": ["assemble", "z"],
         "supplier": ["kits-r-us", "s"], "item": ["kit", "drone", "w"], "site": ["plant", "v"],
         "from": ["plant", "v"], "to": ["plant", "v"], "demand": ["order-1", "d"]}
numbers = st.one_of(st.floats(-1e3, 1e6, allow_nan=False), st.sampled_from([0.0, 1e-9, 60.0]))
weeks = st.integers(-2, 10)


@st.composite
def perturbed(draw: Any) -> dict[str, Any]:
    plan = hand_plan()
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(LISTS))
        rows = plan[kind]
        action = draw(st.sampled_from(["delete", "copy", "edit"]))
        if action == "delete" and rows:
            del rows[draw(st.integers(0, len(rows) - 1))]
        elif action == "copy" and kind != "shipments":
            template = dict(hand_plan()[kind][0])
            rows.append(template)
        elif rows:
            row = rows[draw(st.integers(0, len(rows) - 1))]
            key = draw(st.sampled_from(sorted(row)))
            if key in NAMES:
                row[key] = draw(st.sampled_from(NAMES[key]))
            elif key == "quantity":
                row[key] = draw(numbers)
            else:
                row[key] = draw(weeks)
    if draw(st.booleans()):
        plan["shipments"].append({"item": draw(st.sampled_from(NAMES["item"])), "from": "plant",
                                  "to": draw(st.sampled_from(NAMES["to"])), "week": draw(weeks),
                                  "arrival_week": draw(weeks), "quantity": draw(numbers)})
    plan["status"] = draw(st.sampled_from(["optimal", "optimal", "feasible", "infeasible"]))
    return plan


SCENARIOS = [minimal(), minimal(policy={"budget": 1e5, "max_share_per_organization": 0.5,
                                        "restricted_origins": {"countries": ["FR"],
                                                               "max_share": 0.5}},
                             inventory=[{"site": "plant", "item": "kit", "quantity": 10}])]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=perturbed(), which=st.integers(0, 1))
def test_perturbed_plans_give_violations_never_exceptions(plan: dict[str, Any], which: int) -> None:
    result = check(plan, SCENARIOS[which], fix_claims=False)
    assert result.ok == (not result.violations)
    for v in result.violations:
        assert v.rule and v.message and math.isfinite(v.excess)
    if plan["status"] != "infeasible":
        assert result.cost is not None and math.isfinite(result.cost)


# --- a large plan verifies in seconds --------------------------------------------------


def large(lines: int = 1000, weeks: int = 26) -> tuple[dict[str, Any], dict[str, Any]]:
    """``lines`` lines on ``lines // 10`` sites, each making 10 parts a week from kits."""
    sites = [{"id": f"s{k}", "organization": f"o{k % 7}", "country": "FR",
              "lat": 43 + k % 7, "lon": k % 9} for k in range(lines // 10)]
    raw = minimal(
        weeks=weeks, name="large", organizations=[{"id": f"o{k}"} for k in range(7)],
        sites=sites,
        lines=[{"id": f"l{k}", "site": f"s{k // 10}",
                "options": [{"id": "c", "capabilities": ["assembly"], "hours_per_week": 20,
                             "lead_time_weeks": 1, "fixed_cost": 100, "cost_per_hour": 1}]}
               for k in range(lines)],
        suppliers=[{"id": "kits-r-us", "country": "FR",
                    "offers": [{"item": "kit", "unit_price": 3, "lead_time_weeks": 1,
                                "capacity_per_week": 1e9}]}],
        demands=[{"id": f"d{k}", "item": "drone", "site": f"s{k}",
                  "due": [{"week": weeks - 1, "quantity": 10 * (weeks - 2) * 10}]}
                 for k in range(lines // 10)],
    )
    plan: dict[str, Any] = {"scenario": "large", "status": "optimal", "objective": {},
                            "activations": [], "production": [], "purchases": [],
                            "deliveries": []}
    for k in range(lines):
        plan["activations"].append({"line": f"l{k}", "option": "c", "start_week": 0,
                                    "ready_week": 1})
        plan["production"] += [{"operation": "assemble", "line": f"l{k}", "week": t,
                                "quantity": 10.0} for t in range(1, weeks)]
    for k in range(lines // 10):
        plan["purchases"] += [{"supplier": "kits-r-us", "item": "kit", "site": f"s{k}",
                               "week": t - 1, "arrival_week": t, "quantity": 100.0}
                              for t in range(1, weeks)]
        plan["deliveries"] += [{"demand": f"d{k}", "week": t, "quantity": 100.0}
                               for t in range(2, weeks)]
    return raw, plan


def test_a_1000_line_26_week_plan_verifies() -> None:
    """Its time is measured by benchmarks/bench_verify.py, not asserted here."""
    raw, data = large()
    result = verify(load(raw), Plan.from_dict(data))
    assert result.rules == {"claimed-service", "claimed-cost"}  # the plan claims nothing
    assert result.service == 0.0
    assert result.cost == pytest.approx(1000 * 100 + 1000 * 25 * 20 + 100 * 25 * 100 * 3)


# --- the command -----------------------------------------------------------------------

surge.cli.register_commands()
runner = CliRunner(env={"COLUMNS": "200"})


def write(tmp_path: Path, plan: dict[str, Any]) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def test_cli_ok(tmp_path: Path) -> None:
    result = runner.invoke(surge.cli.app, ["verify", str(EXAMPLE), str(write(tmp_path,
                                                                             hand_plan()))])
    assert result.exit_code == 0, result.output
    assert "the plan holds" in result.output
    assert "126,000" in result.output


def test_cli_violation_exits_1_and_lists_it(tmp_path: Path) -> None:
    plan = hand_plan()
    del plan["purchases"][0]
    result = runner.invoke(surge.cli.app, ["verify", str(EXAMPLE), str(write(tmp_path, plan))])
    assert result.exit_code == 1, result.output
    assert "stock of kit at plant is -25 at the end of week 2" in result.output
    assert "not ok" in result.output and "claimed-cost, stock-balance" in result.output


def test_cli_unreadable_plan_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("{not json", encoding="utf-8")
    result = runner.invoke(surge.cli.app, ["verify", str(EXAMPLE), str(bad)])
    assert result.exit_code == 2
    assert "not a JSON plan file" in result.output
    result = runner.invoke(surge.cli.app, ["verify", str(EXAMPLE), str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_cli_plan_of_another_scenario_is_refused_in_one_line(tmp_path: Path) -> None:
    plan = hand_plan()
    plan["scenario"] = "another one"
    result = runner.invoke(surge.cli.app, ["verify", str(EXAMPLE), str(write(tmp_path, plan))])
    assert result.exit_code == 2, result.output
    assert "the plan is for scenario 'another one'" in result.output
    assert "not 'one line, one part'" in result.output
    assert "give the scenario the plan was made for" in result.output
    assert len(result.output.strip().splitlines()) == 1


# --- the optimiser's plans -------------------------------------------------------------


def test_the_optimal_plan_of_the_minimal_scenario_verifies() -> None:
    import surge

    sc = load(EXAMPLE)
    plan = surge.solve(sc)
    result = verify(sc, plan)
    assert result.ok, [str(v) for v in result.violations]
    assert result.warnings == []
    assert (result.service, result.cost) == (0.0, pytest.approx(126_000.0))
    assert plan.activations[0].start_week in (0, 1)


def test_a_non_finite_quantity_built_in_python_is_a_violation_not_a_crash() -> None:
    """Plan files cannot hold NaN (the reader refuses it), but a plan built in Python can."""
    plan = Plan.from_dict(hand_plan())
    plan.deliveries[0] = plan.deliveries[0].model_copy(update={"quantity": float("nan")})
    result = verify(load(EXAMPLE), plan)
    assert "quantity" in result.rules
    assert result.violations[0].message == (
        "deliveries[0] has quantity nan; quantities must be finite and >= 0")
    assert result.cost == pytest.approx(126_000.0)


@pytest.mark.parametrize("short, late", [(2e-13, False), (1.0, True)])
def test_cli_shows_a_floating_point_residual_as_zero_not_as_lateness(
        tmp_path: Path, short: float, late: bool) -> None:
    plan = hand_plan()
    plan["deliveries"][-1]["quantity"] -= short
    result = check(plan)  # the claims set to what the plan's numbers give
    assert result.ok and result.service is not None and result.service > 0
    plan["objective"].update(service=result.service, service_bound=result.service)
    out = runner.invoke(surge.cli.app, ["verify", str(EXAMPLE), str(write(tmp_path, plan))])
    assert out.exit_code == 0, out.output
    assert ("late demands (unit-weeks): order-1" in out.output) == late
    row = next(line for line in out.output.splitlines() if "service S" in line)
    assert "e-1" not in row  # never 2.2e-12 in the summary
    assert (row.split()[-4] == "0") == (not late)  # the claimed S: 0 for a residual
