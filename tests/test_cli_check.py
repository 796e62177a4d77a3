"""``surge check`` and ``surge schema`` from the command line: exit codes and messages.

``tests/data/corrupt/`` holds corrupted variants of the minimal scenario, each starting
with a ``# expect: <message>`` line; more variants (JSON, missing files) are made here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import surge.cli
from surge.cli import app

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal.yaml"
CORRUPT = sorted((ROOT / "tests" / "data" / "corrupt").glob("*.yaml"))
surge.cli.register_commands()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "100", "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


def expected_message(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if not text:
        return "the file is empty, expected a scenario"
    first = text.splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


def test_there_are_at_least_50_distinct_corrupted_scenarios() -> None:
    texts = {p.read_text(encoding="utf-8") for p in CORRUPT}
    assert len(texts) == len(CORRUPT) >= 50
    assert len({expected_message(p) for p in CORRUPT}) == len(CORRUPT)


@pytest.mark.parametrize("path", CORRUPT, ids=[p.stem for p in CORRUPT])
def test_check_rejects_a_corrupted_scenario(path: Path) -> None:
    code, out, err = run("check", str(path))
    assert code == 2, out + err
    assert expected_message(path) in err
    assert str(path) in err
    assert "Traceback" not in out + err and "internal error" not in err
    assert "ok" not in out


JSON_CASES = [
    ("nan", lambda t: t.replace('"weeks": 8', '"weeks": NaN'), "NaN is not a finite number"),
    ("infinity", lambda t: t.replace('"lat": 48.85', '"lat": Infinity'),
     "Infinity is not a finite number"),
    ("duplicate-key", lambda t: t.replace('"weeks": 8', '"weeks": 8, "weeks": 9'),
     "key 'weeks' is written twice in one object"),
    ("trailing-comma", lambda t: t.replace('"weeks": 8', '"weeks": 8,'),
     "cannot read JSON at line 1"),
    ("string-number", lambda t: t.replace('"weeks": 8', '"weeks": "8"'),
     "weeks: must be a whole number, got '8'"),
    ("boolean-version", lambda t: t.replace('"surge": 1', '"surge": true'),
     "surge: must be 1 (the only scenario format version), got true"),
]


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in JSON_CASES],
                         ids=[c[0] for c in JSON_CASES])
def test_check_rejects_corrupted_json(tmp_path: Path, mutate,
                                      expected: str) -> None:  # type: ignore[no-untyped-def]
    raw = json.dumps(json.loads(json.dumps(_minimal_dict())))
    text = mutate(raw)
    assert text != raw
    path = tmp_path / "scenario.json"
    path.write_text(text, encoding="utf-8")
    code, out, err = run("check", str(path))
    assert code == 2 and expected in err, err
    assert "Traceback" not in out + err


def _minimal_dict() -> dict[str, object]:
    from surge.scenario import load

    return load(MINIMAL).dump()


def test_check_missing_file(tmp_path: Path) -> None:
    code, out, err = run("check", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert f"{tmp_path / 'nope.yaml'}: no such file" in err
    assert "Traceback" not in out + err


def test_every_problem_is_printed_at_once(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace("weeks: 8", "weeks: 8.5").replace(
        "lat: 48.85", "lat: 95").replace("ramp_up: [0.5]", "ramp_up: [1.5]")
    path = tmp_path / "three.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run("check", str(path))
    assert code == 2
    assert f"{path}: 3 problems found" in err
    for message in ("weeks: must be a whole number, got 8.5",
                    "sites[0] 'plant'.lat: must be between -90 and 90, got 95",
                    "lines[0] 'plant-l1'.options[0].ramp_up[0]: must be between 0 and 1, got 1.5"):
        assert f"error   {message}" in err


def test_check_valid_scenario_prints_the_summary() -> None:
    code, out, err = run("check", str(MINIMAL))
    assert code == 0, err
    assert err == ""
    assert "one line, one part" in out
    assert "horizon: 8 weeks, week 0 starts 2026-01-05, week 7 starts 2026-02-23" in out
    assert ("2 items, 1 operation, 1 organization, 1 site, 1 line (1 option), "
            "1 supplier (1 offer), 1 demand, 0 stock entries") in out
    row = next(line for line in out.splitlines() if "order-1" in line and "2026-02-23" in line)
    assert row.split("│")[1:-1] == [" order-1 ", " drone ", "    7 ", " 2026-02-23 ", "      200 ",
                                     "   275 ", " possible   "]
    assert "total due: order-1 200 drone at plant" in out
    assert out.rstrip().endswith(f"ok {MINIMAL}: valid scenario")


def test_check_flags_an_impossible_due_date(tmp_path: Path) -> None:
    # by week 3 at most 75 drones can exist (see surge.scenario.summary): 80 is impossible
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "due: [{week: 7, quantity: 200}]",
        "due: [{week: 3, quantity: 80}, {week: 7, quantity: 195}]")
    path = tmp_path / "tight.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("check", str(path))
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("│ order-1")]
    assert [r.split("│")[5:8] for r in rows] == [
        ["       80 ", "    75 ", " impossible "], ["      275 ", "   275 ", " possible   "]]


def test_check_prints_warnings_and_still_succeeds(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "lines:\n",
        "lines:\n  - {id: idle, site: plant, options: [{id: o, capabilities: [painting], "
                    "hours_per_week: 1, lead_time_weeks: 0}]}\n")
    path = tmp_path / "warn.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run("check", str(path))
    assert code == 0
    assert ("warning lines[0] 'idle': no operation can use this line (none of its capabilities "
            "['painting'] is needed by an operation)") in err
    assert f"ok {path}: valid scenario (1 warning)" in out


def test_check_quiet_prints_no_summary() -> None:
    code, out, _ = run("check", "--quiet", str(MINIMAL))
    assert code == 0
    assert out.strip() == f"ok {MINIMAL}: valid scenario"


def test_schema_is_json_with_the_top_level_keys() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == {
        "surge", "name", "start", "weeks", "currency", "items", "operations", "organizations",
        "sites", "lines", "suppliers", "demands", "inventory", "receipts", "transport", "policy",
        "objective",
        "uncertainty"}
    assert set(schema["required"]) == {
        "surge", "name", "start", "weeks", "items", "operations", "organizations", "sites",
        "lines", "suppliers", "demands"}
    assert schema["additionalProperties"] is False
    assert "yield" in schema["$defs"]["Operation"]["properties"]


def test_check_help_is_useful() -> None:
    code, out, _ = run("check", "--help")
    assert code == 0
    assert "upper bound" in out and "Exit code 0 if valid" in out


def test_demands_for_the_same_item_share_the_bound(tmp_path: Path) -> None:
    # 60 + 60 drones by week 3 > 75 possible, though each demand alone would fit
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  - {id: order-1, item: drone, site: plant, due: [{week: 7, quantity: 200}]}",
        "  - {id: order-1, item: drone, site: plant, due: [{week: 3, quantity: 60}]}\n"
        "  - {id: order-2, item: drone, site: plant, due: [{week: 3, quantity: 60}]}")
    path = tmp_path / "shared.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("check", str(path))
    assert code == 0
    rows = [line.split("│")[1:-1] for line in out.splitlines() if line.startswith("│ order-")]
    assert [(r[0].strip(), r[4].strip(), r[5].strip(), r[6].strip()) for r in rows] == [
        ("order-1", "60", "75", "impossible"), ("order-2", "60", "75", "impossible")]
    assert "all demands for the item" in out


def test_check_counts_read_as_english() -> None:
    code, out, _ = run("check", str(MINIMAL))
    assert code == 0
    assert ("2 items, 1 operation, 1 organization, 1 site, 1 line (1 option), 1 supplier "
            "(1 offer), 1 demand, 0 stock entries") in out
