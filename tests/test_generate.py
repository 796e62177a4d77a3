"""The scenario generator: sizes, determinism, validity, files, the CLI."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import surge
import surge.cli
from surge.errors import InputError
from surge.scenario import load, validate
from surge.scenario.generate import generate
from surge.scenario.load import read_document
from surge.scenario.yaml_writer import dumps, output_format, write


def _valid(doc: dict) -> surge.Scenario:
    scenario, problems = validate(doc)
    assert [str(p) for p in problems] == []  # no error, and no warning either
    assert scenario is not None
    return scenario


# --- determinism --------------------------------------------------------------------------


def test_same_seed_same_bytes_different_seed_different_file(tmp_path):
    a, b, c = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"
    write(generate(30, 26, 7), a)
    write(generate(30, 26, 7), b)
    write(generate(30, 26, 8), c)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert dumps(generate(30, 26, 7), "json") == dumps(generate(30, 26, 7), "json")


# --- validity and shape at several sizes --------------------------------------------------


@pytest.mark.parametrize("lines", [5, 30, 300])
def test_valid_at_size_and_shaped_as_promised(lines):
    sc = _valid(generate(lines, 26, 3))
    assert len(sc.lines) == lines
    assert all(1 <= len(line.options) <= 3 for line in sc.lines)
    assert 10 <= len(sc.items) <= 25
    assert len({op.capability for op in sc.operations}) == 8
    industrial = [o for o in sc.organizations if o.kind != "agency"]
    assert len(industrial) == max(3, round(lines / 8))
    assert len(sc.suppliers) == 8 + lines // 20
    far = {s.country for s in sc.suppliers} & {"CN", "TW", "JP", "US", "KR", "IN"}
    assert far, "some suppliers are outside Europe"
    assert all(40 <= o.hours_per_week <= 600 and o.lead_time_weeks <= 6
               for line in sc.lines for o in line.options)
    assert 1 <= len({d.site for d in sc.demands}) <= 3
    assert any(len(d.due) >= 3 for d in sc.demands), "monthly due dates over 26 weeks"
    assert any(op.yield_ < 1 for op in sc.operations)
    assert sc.inventory and sc.transport.lead_time_weeks == 1


def test_items_and_capabilities_do_not_grow_with_lines():
    small, large = generate(5, 26, 1), generate(300, 26, 1)
    assert [i["id"] for i in small["items"]] == [i["id"] for i in large["items"]]
    assert [o["id"] for o in small["operations"]] == [o["id"] for o in large["operations"]]


def test_bom_has_four_levels_and_alternatives():
    sc = _valid(generate(5, 12, 0))
    producers: dict[str, list] = {}
    for op in sc.operations:
        producers.setdefault(op.produces, []).append(op)

    def level(item: str) -> int:
        ops = producers.get(item, [])
        return 0 if not ops else 1 + max(level(i) for op in ops for i in op.consumes)

    assert level("uav") == 4
    alternatives = [ops for ops in producers.values() if len({op.capability for op in ops}) > 1]
    assert len(alternatives) >= 3


def test_5000_lines_are_valid():
    sc = _valid(generate(5000, 26, 0))
    assert len(sc.lines) == 5000
    assert len(sc.items) == 25


def test_optional_sections_on_demand():
    with_all = generate(12, 20, 5, policy=True, uncertainty=True)
    assert 0.5 <= with_all["policy"]["max_share_per_organization"] <= 0.8
    sc = _valid(with_all)
    assert sc.uncertainty is not None and "*" in sc.uncertainty.suppliers
    without = generate(12, 20, 5, policy=False, uncertainty=False)
    assert "policy" not in without and "uncertainty" not in without
    _valid(without)


@settings(max_examples=25, deadline=None)
@given(lines=st.integers(5, 200), weeks=st.integers(4, 52), seed=st.integers(0, 2**32 - 1))
def test_every_generated_scenario_is_valid(lines, weeks, seed):
    sc = _valid(generate(lines, weeks, seed))
    assert sc.weeks == weeks and len(sc.lines) == lines
    assert all(d.total >= 1 for d in sc.demands)


# --- files --------------------------------------------------------------------------------


def test_yaml_and_json_round_trip_through_load(tmp_path):
    doc = generate(20, 16, 11, policy=True, uncertainty=True)
    expected = _valid(doc)
    for name in ("s.yaml", "s.json"):
        path = tmp_path / name
        write(doc, path)
        assert load(path) == expected
    text = (tmp_path / "s.yaml").read_text()
    assert "\t" not in text and max(len(line) for line in text.splitlines()) <= 110
    assert json.loads((tmp_path / "s.json").read_text())["start"] == str(doc["start"])


def test_norway_stays_a_string_in_yaml():
    doc = generate(5, 8, 0)
    doc["sites"][0]["country"] = "NO"
    text = dumps(doc)
    assert 'country: "NO"' in text
    assert read_document(text, "x.yaml")["sites"][0]["country"] == "NO"


def test_format_from_suffix_or_option():
    assert output_format("a.yml") == "yaml"
    assert output_format("a.JSON") == "json"
    assert output_format("a.out", "json") == "json"
    with pytest.raises(InputError, match=r"cannot tell the format from the suffix '\.txt'"):
        output_format("a.txt")
    with pytest.raises(InputError, match="the suffix '.json' says json, but --format says yaml"):
        output_format("a.json", "yaml")
    with pytest.raises(InputError, match="--format must be 'yaml' or 'json', got 'xml'"):
        output_format("a", "xml")


# --- sizes out of range -------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    ((4, 26, 0), "--lines must be a whole number between 5 and 5000, got 4"),
    ((5001, 26, 0), "--lines must be a whole number between 5 and 5000, got 5001"),
    ((10, 3, 0), "--weeks must be a whole number between 4 and 520, got 3"),
    ((10, 26, -1), "--seed must be a whole number >= 0, got -1"),
])
def test_sizes_out_of_range_are_refused(args, message):
    with pytest.raises(InputError) as err:
        generate(*args)
    assert str(err.value) == message
    assert err.value.exit_code == 2


# --- the command --------------------------------------------------------------------------

surge.cli.register_commands()
runner = CliRunner()


def test_cli_writes_the_file(tmp_path):
    out = tmp_path / "s.yaml"
    result = runner.invoke(surge.cli.app, ["generate", "--lines", "12", "--weeks", "10",
                                           "--seed", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout and "12 lines" in result.stdout
    assert out.read_text() == dumps(generate(12, 10, 4))
    check = runner.invoke(surge.cli.app, ["check", str(out)])
    assert check.exit_code == 0, check.output


def test_cli_json_by_option(tmp_path):
    out = tmp_path / "s.data"
    result = runner.invoke(surge.cli.app, ["generate", "-n", "5", "-o", str(out), "--format",
                                           "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["surge"] == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--lines", "4"], "--lines must be a whole number between 5 and 5000, got 4"),
    (["--lines", "6000"], "--lines must be a whole number between 5 and 5000, got 6000"),
    (["--lines", "10", "--weeks", "600"], "--weeks must be a whole number between 4 and 520"),
    (["--lines", "10", "-f", "xml"], "--format must be 'yaml' or 'json', got 'xml'"),
])
def test_cli_bad_sizes_exit_2(tmp_path, args, message):
    out = tmp_path / "s.yaml"
    result = runner.invoke(surge.cli.app, ["generate", *args, "-o", str(out)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_missing_folders_are_created_as_for_every_command(tmp_path):
    out = tmp_path / "missing" / "s.yaml"
    result = runner.invoke(surge.cli.app, ["generate", "-n", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("surge: 1")


def test_cli_unwritable_path_exit_2(tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    out = tmp_path / "a-file" / "s.yaml"
    result = runner.invoke(surge.cli.app, ["generate", "-n", "5", "-o", str(out)])
    assert result.exit_code == 2
    assert (f"cannot write {out}: {tmp_path / 'a-file'} is a file, not a directory"
            in result.stderr.replace("\n", ""))


# --- planning -----------------------------------------------------------------------------


def test_small_generated_scenario_plans_optimally():
    sc = _valid(generate(5, 8, 4, policy=False, uncertainty=False))
    plan = surge.solve(sc, time_limit=60, threads=1)
    assert plan.status == "optimal"
    assert plan.activations and plan.deliveries
    delivered = sum(d.quantity for d in plan.deliveries)
    assert 0 < delivered <= sum(d.total for d in sc.demands) + 1e-6
    assert math.isfinite(plan.objective.cost)
