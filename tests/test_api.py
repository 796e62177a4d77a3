"""The public API re-exported by ``surge``: each name is the function it stands for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import surge

ROOT = Path(__file__).resolve().parents[1]


def test_public_names_resolve_to_their_functions() -> None:
    from surge.optimize.solve import solve
    from surge.plan.verify import verify
    from surge.risk.simulate import simulate
    from surge.scenario.load import load
    from surge.state.actuals import load_actuals
    from surge.state.rehearse import rehearse
    from surge.state.replan import replan
    from surge.state.roll import roll
    from surge.state.track import track

    assert surge.load_scenario is load and surge.load is load
    assert (surge.solve, surge.verify, surge.simulate) == (solve, verify, simulate)
    assert (surge.load_actuals, surge.roll, surge.replan, surge.track, surge.rehearse) == (
        load_actuals, roll, replan, track, rehearse)
    assert set(surge.__all__) <= set(dir(surge))
    for name in surge.__all__:
        assert getattr(surge, name) is not None


def test_the_loop_from_the_top_level() -> None:
    """Plan, verify, execute exactly to week 3, roll and replan: the rest of the optimum."""
    from surge.state.actuals import actuals_from_plan

    sc = surge.load_scenario(ROOT / "examples" / "minimal.yaml")
    plan = surge.solve(sc)
    assert (plan.status, plan.objective.service, plan.objective.cost) == (
        "optimal", 0.0, 126000.0)
    assert surge.verify(sc, plan).ok
    facts = actuals_from_plan(sc, plan, 3)
    rolled = surge.roll(sc, facts)
    new = surge.replan(sc, plan, facts)
    assert new.verification.ok
    assert abs(new.plan.objective.cost + rolled.spent["total"] - 126000.0) < 1e-6


def test_import_surge_does_not_load_the_solver() -> None:
    code = ("import sys, surge; surge.load_scenario; "
            "print(any(m.startswith(('linopy', 'highspy')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(ROOT / "src")})
    assert out.stdout.strip() == "False"


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """``surge --help`` registers every command; none may load the solver, pandas, plotly
    or openpyxl at import (benchmarks/results/startup.md: 0.67 s of CPU instead of 1.5 s)."""
    code = ("import sys, surge.cli; surge.cli.register_commands(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'linopy', 'highspy', "
            "'pandas', 'plotly', 'openpyxl', 'xarray', 'distributed'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(ROOT / "src")})
    assert out.stdout.strip() == "[]"


def test_unknown_names_are_attribute_errors() -> None:
    try:
        surge.nothing_here  # noqa: B018
    except AttributeError as exc:
        assert "has no attribute 'nothing_here'" in str(exc)
    else:
        raise AssertionError("surge.nothing_here did not raise")
