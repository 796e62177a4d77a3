"""Planning at scale: pooled purchases are exact, the construction gives a real plan.

Hand cases with exact numbers; every plan goes through the verifier (``solve_and_verify``).
"""

from __future__ import annotations

import importlib
import math

import pytest

import surge
from conftest import solve_and_verify
from surge.optimize.construct import construct, greedy_options, reduced_scenario, required_hours
from surge.optimize.data import prepare
from surge.optimize.extract import make_plan
from surge.optimize.model import create_model
from surge.optimize.solver import HighsSession
from surge.scenario.generate import generate
from test_optimize_families import LYON, close, demand, line, make, offer, site, total, world

solve_module = importlib.import_module("surge.optimize.solve")


def two_sites_two_offers(max_share: float | None) -> dict:
    """4 weeks; 6 parts due at the plant (Paris) in week 1, 6 at the depot (Lyon) in week 2.
    cn (CN): 1 each, lead 1, capacity [4, 4, 0, 0]; fr (FR): 3 each, lead 0, capacity
    [0, 5, 5, 5]. Unrestricted: 8 from cn (4 arriving in week 1, 4 in week 2) and 4 from fr,
    S = 0, C = 8 + 12 = 20. With CN at most half of the units ordered: 6 and 6, C = 24
    (a unit more from fr costs 3 and saves 2 only)."""
    policy = {} if max_share is None else {
        "restricted_origins": {"countries": ["CN"], "max_share": max_share}}
    return world(4, sites=[site("plant"), site("depot", where=LYON)],
                 suppliers=[{"id": "cn", "country": "CN",
                             "offers": [offer("part", 1, 1, [4, 4, 0, 0])]},
                            {"id": "fr", "country": "FR",
                             "offers": [offer("part", 3, 0, [0, 5, 5, 5])]}],
                 demands=[demand("here", (1, 6)), demand("there", (2, 6), at="depot")],
                 policy=policy)


@pytest.mark.parametrize(("max_share", "cost", "from_cn"), [(None, 20.0, 8.0), (0.5, 24.0, 6.0)])
def test_pooled_purchases_with_per_week_capacity_and_restricted_origins(
        max_share: float | None, cost: float, from_cn: float) -> None:
    plan = solve_and_verify(two_sites_two_offers(max_share))
    assert plan.status == "optimal"
    assert close(plan.objective.service, 0.0)
    assert close(plan.objective.cost, cost)
    assert close(total(plan.purchases, supplier="cn"), from_cn)
    assert close(total(plan.purchases, supplier="cn", week=0), 4.0)
    # split back per site: each site gets what it needs
    assert close(total(plan.purchases, site="plant") + total(plan.purchases, site="depot"), 12.0)


def test_pooled_model_is_smaller_with_the_same_relaxation() -> None:
    """Generated 30 lines x 26 weeks (seed 1): the relaxation of C + 100 S is
    4,363,878.6293, the value the per-lane model (one purchase variable per offer, site and
    week; commit defdcc7) gives, with 15,665 columns instead of 17,263."""
    sc = surge.load(generate(30, 26, seed=1))
    b = create_model(prepare(sc))
    n = solve_module.n_labels(b.m)
    assert b.service is not None and b.cost is not None
    session = HighsSession(b.m)
    session.set_objective(b.cost.vector(n) + 100 * b.service.vector(n))
    lp = session.relaxed("relaxation", time_limit=1800, method="simplex")  # loaded machines
    assert lp.value is not None
    assert math.isclose(lp.value, 4_363_878.6293, rel_tol=1e-9)
    assert int(b.m.nvars) == 15_665


def test_required_hours_follow_the_usual_route() -> None:
    """10 parts due, made by ``make`` (1 hour each, yield 0.5): 20 line hours of ``make``."""
    doc = world(4, operations=[{"id": "make", "produces": "part", "capability": "make",
                                "hours_per_unit": 1, "yield": 0.5}],
                demands=[demand("order", (3, 10))])
    b = create_model(prepare(surge.load(doc)))
    assert required_hours(b) == {"make": 20.0}


def test_greedy_takes_the_cheapest_lines_per_hour_until_covered() -> None:
    """20 hours of ``make`` needed, cover 1.5: 30 hours. Lines (10 hours a week, 4 weeks, 40
    hours each): cheap (fixed 40: 1 per hour), mid (fixed 80: 2 per hour), dear (fixed 400).
    cheap alone covers 40 >= 30 hours; at cover 3 (60 hours) mid is added."""
    def ln(lid: str, fixed: float) -> dict:
        return {"id": lid, "site": "plant", "options": [
            {"id": "convert", "capabilities": ["make"], "hours_per_week": 10,
             "lead_time_weeks": 0, "fixed_cost": fixed}]}
    doc = world(4, operations=[{"id": "make", "produces": "part", "capability": "make",
                                "hours_per_unit": 1, "yield": 0.5}],
                lines=[ln("dear", 400), ln("mid", 80), ln("cheap", 40)],
                demands=[demand("order", (3, 10))])
    b = create_model(prepare(surge.load(doc)))
    names = b.d.opt_line
    assert [names[k] for k in greedy_options(b, 1.5)] == ["cheap"]
    assert sorted(names[k] for k in greedy_options(b, 3.0)) == ["cheap", "mid"]
    small = reduced_scenario(b, greedy_options(b, 1.5))
    assert [(ln.id, [o.id for o in ln.options]) for ln in small.lines] == [("cheap", ["convert"])]


def test_construction_gives_a_verified_plan_on_30_generated_lines() -> None:
    """The greedy lines with one LP on the reduced model, moved back to the full model: a
    plan that delivers, S finite and below the empty plan's, every rule held (the
    verifier)."""
    sc = surge.load(generate(30, 26, seed=1))
    b = create_model(prepare(sc))
    n = solve_module.n_labels(b.m)
    assert b.service is not None
    s_vec = b.service.vector(n)
    x = construct(b, n, greedy_options(b, 1.5), "service", 120.0)
    assert x is not None
    x = solve_module.drop_idle_options(b, x)
    empty = solve_module.empty_plan_start(b, n)
    assert float(s_vec @ x) < float(s_vec @ empty)
    stages = [solve_module.StageResult(name, "feasible", float(s_vec @ x), None, 0.0, "", x)
              for name in ("service", "cost")]
    solved = solve_module.Solved(b, stages, stages[1], status="feasible")
    plan = make_plan(sc, b, solved)
    assert plan.activations and plan.deliveries
    assert math.isfinite(plan.objective.service)
    assert plan.objective.service < float(s_vec @ empty)
    check = surge.verify(sc, plan)
    assert check.ok, [str(v) for v in check.violations]


def test_lateness_dust_does_not_buy_a_line() -> None:
    """40.0000001 parts due in week 3 (a rolled scenario's rounding dust); ``cheap`` (fixed
    10) makes 10 a week, 40 by week 3; ``dear`` (fixed 1,000) the same. The construction
    (cover 1.5) uses both lines and meets the due date exactly (S* = 0); 1e-7 parts late
    for 1 + 9 unmet weeks is S = 1e-6, within the service slack, so the cost stage keeps
    ``cheap`` only: C = 10, not 1,010 (the roll of a roll failed on this: C 769,515 where
    44,822 was right)."""
    doc = world(4, operations=[make()],
                lines=[line("dear", fixed_cost=1000), line("cheap", fixed_cost=10)],
                demands=[demand("order", (3, 40.0000001))])
    plan = solve_and_verify(doc, mip_gap=0.0)
    assert plan.status == "optimal"
    assert [a.line for a in plan.activations] == ["cheap"]
    assert close(plan.objective.cost, 10.0)
    assert plan.objective.service <= 1.5e-6


def test_polish_removes_the_slack_when_the_lines_allow() -> None:
    """40 parts due in week 3 and the same two lines at 1 per hour: making 1e-7 parts less
    would save 1e-7 within the slack, but the polished cost-stage plan takes the slack back
    (S = 0 exactly, C = 10 + 40)."""
    doc = world(4, operations=[make()],
                lines=[line("dear", fixed_cost=1000, cost_per_hour=1),
                       line("cheap", fixed_cost=10, cost_per_hour=1)],
                demands=[demand("order", (3, 40.0))])
    plan = solve_and_verify(doc, mip_gap=0.0)
    assert plan.status == "optimal"
    assert plan.objective.service == 0.0
    assert close(plan.objective.cost, 50.0)


def test_fix_and_optimise_by_organisation_finds_the_cheaper_line() -> None:
    """40 parts due in week 3; ``dear`` (fixed 1,000) and ``cheap`` (fixed 10) each make 10
    a week. From the plan on ``dear`` alone (C + 1,000 S = 1,000), the neighbourhood of
    the one organisation frees both lines: the plan on ``cheap`` (10), verified."""
    from surge.optimize.improve import improve, neighbourhoods

    doc = world(4, operations=[make()],
                lines=[line("dear", fixed_cost=1000), line("cheap", fixed_cost=10)],
                demands=[demand("order", (3, 40.0))],
                objective={"mode": "weighted", "late_penalty": 1000})
    sc = surge.load(doc)
    b = create_model(prepare(sc))
    n = solve_module.n_labels(b.m)
    assert b.service is not None and b.cost is not None
    vec = b.cost.vector(n) + 1000 * b.service.vector(n)
    assert neighbourhoods(b) == [[0, 1]]
    x = construct(b, n, [b.d.opt_line.index("dear")], "weighted", 60.0)
    assert x is not None and close(float(vec @ x), 1000.0)
    session = HighsSession(b.m)
    x_i, better = improve(b, session, vec, x, lambda: 60.0, 0.0, lambda v: False, 0.0)
    assert better == 1 and close(float(vec @ x_i), 10.0)
    stages = [solve_module.StageResult("weighted", "feasible", float(vec @ x_i), None, 0.0,
                                       "", x_i)]
    plan = make_plan(sc, b, solve_module.Solved(b, stages, stages[0], status="feasible"))
    assert [a.line for a in plan.activations] == ["cheap"]
    check = surge.verify(sc, plan)
    assert check.ok, [str(v) for v in check.violations]


def test_an_interrupted_run_does_not_stop_the_next_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS keeps its callback's interrupt flag between runs of one instance: once a run
    was stopped at its deadline, every later run stopped at its first callback (100
    lines: each neighbourhood within 0.5 s, the polish in 0.2 s, with seconds left). The
    first run here is interrupted at once; the second, with time, must be solved."""
    from surge import interrupt
    from surge.optimize.stages import n_labels

    b = create_model(prepare(surge.load(generate(30, 26, seed=1))))
    n = n_labels(b.m)
    assert b.service is not None
    session = HighsSession(b.m)
    session.set_objective(b.service.vector(n))
    monkeypatch.setattr(interrupt, "requested", lambda: True)
    first = session.relaxed("first", time_limit=60.0, method="ipm", crossover=False)
    assert first.status != "optimal"
    monkeypatch.undo()
    second = session.relaxed("second", time_limit=60.0, method="ipm", crossover=False)
    assert second.status == "optimal", second.message
