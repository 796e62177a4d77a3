"""Ctrl-C during a solve reaches HiGHS: ``surge plan`` exits 130, says "interrupted" and
leaves the file already at the output path untouched; SIGTERM ends it with 143."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from surge.scenario.generate import generate
from surge.scenario.yaml_writer import write

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(scope="module")
def slow_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 candidate lines: its first stage alone runs for tens of seconds."""
    path = tmp_path_factory.mktemp("slow") / "s300.yaml"
    write(generate(300, 26, 3), path)
    return path


def _plan_then_signal(scenario: Path, out: Path, sig: int) -> tuple[int, str]:
    env = dict(os.environ, PYTHONPATH=str(SRC), NO_COLOR="1")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from surge.cli import main; main()", "plan", str(scenario),
         "-o", str(out), "--time-limit", "600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(12)  # loading and building take a few seconds; the solve much longer
    assert proc.poll() is None, "the solve ended before the signal: use a bigger scenario"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def test_ctrl_c_during_the_solve_exits_130_and_keeps_the_old_file(slow_scenario: Path,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text("the good plan of yesterday\n", encoding="utf-8")
    code, err = _plan_then_signal(slow_scenario, out, signal.SIGINT)
    assert code == 130, err
    assert err.strip().endswith("interrupted")
    assert "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "the good plan of yesterday\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_sigterm_exits_143_and_keeps_the_old_file(slow_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text("old\n", encoding="utf-8")
    code, _ = _plan_then_signal(slow_scenario, out, signal.SIGTERM)
    assert code in (-signal.SIGTERM, 143)  # killed by the signal: a shell shows 143
    assert out.read_text(encoding="utf-8") == "old\n"
