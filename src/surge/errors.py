"""One exception family for everything Surge reports to a person.

The CLI turns a :class:`SurgeError` into a message on stderr and an exit code;
nothing else should ever reach the user as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class SurgeError(Exception):
    """Base class of every error Surge raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One finding about an input file: where, what, and how bad.

    ``path`` reads like ``lines[3] 'douai-l2'.options[0].ramp_up[2]`` and ``message``
    like ``must be between 0 and 1, got 1.5``.
    """

    path: str
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(SurgeError):
    """Bad input (a file that cannot be read, or that breaks the format's rules)."""

    exit_code = 2

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = list(problems or [])
        self.headline = message
        lines = [message] + [f"  {p}" for p in self.problems if p.severity == "error"]
        super().__init__("\n".join(lines))


class ScenarioError(InputError):
    """A scenario that breaks one or more rules of the scenario format."""


class PlanFileError(InputError):
    """A plan file that cannot be read as a plan (format v1)."""


class SolverError(SurgeError):
    """The solver failed for a reason that is not the scenario's fault."""

    exit_code = 1
