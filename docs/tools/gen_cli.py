"""Regenerate docs/cli.md from the commands' own --help (run: python docs/tools/gen_cli.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from typer.testing import CliRunner

from surge.cli import _register, app

COMMANDS = ["check", "plan", "verify", "risk", "explain", "compare", "report", "generate", "schema"]

HEAD = """# Command line

Every command prints a clear message on stderr and exits non-zero on bad input; none ever
prints a traceback (set `SURGE_DEBUG=1` to see one for an internal error).

| exit code | meaning |
|---|---|
| 0 | success (for `surge plan`: a plan, optimal or feasible) |
| 1 | anything else: internal error, solver error, `surge verify` found violations |
| 2 | bad input: unreadable file, a scenario or plan that breaks its format's rules, bad option |
| 3 | `surge plan`: the scenario is infeasible (the plan file is still written, with the reason) |

Progress of anything slow (solving, Monte Carlo) is shown on stderr; results go to stdout
and to the files named with `-o`.

"""


def main() -> None:
    os.environ["COLUMNS"] = "100"
    os.environ["TERM"] = "dumb"
    _register()
    runner = CliRunner()
    parts = [HEAD]
    for name in COMMANDS:
        result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"})
        text = re.sub(r"[ \t]+$", "", result.output, flags=re.M).strip("\n")
        parts.append(f"## surge {name}\n\n```\n{text}\n```\n")
    Path(__file__).resolve().parents[1].joinpath("cli.md").write_text("\n".join(parts))


if __name__ == "__main__":
    main()
