"""The planner on tiny scenarios, one per constraint family, each with its optimum worked out
by hand in the docstring and checked with ``math.isclose``. Every plan passes the verifier
(``solve_and_verify``). The hand optimum is chosen so that dropping or bending the rule under
test would give a different ``S`` or ``C``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import surge
from conftest import solve_and_verify
from surge.errors import SolverError
from surge.scenario import read_file
from surge.scenario.generate import generate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "minimal.yaml"
PARIS, LYON = (48.85, 2.35), (45.76, 4.84)


# --- tiny scenario builders ------------------------------------------------------------


def site(sid: str, org: str = "acme", where: tuple[float, float] = PARIS) -> dict[str, Any]:
    return {"id": sid, "organization": org, "country": "FR", "lat": where[0], "lon": where[1]}


def line(lid: str, at: str = "plant", **option: Any) -> dict[str, Any]:
    """A line with one option ``convert``: capability ``make``, lead 0, unless overridden."""
    opt = {"id": "convert", "capabilities": ["make"], "hours_per_week": 10, "lead_time_weeks": 0}
    return {"id": lid, "site": at, "options": [opt | option]}


def make(item: str = "part", capability: str = "make", **kw: Any) -> dict[str, Any]:
    """An operation ``make``/capability ``make``: 1 hour per unit, no inputs, unless overridden."""
    return {"id": capability, "produces": item, "capability": capability, "hours_per_unit": 1} | kw


def offer(item: str, price: float, lead: int, capacity: Any, **kw: Any) -> dict[str, Any]:
    return {"item": item, "unit_price": price, "lead_time_weeks": lead,
            "capacity_per_week": capacity} | kw


def demand(did: str, *due: tuple[int, float], item: str = "part", at: str = "plant",
           **kw: Any) -> dict[str, Any]:
    return {"id": did, "item": item, "site": at,
            "due": [{"week": w, "quantity": q} for w, q in due]} | kw


def world(weeks: int, **parts: Any) -> dict[str, Any]:
    """A scenario of ``weeks`` weeks: one organisation ``acme`` with one site ``plant`` in
    Paris and one item ``part``; ``parts`` replace or fill the top-level lists."""
    doc: dict[str, Any] = {
        "surge": 1, "name": "tiny", "start": "2026-01-05", "weeks": weeks,
        "items": [{"id": "part"}], "operations": [], "organizations": [{"id": "acme"}],
        "sites": [site("plant")], "lines": [], "suppliers": [], "demands": [],
    }
    doc.update(parts)
    return doc


def minimal(**changes: Any) -> dict[str, Any]:
    """The spec's minimal scenario as a document, with top-level keys replaced."""
    raw = read_file(EXAMPLE)
    raw.update(changes)
    return raw


def close(a: float | None, b: float) -> bool:
    assert a is not None
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)


def total(rows: list[Any], **match: Any) -> float:
    """Sum of ``quantity`` over the plan rows whose attributes equal ``match``."""
    return sum(r.quantity for r in rows
               if all(getattr(r, k) == v for k, v in match.items()))


# --- the spec's minimal example ----------------------------------------------------------


def test_minimal_example_of_the_spec() -> None:
    """Started in week 0 the line offers 25 drones in week 2 (ramp 0.5) then 50 a week:
    275 >= 200 by week 7; started in week 1, 225; in week 2 only 175. So S = 0 with a start
    in week 0 or 1 and C = 50,000 + 400 h x 40 + 200 kits x 300 = 126,000."""
    plan = solve_and_verify(EXAMPLE)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 0.0)
    assert close(plan.objective.cost, 126_000.0)
    assert plan.costs is not None
    assert (plan.costs.activation, plan.costs.operating, plan.costs.purchase) == pytest.approx(
        (50_000.0, 16_000.0, 60_000.0), rel=1e-9)
    (act,) = plan.activations
    assert act.start_week in (0, 1) and act.ready_week == act.start_week + 2
    assert close(total(plan.deliveries), 200.0)
    assert close(plan.objective.service_bound or 0.0, 0.0)
    assert plan.objective.cost_bound is not None and plan.objective.cost_bound <= 126_000.0 + 1e-6


# --- activation -----------------------------------------------------------------------------


@pytest.mark.parametrize(("earliest", "service", "cost", "start"), [(0, 0.0, 1_300.0, 1),
                                                                    (2, 63.0, 1_200.0, 2)])
def test_activation_lead_time_ramp_up_and_weekly_cost(earliest: int, service: float,
                                                      cost: float, start: int) -> None:
    """10 h/week, lead 2, ramp_up [0.5], fixed 1,000, weekly 100; 24 parts (1 h each) due in
    week 5 of 6. Started in week s the line is ready in s + 2 and offers 5 h then 10 h:
    by week 5, 35 h (s = 0), 25 h (s = 1), 15 h (s = 2). The weekly cost runs from ready to
    the horizon's end: 1,000 + 100 x (6 - s - 2), so s = 1 is best: S = 0, C = 1,300.

    With earliest_start_week 2, s = 2 makes 15 by week 5: 9 late in the last week, charged
    1 + unmet_weeks (6) weeks: S = 63, C = 1,000 + 100 x 2 = 1,200."""
    doc = world(6, operations=[make()], demands=[demand("order", (5, 24))],
                lines=[line("l1", lead_time_weeks=2, ramp_up=[0.5], fixed_cost=1000,
                            weekly_cost=100, earliest_start_week=earliest)])
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, service)
    assert close(plan.objective.cost, cost)
    (act,) = plan.activations
    assert (act.start_week, act.ready_week) == (start, start + 2)
    assert close(total(plan.production, week=start + 2), 5.0)  # half hours in the ready week


def test_at_most_one_option_per_line() -> None:
    """Options a (fixed 100) and b (fixed 200) of one line, 10 h/week each, lead 0; 100 parts
    due in week 4 of 5. Both together would make 100 in time; one makes only 50: 50 late in
    the last week, charged 1 + 5 unmet weeks: S = 300, and the cheaper option: C = 100."""
    opts = [{"id": oid, "capabilities": ["make"], "hours_per_week": 10, "lead_time_weeks": 0,
             "fixed_cost": fixed} for oid, fixed in (("a", 100), ("b", 200))]
    doc = world(5, operations=[make()], demands=[demand("order", (4, 100))],
                lines=[{"id": "l1", "site": "plant", "options": opts}])
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 300.0)
    assert close(plan.objective.cost, 100.0)
    assert [(a.line, a.option) for a in plan.activations] == [("l1", "a")]


# --- capacity -------------------------------------------------------------------------------


def test_capacity_per_capability_and_shared_hours() -> None:
    """Line l1 can cut and weld (10 h/week shared), l2 can only cut (10 h/week); cut makes a,
    weld makes b, 1 h each, cost 1 per hour; 40 a (weight 1) and 40 b (weight 2) due in
    week 2 of 3. l2 cuts 30 a; l1's 30 h go to b (worth more): 10 a and 10 b late, each
    charged 1 + 3 unmet weeks: S = 10 x 4 + 2 x 10 x 4 = 120; C = 60 h x 1 = 60.

    If l2 could weld, or if l1 had 30 h for each capability, S would be 80."""
    doc = world(3, items=[{"id": "a"}, {"id": "b"}],
                operations=[make("a", "cut"), make("b", "weld")],
                lines=[line("l1", capabilities=["cut", "weld"], cost_per_hour=1),
                       line("l2", capabilities=["cut"], cost_per_hour=1)],
                demands=[demand("da", (2, 40), item="a"),
                         demand("db", (2, 40), item="b", weight=2)])
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 120.0)
    assert close(plan.objective.cost, 60.0)
    assert close(total(plan.production, line="l2", operation="cut"), 30.0)
    assert close(total(plan.production, line="l1", operation="weld"), 30.0)
    assert close(total(plan.production, line="l2", operation="weld"), 0.0)


# --- material balance -----------------------------------------------------------------------


def test_material_balance_yield_lead_time_and_inventory() -> None:
    """make: 1 widget from 2 raw at yield 0.8, 1 h per unit, lead 1 week; 100 h/week at 10
    per hour. On hand: 50 raw and 4 widgets. Due: 10 widgets in week 0, 20 in week 1 (3
    weeks). Good units q take 2q/0.8 raw, so at most 20; made in week 0 they arrive in
    week 1. Delivered 4 in week 0 and 20 in week 1: backlog 6 in weeks 0, 1, 2 plus 3 unmet
    weeks: S = 6 x 6 = 36; C = 20 / 0.8 h x 10 = 250."""
    doc = world(3, items=[{"id": "raw"}, {"id": "widget"}],
                operations=[make("widget", consumes={"raw": 2}, **{"yield": 0.8},
                                 lead_time_weeks=1)],
                lines=[line("l1", hours_per_week=100, cost_per_hour=10)],
                inventory=[{"site": "plant", "item": "raw", "quantity": 50},
                           {"site": "plant", "item": "widget", "quantity": 4}],
                demands=[demand("order", (0, 10), (1, 20), item="widget")])
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 36.0)
    assert close(plan.objective.cost, 250.0)
    assert [(r.week, round(r.quantity, 6)) for r in plan.production] == [(0, 20.0)]
    assert close(total(plan.deliveries, week=0), 4.0)


# --- purchases ------------------------------------------------------------------------------


def test_purchases_lead_time_capacity_list_and_availability() -> None:
    """Kits due at the plant: 12 in week 2, 10 in week 5 (6 weeks). slow: 10 each, lead 3,
    100 a week. fast: 20 each, lead 1, capacity [100, 6, 3, 3, 3, 3] but only from week 1.
    By week 2 only fast's week-1 order (6) can arrive: 6 late in week 2, covered in week 3 by
    slow's week-0 order: S = 6. The other 16 come from slow: C = 6 x 20 + 16 x 10 = 280.
    (Ordering fast's 100 in week 0, or slow arriving sooner, would give S = 0.)"""
    doc = world(6, suppliers=[
        {"id": "slow", "country": "FR", "offers": [offer("part", 10, 3, 100)]},
        {"id": "fast", "country": "DE", "offers": [offer("part", 20, 1, [100, 6, 3, 3, 3, 3],
                                                         available_from_week=1)]}],
        demands=[demand("order", (2, 12), (5, 10))])
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 6.0)
    assert close(plan.objective.cost, 280.0)
    fast = [(r.week, r.arrival_week, round(r.quantity, 6)) for r in plan.purchases
            if r.supplier == "fast"]
    assert fast == [(1, 2, 6.0)]
    assert close(total(plan.purchases, supplier="slow"), 16.0)


def test_supplier_capacity_is_shared_by_the_sites() -> None:
    """One offer, 5 parts a week at 2 each, lead 0, delivered to any site; 5 due in week 0
    at the plant and 5 at the depot (2 weeks, no transport needed). Week 0's 5 go to one
    site only; the other gets week 1's order: 5 late one week, S = 5; C = 10 x 2 = 20."""
    doc = world(2, sites=[site("plant"), site("depot", where=LYON)],
                suppliers=[{"id": "s", "country": "FR", "offers": [offer("part", 2, 0, 5)]}],
                demands=[demand("here", (0, 5)), demand("there", (0, 5), at="depot")])
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 5.0)
    assert close(plan.objective.cost, 20.0)
    assert close(total(plan.purchases, week=0), 5.0)


# --- shipments ------------------------------------------------------------------------------


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """By the spherical law of cosines (not the haversine form the code uses) [km]."""
    p1, l1, p2, l2 = map(math.radians, (*a, *b))
    cos_c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(l2 - l1)
    return 6371.0 * math.acos(cos_c)


def test_shipment_lead_time_and_cost() -> None:
    """10 widgets (2 kg each) on hand in Paris, due in Lyon: 4 in week 0, 6 in week 1;
    transport lead 1 week, 0.01 per kg-km. Paris (48.85, 2.35) - Lyon (45.76, 4.84) on a
    6371.0 km sphere is 391.4886 km. Nothing can arrive before week 1: 4 late one week,
    S = 4; C = 10 x 2 x 391.4886 x 0.01 = 78.2977."""
    km = great_circle_km(PARIS, LYON)
    assert math.isclose(km, 391.4886, abs_tol=1e-4)
    doc = world(3, items=[{"id": "widget", "weight_kg": 2}],
                sites=[site("plant"), site("depot", where=LYON)],
                inventory=[{"site": "plant", "item": "widget", "quantity": 10}],
                transport={"lead_time_weeks": 1, "cost_per_kg_km": 0.01},
                demands=[demand("order", (0, 4), (1, 6), item="widget", at="depot")])
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 4.0)
    assert close(plan.objective.cost, 10 * 2 * km * 0.01)
    assert [(s.from_, s.to, s.week, s.arrival_week, round(s.quantity, 6))
            for s in plan.shipments] == [("plant", "depot", 0, 1, 10.0)]


def test_free_transport_ships_from_one_site_to_two() -> None:
    """Free transport (pooled shipments). 30 parts on hand at the hub; due in week 1: 5 at
    the hub, 10 at east, 15 at west; lead 1 week. Everything leaves the hub in week 0:
    S = 0, C = 0, 10 to east and 15 to west (the hub keeps its own 5)."""
    doc = world(3, sites=[site("hub"), site("east", where=LYON), site("west", where=(47.2, -1.55))],
                inventory=[{"site": "hub", "item": "part", "quantity": 30}],
                transport={"lead_time_weeks": 1, "cost_per_kg_km": 0},
                demands=[demand(f"to-{s}", (1, q), at=s) for s, q in
                         (("hub", 5), ("east", 10), ("west", 15))])
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 0.0)
    assert close(plan.objective.cost, 0.0)
    assert [(s.from_, s.to, s.week, round(s.quantity, 6)) for s in plan.shipments] == [
        ("hub", "east", 0, 10.0), ("hub", "west", 0, 15.0)]


# --- demands and backlog ----------------------------------------------------------------------


def test_backlog_weights_and_unmet_weeks() -> None:
    """Kits at 1 each, 4 a week, lead 0, 4 weeks: 16 in all for 20 due in week 1: 10 for d1
    (weight 1, unmet_weeks 20), 10 for d2 (weight 3, unmet_weeks 4 = weeks by default).
    A unit missing at the end costs 1 x (1 + 20) = 21 for d1 but 3 x (1 + 4) = 15 for d2,
    so d1 is complete by week 3 and d2 gets 6; before that d2 (weight 3) goes first, up to
    its 6: cumulative deliveries d2 6, 6, 6 and d1 2, 6, 10 in weeks 1..3. Backlogs d1 8, 4,
    0 and d2 4, 4, 4 (4 unmet): S = (8 + 4) + 3 x (4 + 4 + 4 + 4 x 4) = 96; C = 16.
    (Serving d2 fully instead, as the weights alone would suggest, gives S = 108.)"""
    doc = world(4, suppliers=[{"id": "s", "country": "FR", "offers": [offer("part", 1, 0, 4)]}],
                demands=[demand("d1", (1, 10), unmet_weeks=20), demand("d2", (1, 10), weight=3)])
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 96.0)
    assert close(plan.objective.cost, 16.0)
    assert close(total(plan.deliveries, demand="d1"), 10.0)
    assert close(total(plan.deliveries, demand="d2"), 6.0)
    d2_by_week_2 = sum(r.quantity for r in plan.deliveries if r.demand == "d2" and r.week <= 2)
    assert close(d2_by_week_2, 6.0)


def test_no_over_delivery() -> None:
    """50 parts on hand, 10 due in week 2 of 3: S = 0, C = 0, and exactly 10 are handed over
    (delivering more than the total due is not allowed)."""
    doc = world(3, inventory=[{"site": "plant", "item": "part", "quantity": 50}],
                demands=[demand("order", (2, 10))])
    plan = solve_and_verify(doc)
    assert close(plan.objective.service, 0.0) and close(plan.objective.cost, 0.0)
    assert close(total(plan.deliveries), 10.0)


# --- policy ------------------------------------------------------------------------------------


def test_binding_budget_gives_higher_service() -> None:
    """The minimal scenario with budget 100,000. A drone costs 2 h x 40 + 1 kit x 300 = 380
    after the 50,000 to convert the line, so (100,000 - 50,000) / 380 = 131.58 drones, and
    each missing one is 1 + 8 unmet weeks late: S = 9 x (200 - 50,000/380) = 615.789;
    C = 100,000."""
    plan = solve_and_verify(minimal(policy={"budget": 100_000}))
    assert plan.status == "optimal"
    assert close(plan.objective.service, 9 * (200 - 50_000 / 380))
    assert close(plan.objective.cost, 100_000.0)


def test_negative_budget_is_infeasible_and_named() -> None:
    """Every plan costs at least 0 (the empty plan costs 0): budget -1 cannot hold."""
    plan = solve_and_verify(minimal(policy={"budget": -1}))
    assert plan.status == "infeasible"
    assert "policy.budget" in plan.message and "negative" in plan.message
    assert (plan.activations, plan.production, plan.purchases, plan.shipments,
            plan.deliveries) == ([], [], [], [], [])
    assert plan.costs is None
    assert plan.objective.service is None and plan.objective.cost is None


@pytest.mark.parametrize(("share", "cost"), [(None, 100.0), (0.75, 150.0), (0.5, 200.0)])
def test_max_share_per_organization(share: float | None, cost: float) -> None:
    """Line la (organisation a, 1 per hour) and lb (organisation b, 3 per hour), 100 h/week,
    1 h per part; 100 parts due at a's site in week 2 of 3, free transport, lead 1. Without
    the rule a makes everything: C = 100. With share x, a makes 100x and b the rest:
    C = 100x + 300(1 - x): 150 at 0.75, 200 at 0.5. S = 0 in every case."""
    doc = world(3, organizations=[{"id": "a"}, {"id": "b"}],
                sites=[site("sa", "a"), site("sb", "b", LYON)],
                operations=[make()],
                lines=[line("la", "sa", hours_per_week=100, cost_per_hour=1),
                       line("lb", "sb", hours_per_week=100, cost_per_hour=3)],
                demands=[demand("order", (2, 100), at="sa")],
                policy={} if share is None else {"max_share_per_organization": share})
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 0.0)
    assert close(plan.objective.cost, cost)
    assert close(total(plan.production, line="la"), 100.0 * (share or 1.0))


@pytest.mark.parametrize(("max_share", "cost", "from_cn"), [(None, 10.0, 10.0), (0.5, 20.0, 5.0),
                                                            (0.0, 30.0, 0.0)])
def test_restricted_origins(max_share: float | None, cost: float, from_cn: float) -> None:
    """10 kits due in week 1; a supplier in CN sells at 1, one in FR at 3 (lead 0, 100 a
    week). Unrestricted: all from CN, C = 10. With CN restricted to max_share x of the units
    ordered: 10x from CN, C = 10x + 30(1 - x): 20 at 0.5, 30 at 0 (buying extra FR units to
    allow more CN ones never pays: 3 spent to save 2)."""
    doc = world(2, suppliers=[
        {"id": "cheap", "country": "CN", "offers": [offer("part", 1, 0, 100)]},
        {"id": "dear", "country": "FR", "offers": [offer("part", 3, 0, 100)]}],
        demands=[demand("order", (1, 10))],
        policy={} if max_share is None else {"restricted_origins": {"countries": ["CN"],
                                                                    "max_share": max_share}})
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 0.0)
    assert close(plan.objective.cost, cost)
    assert close(total(plan.purchases, supplier="cheap"), from_cn)


# --- objective modes ---------------------------------------------------------------------------


def test_weighted_with_huge_penalty_matches_service_then_cost() -> None:
    """The capacity scenario above has S = 120 and C = 60 in service-then-cost mode. Every
    unit-week of lateness saved costs at most 1 (an hour), so late_penalty 1,000 is huge:
    weighted mode gives the same S and C, value = 60 + 1,000 x 120 = 120,060."""
    doc = world(3, items=[{"id": "a"}, {"id": "b"}],
                operations=[make("a", "cut"), make("b", "weld")],
                lines=[line("l1", capabilities=["cut", "weld"], cost_per_hour=1),
                       line("l2", capabilities=["cut"], cost_per_hour=1)],
                demands=[demand("da", (2, 40), item="a"),
                         demand("db", (2, 40), item="b", weight=2)],
                objective={"mode": "weighted", "late_penalty": 1000})
    plan = solve_and_verify(doc)
    assert plan.status == "optimal"
    assert close(plan.objective.service, 120.0)
    assert close(plan.objective.cost, 60.0)
    obj = plan.to_dict()["objective"]
    assert obj["service_bound"] is None and obj["cost_bound"] is None
    assert close(obj["value"], 120_060.0)
    assert obj["bound"] <= obj["value"] and obj["bound"] >= obj["value"] * (1 - 1e-4)


def test_weighted_without_penalty_gives_the_empty_plan() -> None:
    """late_penalty 0: lateness is free, so the best plan does nothing. The 200 drones due in
    week 7 never come: S = 200 x (1 + 8 unmet weeks) = 1,800; C = 0."""
    plan = solve_and_verify(minimal(objective={"mode": "weighted", "late_penalty": 0}))
    assert plan.status == "optimal"
    assert close(plan.objective.service, 1800.0)
    assert close(plan.objective.cost, 0.0)
    assert plan.activations == [] and plan.purchases == [] and plan.deliveries == []
    obj = plan.to_dict()["objective"]
    assert close(obj["value"], 0.0) and close(obj["bound"], 0.0)


# --- solver limits and errors -------------------------------------------------------------------


def test_time_limit_gives_a_feasible_plan_with_a_message() -> None:
    """8 lines over 10 weeks need about 15 s to prove; with 0.01 s for the stages the planner
    still returns the plan it holds (at worst the empty plan), marked feasible."""
    plan = solve_and_verify(generate(8, 10, 1), time_limit=0.01)
    assert plan.status == "feasible"
    assert "time limit reached" in plan.message
    o = plan.objective
    assert o.service is not None and o.cost is not None
    assert o.service_bound is not None and o.service_bound <= o.service + 1e-9
    assert o.cost_bound is not None and o.cost_bound <= o.cost + 1e-9


def test_unknown_solver_is_a_clear_error() -> None:
    sc = surge.load(EXAMPLE)
    with pytest.raises(SolverError,
                       match=r"solver 'nonexistent' is not available; installed: .*highs"):
        surge.solve(sc, solver="nonexistent")


def test_thread_count_can_change_between_solves() -> None:
    """HiGHS fixes its thread scheduler when it first runs in a process; a later solve
    with another thread count used to end in "HiGHS stopped with status Not Set"."""
    sc = surge.load(EXAMPLE)
    for threads in (None, 1, 2):
        plan = surge.solve(sc, threads=threads)
        assert (plan.status, plan.message) == ("optimal", ""), threads
        assert close(plan.objective.cost, 126_000.0)
