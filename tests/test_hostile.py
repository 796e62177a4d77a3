"""Hostile and extreme inputs (tests/data/hostile/): each ends with exit code 2 and a
message naming the file or option and the fault, never a traceback; legal extremes work."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

import surge
import surge.cli
from surge.cli import app
from surge.plan.model import Plan

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "data" / "hostile"
PLANS = HOSTILE / "plans"
MINIMAL = ROOT / "examples" / "minimal.yaml"
surge.cli.register_commands()


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args],
                                env={"COLUMNS": "400", "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


def refused(args: list[str | Path], message: str) -> str:
    """Run, and assert exit 2 with ``message`` on stderr and no traceback."""
    code, out, err = run(*args)
    text = err.replace("\n", " ")
    assert "Traceback" not in out + err and "internal error" not in err, err
    assert code == 2, (code, out, err)
    assert message in text, text
    return text


# --- scenario files ------------------------------------------------------------------

SCENARIOS = [
    ("alias-bomb.yaml", "expands to more than 20,000,000 values"),
    ("deep-nesting.yaml", "cannot read YAML: nested too deeply"),
    ("deep-nesting.json", "cannot read JSON: nested too deeply"),
    ("huge-int.json", "an integer of more than 4,300 digits"),
    ("lone-surrogate.json", "name: the string is not valid Unicode (a lone surrogate \\ud800)"),
    ("merge-key-duplicate.yaml", "a key written twice in one mapping (key 'time_limit_s')"),
    ("week-key-0.yaml", "delay_weeks: key ' 1' must be a whole number of weeks"),
    ("week-key-1.yaml", "delay_weeks: key '\u0661' must be a whole number of weeks"),
    ("week-key-2.yaml", "delay_weeks: key '\uff13' must be a whole number of weeks"),
    ("week-1e20.yaml", "due[0].week: must be between 0 and 7 (weeks - 1), got 100000000000000000000"),
    ("horizon-past-9999.yaml", "start: the horizon of 8 weeks from 9999-12-06 ends after the year 9999"),
    ("hours-1e308.yaml", "options[0].hours_per_week: 1e+308 is out of the supported range: "
                         "at most 10,000 [h/week]"),
    ("inventory-1e308.yaml", "inventory[0].quantity: 1e+308 is out of the supported range: "
                             "at most 1,000,000,000 [units]"),
    ("weight-1e15.yaml", "'order-1'.weight: 1e+15 is out of the supported range: at most 1,000,000"),
    ("unmet-weeks-1e15.yaml", "'order-1'.unmet_weeks: 1000000000000000 is out of the supported "
                              "range: at most 5,200 [weeks]"),
    ("late-penalty-1e308.yaml", "objective.late_penalty: 1e+308 is out of the supported range: "
                                "at most 1,000,000,000,000 [per unit-week]"),
]


@pytest.mark.parametrize(("name", "message"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_hostile_scenario_is_refused_by_check_and_plan(name: str, message: str,
                                                       tmp_path: Path) -> None:
    refused(["check", HOSTILE / name], message)
    refused(["plan", HOSTILE / name, "-o", tmp_path / "p.json"], message)
    assert not (tmp_path / "p.json").exists()


def test_the_same_alias_bomb_in_an_overlay_and_under_set(tmp_path: Path) -> None:
    refused(["plan", MINIMAL, "--with", HOSTILE / "alias-bomb-overlay.yaml", "-o",
             tmp_path / "p.json"], "alias-bomb-overlay.yaml: h: expands to more than")
    layers = ["a: &a [" + ", ".join(["x"] * 10) + "]"]
    layers += [f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]" for p, c in zip("abcdefgh", "bcdefghi", strict=False)]
    refused(["check", MINIMAL, "--set", "objective={" + ", ".join(layers) + "}"],
            "expands to more than 20,000,000 values")
    refused(["check", HOSTILE / "alias-bomb.yaml", "--set", "name=x"],
            "alias-bomb.yaml: h: expands to more than 20,000,000 values")


def test_a_self_referencing_set_value() -> None:
    refused(["check", MINIMAL, "--set", "objective=&a {x: *a}"],
            "--set objective=&a {x: *a}: x: the value contains itself")


def test_overlay_remove_yes_is_refused() -> None:
    refused(["check", MINIMAL, "--with", HOSTILE / "remove-yes-overlay.yaml"],
            "suppliers[0]: remove must be true or false, got 'yes'")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_not_read(device: str) -> None:
    refused(["check", device], f"{device}: is not a regular file (a device?), expected a scenario")
    refused(["verify", MINIMAL, device], f"{device}: is not a regular file (a device?)")


def test_a_file_over_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURGE_MAX_INPUT_MB", "0.0001")  # ~100 bytes
    refused(["check", MINIMAL], "is larger than the input limit of 0 MB (set SURGE_MAX_INPUT_MB")


def test_a_directory_given_as_a_file(tmp_path: Path) -> None:
    refused(["check", tmp_path], f"{tmp_path}: is a directory, expected a scenario file")
    refused(["verify", MINIMAL, tmp_path], f"{tmp_path}: is a directory, expected a plan file")


# --- plan files ----------------------------------------------------------------------

PLAN_FILES = [
    ("duplicate-key.json", "key 'status' is written twice in one object"),
    ("no-surge-plan.json", "missing required key 'surge_plan'"),
    ("quantity-string.json", "production[0].quantity: Input should be a valid number, got '19.29'"),
    ("quantity-true.json", "production[0].quantity: Input should be a valid number, got true"),
    ("week-string.json", "production[0].week: Input should be a valid integer, got '2'"),
    ("misspelt-purchases.json", "unknown key 'purchase'; did you mean 'purchases'?"),
    ("from-underscore.json", "shipments[0]: unknown key 'from_' (expected keys: item, from, to"),
    ("unknown-row-key.json", "deliveries[0]: unknown key 'demand_id'"),
]


@pytest.mark.parametrize(("name", "message"), PLAN_FILES, ids=[p[0] for p in PLAN_FILES])
def test_hostile_plan_file_is_refused_by_every_reader(name: str, message: str,
                                                      tmp_path: Path) -> None:
    for args in (["verify", MINIMAL], ["risk", MINIMAL], ["report", MINIMAL],
                 ["explain", MINIMAL]):
        extra = ["-o", tmp_path / "r.html"] if args[0] == "report" else []
        refused([*args, PLANS / name, *extra], message)
    refused(["compare", PLANS / name, PLANS / "good.json"], message)


def test_the_good_plan_file_verifies() -> None:
    code, out, err = run("verify", MINIMAL, PLANS / "good.json")
    assert code == 0, err
    assert "the plan holds" in out


def test_a_plan_of_another_scenario_is_refused_in_one_line(tmp_path: Path) -> None:
    for args in (["verify", MINIMAL], ["risk", MINIMAL], ["explain", MINIMAL]):
        text = refused([*args, PLANS / "other-scenario.json"],
                       "the plan is for scenario 'another scenario', not 'one line, one part'")
        assert text.count("error") == 1
    refused(["compare", PLANS / "other-scenario.json", PLANS / "good.json"],
            "is a plan of scenario 'another scenario' and")


def test_a_what_if_plan_needs_its_changes(tmp_path: Path) -> None:
    refused(["verify", MINIMAL, PLANS / "made-with-set.json"],
            "the plan was made with --set objective.mip_gap=0.01, but this command was given "
            "no --with/--set")
    code, out, err = run("verify", MINIMAL, PLANS / "made-with-set.json",
                         "--set", "objective.mip_gap=0.01")
    assert code == 0, err


# --- options -------------------------------------------------------------------------


def test_out_of_range_options() -> None:
    good = PLANS / "good.json"
    refused(["risk", MINIMAL, good, "--seed", "-1"], "--seed -1: must be between 0 and 2**63 - 1")
    refused(["risk", MINIMAL, good, "--runs", str(10**29)],
            f"--runs {10**29}: at most 100,000,000 runs are supported")
    refused(["risk", MINIMAL, good, "--cluster", ""], "--cluster '': give 'local[:N]'")
    refused(["plan", MINIMAL, "-o", "x.json", "--threads", "100000"],
            "--threads 100000: at most 1024 threads are supported")


# --- outputs -------------------------------------------------------------------------


def test_an_output_equal_to_an_input_is_refused(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    before = scenario.read_bytes()
    refused(["plan", scenario, "-o", scenario], f"cannot write --output {scenario}: it is also "
                                                "an input of the command")
    plan = tmp_path / "p.json"
    plan.write_text((PLANS / "good.json").read_text(encoding="utf-8"), encoding="utf-8")
    refused(["report", scenario, plan, "-o", plan], "it is also an input of the command")
    refused(["risk", scenario, plan, "-o", scenario], "it is also an input of the command")
    refused(["explain", scenario, plan, "--json", plan], "cannot write --json")
    assert scenario.read_bytes() == before


def test_unwritable_outputs_are_refused_before_the_work(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    refused(["plan", MINIMAL, "-o", tmp_path], f"cannot write {tmp_path}: it is a directory")
    refused(["plan", MINIMAL, "-o", a_file / "p.json"],
            f"cannot write {a_file / 'p.json'}: {a_file} is a file, not a directory")
    read_only = tmp_path / "ro.json"
    read_only.write_text("old", encoding="utf-8")
    read_only.chmod(stat.S_IRUSR | stat.S_IRGRP)
    refused(["plan", MINIMAL, "-o", read_only], f"cannot write {read_only}: the file is read-only")
    refused(["schema", "-o", read_only], "the file is read-only")
    refused(["generate", "-n", "5", "-o", read_only], "the file is read-only")
    assert read_only.read_text(encoding="utf-8") == "old"


def test_missing_folders_are_created_and_the_write_is_atomic(tmp_path: Path) -> None:
    out = tmp_path / "new" / "deeper" / "schema.json"
    code, _, err = run("schema", "-o", out)
    assert code == 0, err
    assert json.loads(out.read_text(encoding="utf-8"))["title"].startswith("Surge scenario")
    assert [p.name for p in out.parent.iterdir()] == ["schema.json"]  # no temporary left


# --- legal extremes work -------------------------------------------------------------


def test_a_1200_level_bill_of_materials_checks_and_plans(tmp_path: Path) -> None:
    code, out, err = run("check", "-q", HOSTILE / "bom-1200-levels.yaml")
    assert code == 0, err
    assert "valid scenario" in out
    out_file = tmp_path / "p.json"
    code, out, err = run("plan", HOSTILE / "bom-1200-levels.yaml", "-o", out_file)
    assert code == 0, err
    plan = Plan.read(out_file)
    assert plan.status == "optimal"
    assert plan.objective.service == pytest.approx(0.0, abs=1e-6)
    result = surge.verify(surge.load(HOSTILE / "bom-1200-levels.yaml"), plan)
    assert result.ok, [str(v) for v in result.violations]


def test_a_scenario_with_every_list_empty_plans_and_reports(tmp_path: Path) -> None:
    scenario = HOSTILE / "empty-lists.yaml"
    out = tmp_path / "p.json"
    code, _, err = run("plan", scenario, "-o", out)
    assert code == 0, err
    plan = Plan.read(out)
    assert plan.status == "optimal"
    assert plan.objective.cost == 0.0
    assert surge.verify(surge.load(scenario), plan).ok
    code, out_text, err = run("report", scenario, out, "-o", tmp_path / "r.html")
    assert code == 0, err
    assert "wrote" in out_text


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.strip() == f"surge {surge.__version__}"


def test_plan_records_its_what_if_changes(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    code, _, err = run("plan", MINIMAL, "-o", out, "--set", "objective.mip_gap=0.001")
    assert code == 0, err
    recorded = json.loads(out.read_text(encoding="utf-8"))["what_if"]
    assert recorded == {"with": [], "set": ["objective.mip_gap=0.001"]}
    refused(["report", MINIMAL, out, "-o", tmp_path / "r.html"],
            "the plan was made with --set objective.mip_gap=0.001")
    code, _, err = run("report", MINIMAL, out, "-o", tmp_path / "r.html",
                       "--set", "objective.mip_gap=0.001")
    assert code == 0, err
    assert os.path.getsize(tmp_path / "r.html") > 0
