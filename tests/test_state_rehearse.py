"""The rehearsal of the rolling process: exact futures keep the optimum, sampled futures
are lived the same way twice, every replan is verified."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import surge
import surge.cli
from conftest import solve_and_verify
from surge.cli import app
from surge.scenario.generate import generate
from surge.state.rehearse import Executor, Future, Schedule, live, rehearse

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal.yaml"
surge.cli.register_commands()


def no_shares(raw: dict[str, Any]) -> dict[str, Any]:
    policy = raw.get("policy") or {}
    policy.pop("max_share_per_organization", None)
    policy.pop("restricted_origins", None)
    raw["policy"] = policy
    return raw


@pytest.mark.parametrize(("source", "step"), [("minimal", 3), ("generated", 4)])
def test_without_uncertainty_rolling_keeps_the_optimum(source: str, step: int) -> None:
    """No disruption: the plan executed as written achieves exactly its S* and C*, and so
    does rolling and replanning every ``step`` weeks (principle of optimality)."""
    sc = surge.load(MINIMAL) if source == "minimal" else surge.load(
        no_shares(generate(5, 12, 1, uncertainty=False)))
    plan = solve_and_verify(sc, mip_gap=0.0)
    assert plan.status == "optimal"
    r = rehearse(sc, plan, step=step, seeds=[0])
    [f] = r.futures
    assert len(f.replans) == (sc.weeks - 1) // step
    assert all(x.verified and x.status == "optimal" for x in f.replans)
    s_star, c_star = plan.objective.service or 0.0, plan.objective.cost or 0.0
    for s, c in ((f.once_service, f.once_cost), (f.rolling_service, f.rolling_cost)):
        assert math.isclose(s, s_star, rel_tol=1e-6, abs_tol=1e-4)
        assert math.isclose(c, c_star, rel_tol=1e-6)


def uncertain() -> surge.Scenario:
    doc = surge.load(MINIMAL).dump()
    doc["uncertainty"] = {
        "suppliers": {"*": {"delay_weeks": {0: 0.5, 1: 0.5},
                            "fill_rate": {"mean": 0.8, "sd": 0.1}}},
        "lines": {"*": {"slip_weeks": {1: 1.0}, "availability": 0.9}},
        "operations": {"*": {"yield_sd": 0.05}}}
    doc["operations"][0]["yield"] = 0.9
    return surge.load(doc)


def test_a_sampled_future_is_lived_the_same_way_twice() -> None:
    """Common random numbers: the same seed gives the same disruptions and results;
    every replan of a disrupted run is verified; the line slips its drawn week."""
    sc = uncertain()
    plan = solve_and_verify(sc)
    a = rehearse(sc, plan, step=2, seeds=[5, 6])
    b = rehearse(sc, plan, step=2, seeds=[5, 6])
    assert [x.to_dict()["once"] for x in a.futures] == [x.to_dict()["once"] for x in b.futures]
    assert [x.rolling_service for x in a.futures] == [x.rolling_service for x in b.futures]
    for f in a.futures:
        assert f.replans and all(x.verified for x in f.replans)
        assert f.once_service > plan.objective.service  # a one-week slip makes it late
    ex, _ = live(sc, plan, Future(sc, 5), None)
    planned_ready = plan.activations[0].ready_week
    assert ex.ready["plant-l1"] == planned_ready + 1


def test_the_executor_catches_up_and_writes_consistent_actuals() -> None:
    """A plan whose kits come short: what could not be made is made later as kits allow;
    the actuals of every week pass the format's rules (the roll accepts them)."""
    from surge.state import roll
    from surge.state.actuals import actuals_problems

    sc = uncertain()
    plan = solve_and_verify(sc)
    ex = Executor(sc, Future(sc, 1))
    schedule = Schedule.of(plan)
    for _ in range(sc.weeks - 1):
        ex.run_week(schedule)
        facts = ex.actuals()
        assert actuals_problems(facts, sc) == []
        rolled = roll(sc, facts)
        assert rolled.scenario.weeks == sc.weeks - ex.week
    made = sum(p.quantity for p in ex.made)
    arrived = sum(q for *_, q, arrival in ex.orders if arrival < ex.week)
    planned = sum(p.quantity for p in plan.production)
    assert 0 < made <= arrived + 1e-6  # one kit per start, a yield below 1
    assert made < planned  # kits come 80% full: not everything could be made


def test_cli_rehearse(tmp_path: Path) -> None:
    out = tmp_path / "rehearsal.json"
    res = CliRunner().invoke(app, ["rehearse", str(MINIMAL), "-k", "3", "--seed", "1",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "value of replanning" in res.output and out.exists()
    bad = CliRunner().invoke(app, ["rehearse", str(MINIMAL), "--weeks-per-step", "8"])
    assert bad.exit_code == 2
    assert "--weeks-per-step 8 must be < weeks = 8" in bad.output
