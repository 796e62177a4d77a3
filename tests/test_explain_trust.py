"""Explanations that do not mislead: real share limits, the root cause first, why nothing
was planned, and no float noise shown as lateness."""

from __future__ import annotations

from typing import Any

import surge
from surge.explain.shortfall import saturated_limits
from surge.plan.model import Plan


def two_orgs(share: float = 0.8) -> dict[str, Any]:
    """Org a makes every ``part`` (not demanded) and 80% of the demanded ``unit``."""
    return {
        "surge": 1, "name": "two organisations", "start": "2026-01-05", "weeks": 4,
        "items": [{"id": "kit"}, {"id": "part"}, {"id": "unit"}],
        "operations": [
            {"id": "make-part", "produces": "part", "consumes": {"kit": 1}, "capability": "p",
             "hours_per_unit": 1},
            {"id": "make-unit", "produces": "unit", "consumes": {"part": 1}, "capability": "u",
             "hours_per_unit": 1}],
        "organizations": [{"id": "a"}, {"id": "b"}],
        "sites": [{"id": "sa", "organization": "a", "country": "FR", "lat": 48.8, "lon": 2.3},
                  {"id": "sb", "organization": "b", "country": "FR", "lat": 48.8, "lon": 2.3}],
        "lines": [
            {"id": "la", "site": "sa", "options": [
                {"id": "o", "capabilities": ["p", "u"], "hours_per_week": 500,
                 "lead_time_weeks": 0}]},
            {"id": "lb", "site": "sb", "options": [
                {"id": "o", "capabilities": ["u"], "hours_per_week": 500,
                 "lead_time_weeks": 0}]}],
        "suppliers": [],
        "inventory": [{"site": "sa", "item": "kit", "quantity": 100}],
        "demands": [{"id": "order", "item": "unit", "site": "sa",
                     "due": [{"week": 3, "quantity": 100}]}],
        "policy": {"max_share_per_organization": share},
    }


def plan_of(sc: surge.Scenario, unit_a: float, unit_b: float) -> Plan:
    return Plan(scenario=sc.name, status="feasible",
                activations=[{"line": "la", "option": "o", "start_week": 0, "ready_week": 0},
                             {"line": "lb", "option": "o", "start_week": 0, "ready_week": 0}],
                production=[
                    {"operation": "make-part", "line": "la", "week": 0, "quantity": 100},
                    {"operation": "make-unit", "line": "la", "week": 1, "quantity": unit_a},
                    {"operation": "make-unit", "line": "lb", "week": 1, "quantity": unit_b}])


def share_details(sc: surge.Scenario, plan: Plan) -> list[str]:
    return [lim.detail for lim, _ in saturated_limits(sc, plan)
            if lim.kind == "organization-share"]


def test_share_rule_is_blamed_only_where_it_binds_on_a_demanded_item() -> None:
    sc = surge.load(two_orgs())
    # part: 100% by a, but parts are not demanded, so the rule does not cover them
    assert share_details(sc, plan_of(sc, 80, 20)) == [
        "a makes 80% of unit, the limit of policy.max_share_per_organization = 0.8"]
    # 60% is below the limit: nothing binds
    assert share_details(sc, plan_of(sc, 60, 40)) == []


def test_the_root_cause_leads_and_limits_are_ranked() -> None:
    """Without the German motor supplier no motor arrives before week 12: the W8 miss says
    so first, and names at most five limits, the longest-held first."""
    from pathlib import Path

    from tests.conftest import solve_and_verify

    from surge.explain.shortfall import diagnose
    from surge.explain.story import shortfall_sentence
    from surge.explain.whatif import load_with_overlays

    root = Path(__file__).resolve().parents[1]
    sc = load_with_overlays(root / "examples" / "uav-france.yaml",
                            sets=["suppliers.de-motors.offers.motor.capacity_per_week=0"])
    plan = solve_and_verify(sc)
    first = diagnose(sc, plan)[0]
    assert (first.demand, first.due_week) == ("order-main", 8)
    assert first.cause == "no motor can arrive before week 12"
    text = shortfall_sentence(first)
    assert "Root cause: no motor can arrive before week 12. Also used to the full" in text
    assert text.count(" a week used)") + text.count(" a week)") <= 5
    spans = [(lim.last_week or 0) - (lim.first_week or 0) for lim in first.upstream
             if lim.first_week is not None]
    assert spans == sorted(spans, reverse=True)


def minimal_with(policy: dict[str, Any]) -> surge.Scenario:
    from pathlib import Path

    from surge.scenario.load import read_file

    doc = read_file(Path(__file__).resolve().parents[1] / "examples" / "minimal.yaml")
    doc["policy"] = policy
    return surge.load(doc)


def test_explain_names_the_hard_rule_when_nothing_is_planned() -> None:
    """A budget below the line's fixed cost: nothing is planned, S = 200 + 8 x 200."""
    from tests.conftest import solve_and_verify

    from surge.explain import explain

    sc = minimal_with({"budget": 1000})
    plan = solve_and_verify(sc)
    assert plan.activations == [] and plan.objective.service == 1800.0
    e = explain(sc, plan, confirm_top=0)
    assert e.rules == ["policy.budget = 1000.0 holds this plan back: without it, lateness S "
                       "falls from 1,800 to 0 unit-weeks."]


def test_explain_names_restricted_origins_when_the_only_source_is_restricted() -> None:
    from tests.conftest import solve_and_verify

    from surge.explain import explain

    sc = minimal_with({"restricted_origins": {"countries": ["FR"], "max_share": 0.5}})
    plan = solve_and_verify(sc)
    assert plan.objective.service == 1800.0
    e = explain(sc, plan, confirm_top=0)
    assert e.rules == ["policy.restricted_origins holds this plan back: without it, lateness "
                       "S falls from 1,800 to 0 unit-weeks."]


def test_capacity_bound_obeys_hard_policy_rules() -> None:
    """The minimal scenario's bound by week 7 is 275 drones (module docstring); a budget
    below the line's fixed cost, or the only kit supplier restricted, make it 0."""
    from surge.scenario.summary import capacity_bound

    assert capacity_bound(minimal_with({}))["drone"][7] == 275.0
    assert capacity_bound(minimal_with({"budget": 1000}))["drone"][7] == 0.0
    restricted = minimal_with({"restricted_origins": {"countries": ["FR"], "max_share": 0.5}})
    assert capacity_bound(restricted)["kit"][7] == 0.0
    assert capacity_bound(restricted)["drone"][7] == 0.0
    # 60 000 EUR: the line (50 000) may be bought, and at most 200 kits at 300 EUR each
    # (a relaxation: each use of the budget is bounded on its own)
    assert capacity_bound(minimal_with({"budget": 60_000}))["kit"][7] == 200.0


def test_float_noise_is_not_lateness_in_comparisons() -> None:
    """The demo plan's rows give S = 2.3e-13 (solver noise): shown as 0, per demand too."""
    from pathlib import Path

    from tests.conftest import solve_and_verify

    from surge.explain.compare import compare
    from surge.plan.evaluate import evaluate

    sc = surge.load(Path(__file__).resolve().parents[1] / "examples" / "uav-france.yaml")
    plan = solve_and_verify(sc)
    assert 0 <= evaluate(sc, plan).service < 1e-6
    rows = {name: a for name, a, _ in compare(plan, plan, sc).numbers()}
    assert rows["lateness S [unit-weeks]"] == 0.0
    assert rows["  S of order-main"] == 0.0 and rows["  S of order-training"] == 0.0
