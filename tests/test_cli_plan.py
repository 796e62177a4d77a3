"""``surge plan`` from the command line: exit codes 0 / 1 / 2 / 3, the plan file written in
every case that reaches the solver, the summary table, and the solver options passed on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import surge
import surge.cli
import surge.cli.plan
import surge.optimize
from surge.cli import app
from surge.plan.model import Plan
from surge.scenario import read_file
from surge.scenario.generate import generate
from surge.scenario.yaml_writer import write

MINIMAL = Path(__file__).resolve().parents[1] / "examples" / "minimal.yaml"
surge.cli.register_commands()


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args],
                                env={"COLUMNS": "200", "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


def unwrapped(text: str) -> str:
    """``text`` without line breaks: a long path may wrap at the console's width."""
    return text.replace("\n", "")


def minimal_file(tmp_path: Path, **changes: Any) -> Path:
    """The minimal scenario with top-level keys replaced, as a JSON file."""
    raw = read_file(MINIMAL) | changes
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(raw, default=str), encoding="utf-8")
    return path


def verified(scenario: Path, plan_file: Path) -> Plan:
    """The plan file, read back and checked by the independent verifier."""
    plan = Plan.read(plan_file)
    result = surge.verify(surge.load(scenario), plan)
    assert result.ok, "\n".join(str(v) for v in result.violations)
    return plan


def test_plan_writes_an_optimal_plan_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "out" / "plan.json"
    code, stdout, stderr = run("plan", MINIMAL, "-o", out)
    assert code == 0, stderr
    plan = verified(MINIMAL, out)
    assert plan.status == "optimal"
    assert plan.objective.service == pytest.approx(0.0, abs=1e-6)
    assert plan.objective.cost == pytest.approx(126_000.0, rel=1e-9)
    for text in ("Plan: one line, one part", "optimal", "lateness S", "cost C", "126,000 EUR",
                 "activation", "50,000", "operating", "16,000", "purchase", "60,000",
                 "lines activated", "1 of 1", "on-time share", "100.0%", "order-1 complete",
                 f"wrote {out}"):
        assert text in unwrapped(stdout), text


def test_infeasible_scenario_exits_3_and_still_writes_the_plan(tmp_path: Path) -> None:
    scenario = minimal_file(tmp_path, policy={"budget": -1})
    out = tmp_path / "plan.json"
    code, stdout, stderr = run("plan", scenario, "-o", out)
    assert code == 3
    assert "infeasible" in stdout and "policy.budget" in stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["status"] == "infeasible" and "policy.budget" in data["message"]
    assert [data[k] for k in ("activations", "production", "purchases", "shipments",
                              "deliveries")] == [[], [], [], [], []]
    assert data["costs"] is None
    assert data["objective"]["service"] is None and data["objective"]["cost"] is None
    verified(scenario, out)


def test_weighted_summary_shows_the_value(tmp_path: Path) -> None:
    """late_penalty 0: the empty plan, S = 200 x (1 + 8) = 1,800, value 0."""
    scenario = minimal_file(tmp_path, objective={"mode": "weighted", "late_penalty": 0})
    out = tmp_path / "plan.json"
    code, stdout, stderr = run("plan", scenario, "-o", out)
    assert code == 0, stderr
    assert "1,800.0 unit-weeks" in stdout and "value C + pS" in stdout
    assert "0 of 1" in stdout and "not within horizon" in stdout
    plan = verified(scenario, out)
    assert plan.to_dict()["objective"]["value"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(("args", "message"), [
    (["missing.yaml"], "missing.yaml"),
    (["BAD"], "weeks"),
    ([str(MINIMAL), "--gap", "1.5"], "Invalid value for '--gap'"),
    ([str(MINIMAL), "--threads", "0"], "Invalid value for '--threads'"),
    ([str(MINIMAL), "--time-limit", "0"], "Invalid value for '--time-limit'"),
    ([str(MINIMAL), "--cluster", "local:0"], "the number of workers must be >= 1, got 0"),
    ([str(MINIMAL), "--cluster", "nowhere"], "expected 'local', 'local:N'"),
    ([str(MINIMAL), "--frontier", "f.json"], "--frontier goes with --target-on-time"),
])
def test_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    if args == ["BAD"]:
        args = [str(minimal_file(tmp_path, weeks=0))]
    out = tmp_path / "plan.json"
    code, stdout, stderr = run("plan", *args, "-o", out)
    assert code == 2
    assert message in stderr + stdout
    assert "Traceback" not in stderr + stdout


def test_plan_on_a_local_cluster(tmp_path: Path) -> None:
    """``--cluster local:2``: the same optimal plan as in one process, two workers noted;
    ``local:1`` solves in this process (one worker runs nothing side by side): none noted."""
    for spec, workers in (("local:2", 2), ("local:1", 0)):
        out = tmp_path / f"plan-{workers}.json"
        code, stdout, stderr = run("plan", MINIMAL, "-o", out, "--cluster", spec)
        assert code == 0, stderr
        plan = verified(MINIMAL, out)
        assert plan.status == "optimal"
        assert plan.objective.cost == pytest.approx(126_000.0, rel=1e-9)
        assert plan.model_extra["solver"]["workers"] == workers


def test_unknown_solver_exits_1_with_a_message(tmp_path: Path) -> None:
    code, stdout, stderr = run("plan", MINIMAL, "-o", tmp_path / "plan.json", "--solver",
                               "nonexistent")
    assert code == 1
    assert "solver 'nonexistent' is not available; installed: highs" in stderr
    assert "Traceback" not in stderr + stdout


def test_time_limit_reached_gives_a_feasible_plan(tmp_path: Path) -> None:
    """8 lines over 10 weeks take about 15 s to prove; with 0.01 s the plan held is kept."""
    scenario = tmp_path / "synthetic.yaml"
    write(generate(8, 10, 1), scenario)
    out = tmp_path / "plan.json"
    code, stdout, stderr = run("plan", scenario, "-o", out, "--time-limit", "0.01")
    assert code == 0, stderr
    assert "feasible" in stdout and f"wrote {out}" in unwrapped(stdout)
    plan = verified(scenario, out)
    assert plan.status == "feasible" and "time limit reached" in plan.message


def test_solver_options_are_passed_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    real = surge.optimize.solve  # surge plan imports it when it runs

    def spy(sc: Any, **kw: Any) -> Plan:
        seen.update(kw)
        return real(sc, **kw)

    monkeypatch.setattr(surge.optimize, "solve", spy)
    out = tmp_path / "plan.json"
    code, stdout, stderr = run("plan", MINIMAL, "-o", out, "--time-limit", "20", "--gap", "0.5",
                          "--threads", "1")
    assert code == 0, stderr + stdout
    assert (seen["time_limit"], seen["mip_gap"], seen["threads"], seen["solver"]) == (
        20.0, 0.5, 1, "highs")
    plan = verified(MINIMAL, out)
    assert plan.objective.service == pytest.approx(0.0, abs=1e-6)
    # a 50% gap may stop at any plan within it: C is at most twice its lower bound
    assert plan.objective.cost is not None and plan.objective.cost_bound is not None
    assert plan.objective.cost_bound <= plan.objective.cost <= 2 * plan.objective.cost_bound
