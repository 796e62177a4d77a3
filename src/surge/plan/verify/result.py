"""What the verifier reports: violations, and the collector every check returns."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from surge.plan.model import TOL


@dataclass(frozen=True)
class Violation:
    """One rule broken by a plan: which rule, which objects, which week, by how much.

    ``excess`` is how far the plan is over the limit, in the rule's unit ([units], [h],
    [EUR], ...); 0 for rules that are not amounts (a wrong id, a wrong week).
    """

    rule: str
    objects: tuple[str, ...]
    week: int | None
    message: str
    excess: float = 0.0

    def __str__(self) -> str:
        where = f" week {self.week}" if self.week is not None else ""
        return f"[{self.rule}]{where}: {self.message}"


@dataclass
class Verification:
    """What the verifier found, and ``S`` and ``C`` recomputed from the plan alone.

    ``service`` [unit-weeks], ``cost`` and ``costs`` [currency] are ``None`` for a plan
    that holds no plan (status ``infeasible`` or ``error``). ``checks`` counts the
    inequalities and comparisons evaluated, per rule. ``warnings`` do not make a plan fail.
    """

    ok: bool
    violations: list[Violation]
    warnings: list[Violation] = field(default_factory=list)
    service: float | None = None
    cost: float | None = None
    costs: dict[str, float] | None = None
    service_by_demand: dict[str, float] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)

    @property
    def n_checks(self) -> int:
        return sum(self.checks.values())

    @property
    def rules(self) -> set[str]:
        """The rules broken, e.g. ``{"stock-balance"}``."""
        return {v.rule for v in self.violations}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Found:
    """What one check found: violations, warnings and how many comparisons it made per rule.

    Every check is a function that returns one; :func:`surge.plan.verify.verify` adds them up.
    """

    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    checks: Counter[str] = field(default_factory=Counter)

    def add(self, rule: str, objects: tuple[str, ...], week: int | None, message: str,
            excess: float = 0.0) -> None:
        self.violations.append(Violation(rule, objects, week, message, float(excess)))

    def warn(self, rule: str, objects: tuple[str, ...], message: str) -> None:
        self.warnings.append(Violation(rule, objects, None, message))

    def count(self, rule: str, n: int = 1) -> None:
        self.checks[rule] += n

    def __iadd__(self, other: Found) -> Found:
        self.violations += other.violations
        self.warnings += other.warnings
        self.checks.update(other.checks)
        return self


def slack(rhs: Any, terms: Any) -> Any:
    """How far ``lhs`` may exceed ``rhs``: 1e-6 relative to the size of the terms."""
    return TOL * np.maximum(np.maximum(1.0, np.abs(rhs)), terms)
