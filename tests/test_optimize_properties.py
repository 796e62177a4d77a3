"""The planner on generated scenarios: every plan passes the independent verifier, and the
two objective modes agree on the lateness ``S`` when the penalty is big enough."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import solve_and_verify
from surge.scenario.generate import generate

SLOW_OK = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW_OK
@given(lines=st.integers(5, 8), weeks=st.integers(6, 10), seed=st.integers(0, 100_000),
       policy=st.sampled_from([None, True, False]), free_transport=st.booleans(),
       penalty=st.sampled_from([None, 0.0, 50.0, 1e5]))
def test_every_plan_passes_verify(lines: int, weeks: int, seed: int, policy: bool | None,
                                  free_transport: bool, penalty: float | None) -> None:
    """Shapes: 5-8 lines, 6-10 weeks, with or without policy rules, paid or free transport
    (the pooled shipment formulation), service-then-cost or weighted (penalty 0 up to huge).
    With 3 s for the whole solve some stop at the time limit: the plan they hold must
    still be valid and its bounds below its values."""
    raw = generate(lines, weeks, seed, policy=policy)
    if free_transport:
        raw["transport"]["cost_per_kg_km"] = 0.0
    if penalty is not None:
        raw["objective"] = {"mode": "weighted", "late_penalty": penalty}
    plan = solve_and_verify(raw, time_limit=3)
    assert plan.status in ("optimal", "feasible"), plan.message
    o = plan.to_dict()["objective"]
    if penalty is None:
        assert o["service_bound"] <= o["service"] + 1e-6 * max(1.0, o["service"])
        assert o["cost_bound"] <= o["cost"] + 1e-6 * max(1.0, o["cost"])
    else:
        assert math.isclose(o["value"], o["cost"] + penalty * o["service"], rel_tol=1e-9)
        assert o["bound"] <= o["value"] + 1e-6 * max(1.0, o["value"])
    if plan.status == "feasible":
        assert "time limit" in plan.message


def weighted(raw: dict[str, Any], late_penalty: float) -> dict[str, Any]:
    return raw | {"objective": {"mode": "weighted", "late_penalty": late_penalty}}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weeks=st.integers(6, 8), seed=st.integers(0, 100_000))
def test_weighted_with_huge_penalty_has_the_same_service(weeks: int, seed: int) -> None:
    """S of service-then-cost = S of weighted with late_penalty p = 1e4 x C_l, where C_l is
    the cost of the service-then-cost plan x_l (S* its lateness).

    Why p is big enough: the weighted optimum x_w is at least as good as x_l on
    C + p S, so p (S_w - S*) <= C_l - C_w <= C_l and S_w - S* <= C_l / p = 1e-4 unit-weeks
    even in the worst case (a plan saving the whole cost of x_l for 1e-4 unit-weeks of
    lateness), and with the stage's mip_gap g also g (C_l / p + S*): relative 1e-4, which
    is the tolerance asserted. A still larger p is not safer: at p = 1e6..1e7 x C_l the
    cost coefficients drown in HiGHS's tolerances and S_w picks up 3e-7..8e-7 unit-weeks
    of numerical noise (measured), close to the 1e-6 absolute tolerance.
    """
    raw = generate(5, weeks, seed)
    lexi = solve_and_verify(raw, time_limit=30)
    p = 1e4 * max(lexi.objective.cost or 0.0, 1.0)
    best = solve_and_verify(weighted(raw, p), time_limit=30)
    assert (lexi.status, best.status) == ("optimal", "optimal"), (lexi.message, best.message)
    assert lexi.objective.service is not None and best.objective.service is not None
    assert math.isclose(lexi.objective.service, best.objective.service,
                        rel_tol=1e-4, abs_tol=1e-6), (lexi.objective, best.objective)
