"""The fast YAML reader (libyaml) gives exactly the pure reader's document, or steps aside."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from surge.scenario import fastyaml
from surge.scenario.load import read_document, yaml12

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted([*ROOT.glob("examples/*.yaml"), *ROOT.glob("tests/data/**/*.yaml")])

pytestmark = pytest.mark.skipif(not fastyaml.AVAILABLE, reason="libyaml not installed")


def _pure(text: str) -> object:
    return yaml12().load(io.StringIO(text))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_fast_reader_agrees_with_the_pure_one(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        fast = fastyaml.load_fast(text)
    except (fastyaml.FastYamlError, ValueError):
        return  # the pure reader reads it (and reports its errors)
    assert fast == _pure(text)


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",                                       # a duplicate key
    "b: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n",                 # hidden behind a merge key
    "a: !!python/object:os.system ls\n",                  # an explicit tag
    "a: [1, 2\n",                                         # a syntax error
])
def test_the_fast_reader_steps_aside_for_what_it_refuses(text: str) -> None:
    with pytest.raises(fastyaml.FastYamlError):
        fastyaml.load_fast(text)


def test_yaml_1_2_scalars() -> None:
    doc = read_document("a: NO\nb: yes\nc: 0o17\nd: 1_000\ne: 2026-01-05\nf: ~\ng: true\n"
                        "h: 1e3\n", "x.yaml")
    assert doc == {"a": "NO", "b": "yes", "c": 15, "d": 1000, "e": "2026-01-05", "f": None,
                   "g": True, "h": 1000.0}
