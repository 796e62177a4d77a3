"""Reading scenario files: YAML 1.2, JSON, duplicate keys, non-finite numbers, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surge.errors import InputError, ScenarioError
from surge.scenario import Scenario, load, load_with_problems, read_file
from surge.scenario.load import read_document

ROOT = Path(__file__).resolve().parents[1]
MINIMAL_PATH = ROOT / "examples" / "minimal.yaml"
MINIMAL_TEXT = MINIMAL_PATH.read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_loads_with_the_spec_values() -> None:
    scenario = load(MINIMAL_PATH)
    assert isinstance(scenario, Scenario)
    assert scenario.name == "one line, one part" and scenario.weeks == 8
    assert str(scenario.start) == "2026-01-05"
    option = scenario.lines[0].options[0]
    assert (option.hours_per_week, option.lead_time_weeks, option.ramp_up) == (100, 2, [0.5])
    assert [option.ramp(k) for k in (-1, 0, 1, 5)] == [0.0, 0.5, 1.0, 1.0]
    assert scenario.suppliers[0].offers[0].capacity(3) == 60
    assert scenario.demands[0].total == 200


def test_json_and_yaml_are_equivalent(tmp_path: Path) -> None:
    from_yaml = load(MINIMAL_PATH)
    path = write(tmp_path, "minimal.json", json.dumps(from_yaml.dump()))
    assert load(path) == from_yaml
    assert load(from_yaml.dump()) == from_yaml


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("country: NO\n", {"country": "NO"}),
        ("a: yes\nb: no\nc: on\nd: off\ne: y\n", {"a": "yes", "b": "no", "c": "on", "d": "off",
                                                  "e": "y"}),
        ("a: True\nb: FALSE\n", {"a": "True", "b": "FALSE"}),
        ("a: true\nb: false\n", {"a": True, "b": False}),
        ("%YAML 1.1\n---\ncountry: NO\nb: yes\n", {"country": "NO", "b": "yes"}),
        ("start: 2026-01-05\n", {"start": "2026-01-05"}),
        ("a: 010\nb: 1:30\n", {"a": 10, "b": "1:30"}),  # no 1.1 octal or sexagesimal
        ("a: ~\nb: null\n", {"a": None, "b": None}),
    ],
    ids=["norway", "yes-on-strings", "capitalised-bools-are-strings", "true-false",
         "yaml-1.1-directive",
         "date-string", "no-octal-sexagesimal", "null"],
)
def test_yaml_is_read_as_yaml_1_2(text: str, expected: dict[str, object]) -> None:
    assert read_document(text, "x.yaml") == expected


def test_a_site_in_norway_loads_as_no(tmp_path: Path) -> None:
    path = write(tmp_path, "no.yaml", MINIMAL_TEXT.replace("country: FR, lat", "country: NO, lat"))
    assert load(path).sites[0].country == "NO"


def test_yaml_non_finite_numbers_are_reported_with_their_path(tmp_path: Path) -> None:
    text = MINIMAL_TEXT.replace("hours_per_unit: 2", "hours_per_unit: .nan").replace(
        "lat: 48.85", "lat: .inf")
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "nan.yaml", text))
    assert [str(p) for p in info.value.problems] == [
        "operations[0] 'assemble'.hours_per_unit: must be a finite number, got nan",
        "sites[0] 'plant'.lat: must be a finite number, got inf",
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("dup.yaml", "a: 1\nb:\n  c: 1\n  c: 2\n",
         "dup.yaml: cannot read YAML at line 4, column 3: a key written twice in one mapping (key "
         "'c')"),
        ("dup.json", '{"a": 1, "b": {"c": 1, "c": 2}}',
         "dup.json: key 'c' is written twice in one object"),
        ("nan.json", '{"weeks": NaN}', "nan.json: NaN is not a finite number"),
        ("inf.json", '{"weeks": -Infinity}', "inf.json: -Infinity is not a finite number"),
        ("bad.json", '{"a": 1,}',
         "bad.json: cannot read JSON at line 1, column 9: Expecting property name"),
        ("bad.yaml", "a: [1, 2\n",
         "bad.yaml: cannot read YAML at line 2, column 1: expected ',' or ']'"),
        ("tab.yaml", "a:\n\tb: 1\n",
         "tab.yaml: cannot read YAML at line 2, column 1: found character '\\t'"),
        ("two.yaml", "a: 1\n---\nb: 2\n",
         "two.yaml: cannot read YAML at line 2, column 1: but found another document"),
        ("tag.yaml", "a: !!python/object:os.system x\n",
         "tag.yaml: cannot read YAML at line 1, column 4: "
         "could not determine a constructor"),
        ("int.yaml", "a: !!int x\n", "int.yaml: cannot read YAML: invalid literal for int()"),
        ("empty.yaml", "", "empty.yaml: the file is empty, expected a scenario"),
        ("blank.json", "  \n", "blank.json: the file is empty, expected a scenario"),
        ("comment.yaml", "# nothing yet\n",
         "comment.yaml: the document is empty, expected a scenario"),
    ],
)
def test_unreadable_documents(tmp_path: Path, name: str, text: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        read_file(write(tmp_path, name, text))
    assert str(info.value).startswith(f"{tmp_path / expected}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", "a scenario must be a mapping of keys, got a list"),
        ("just a title\n", "a scenario must be a mapping of keys, got 'just a title'"),
        ("42\n", "a scenario must be a mapping of keys, got 42"),
    ],
)
def test_a_document_that_is_not_a_mapping(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "x.yaml", text)
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert str(info.value) == f"{path}: 1 problem found\n  {expected}"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.yaml: no such file$"):
        load(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory, expected a scenario file$"):
        load(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Besançon\n".encode("latin-1"))
    with pytest.raises(InputError,
                       match=r"latin1\.yaml: not UTF-8 text \(invalid continuation byte at byte "
                             r"11\)"):
        load(path)


def test_dates_with_a_time_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", MINIMAL_TEXT.replace("start: 2026-01-05",
                                                          "start: 2026-01-05 10:00:00"))
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert [str(p) for p in info.value.problems] == [
        "start: must be a date YYYY-MM-DD, got '2026-01-05 10:00:00'"]


def test_load_with_problems_returns_warnings(tmp_path: Path) -> None:
    text = MINIMAL_TEXT.replace("lines:\n", "lines:\n  - {id: idle, site: plant, options: [{id: o, "
                                           "capabilities: [painting], hours_per_week: 1, "
                                           "lead_time_weeks: 0}]}\n")
    scenario, problems = load_with_problems(write(tmp_path, "w.yaml", text))
    assert scenario.by_id("lines").keys() == {"idle", "plant-l1"}
    assert [str(p) for p in problems] == [
        "lines[0] 'idle': no operation can use this line (none of its capabilities ['painting'] "
        "is needed by an operation)"]
