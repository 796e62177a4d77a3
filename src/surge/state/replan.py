"""Replanning: roll, plan the rolled scenario, verify, and measure the change (state.md).

The change of a new plan (of the scenario rolled to week ``W``) against the old one (of
the original scenario) is measured in the original's weeks: activations added, dropped or
moved (ready week), and *nervousness*, the summed absolute change of purchase and
production quantities over weeks ``W .. W+F-1``: units ordered per supplier, item and order
week (whichever site they go to: what the supplier sees), and units made per operation,
line and week. ``--stability`` penalises exactly these quantities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from surge.errors import InputError
from surge.plan.model import Plan
from surge.scenario.model import Scenario
from surge.state.actuals import EPS, Actuals
from surge.state.roll import RollResult, roll

if TYPE_CHECKING:  # the verifier (pandas) loads only when a plan is checked
    from surge.plan.verify import Verification


@dataclass
class Move:
    """A line whose conversion the new plan adds, drops or moves."""

    line: str
    change: str  # "added" | "dropped" | "moved"
    old_ready: int | None  # original weeks
    new_ready: int | None
    old_option: str | None = None
    new_option: str | None = None

    def __str__(self) -> str:
        if self.change == "added":
            return f"{self.line}: conversion added ({self.new_option}, ready week {self.new_ready})"
        if self.change == "dropped":
            return f"{self.line}: conversion dropped (was {self.old_option}, ready week " \
                   f"{self.old_ready})"
        assert self.old_ready is not None and self.new_ready is not None
        late = self.new_ready - self.old_ready
        what = f"{abs(late)} week{'s' if abs(late) != 1 else ''} " + \
            ("later" if late > 0 else "earlier")
        if self.old_option != self.new_option:
            what = f"option {self.old_option} -> {self.new_option}, " + what
        return f"{self.line}: ready week {self.old_ready} -> {self.new_ready} ({what})"


@dataclass
class Changes:
    """How much a replan departs from the old plan."""

    through_week: int
    window: int  # F [weeks]
    moves: list[Move] = field(default_factory=list)
    purchase_change: float = 0.0    # sum |new - old| over the window [units]
    production_change: float = 0.0  # [units]

    @property
    def nervousness(self) -> float:
        """Summed absolute change of purchases and production over the window [units]."""
        return self.purchase_change + self.production_change

    def to_dict(self) -> dict[str, Any]:
        return {"through_week": self.through_week, "window_weeks": self.window,
                "activations": [m.__dict__ for m in self.moves],
                "purchase_change": self.purchase_change,
                "production_change": self.production_change,
                "nervousness": self.nervousness}


def plan_changes(old: Plan, new: Plan, through_week: int, window: int = 4,
                 freeze: int = 0) -> Changes:
    """Compare ``new`` (a plan of the scenario rolled to ``through_week``) with ``old``.

    With ``freeze = F``, the old plan's orders of weeks ``W .. W+F-1`` were made firm by
    the roll (receipts of the rolled scenario, not purchases of ``new``): they count as
    orders of the new plan, unchanged.
    """
    W = through_week
    out = Changes(W, window)
    before = {a.line: a for a in old.activations}
    after = {a.line: a for a in new.activations}
    for line in sorted(set(before) | set(after)):
        a, b = before.get(line), after.get(line)
        if a is None and b is not None:
            out.moves.append(Move(line, "added", None, b.ready_week + W, None, b.option))
        elif b is None and a is not None:
            out.moves.append(Move(line, "dropped", a.ready_week, None, a.option, None))
        elif a is not None and b is not None and (
                a.ready_week != b.ready_week + W or a.option != b.option):
            out.moves.append(Move(line, "moved", a.ready_week, b.ready_week + W, a.option,
                                  b.option))
    weeks = range(W, W + window)
    firm = [((p.supplier, p.item), p.week, p.quantity) for p in old.purchases
            if W <= p.week < W + freeze]
    out.purchase_change = _change(
        [((p.supplier, p.item), p.week, p.quantity) for p in old.purchases],
        [((p.supplier, p.item), p.week + W, p.quantity) for p in new.purchases] + firm,
        weeks)
    out.production_change = _change(
        [((p.operation, p.line), p.week, p.quantity) for p in old.production],
        [((p.operation, p.line), p.week + W, p.quantity) for p in new.production], weeks)
    return out


def _change(old: list[tuple[Any, int, float]], new: list[tuple[Any, int, float]],
            weeks: range) -> float:
    diff: dict[tuple[Any, int], float] = defaultdict(float)
    for key, week, q in old:
        if week in weeks:
            diff[(key, week)] -= q
    for key, week, q in new:
        if week in weeks:
            diff[(key, week)] += q
    return float(sum(abs(x) for x in diff.values() if abs(x) > EPS))


@dataclass
class ReplanResult:
    """A replan: the roll, the new plan, its verification and its change from the old."""

    rolled: RollResult
    plan: Plan
    verification: Verification
    changes: Changes


def replan(scenario: Scenario, plan: Plan, actuals: Actuals, freeze: int = 0,
           window: int | None = None, stability: float = 0.0,
           **solve_options: Any) -> ReplanResult:
    """Roll ``scenario`` with ``actuals`` (freezing ``freeze`` weeks of ``plan``), plan the
    rolled scenario with :func:`surge.solve` and verify the new plan.

    ``window`` is the nervousness window (default ``freeze``, or 4 weeks without a freeze).
    ``stability`` > 0 keeps the new plan close to ``plan`` over that window: after ``S``
    is minimal, ``C + stability * change`` is minimised (:mod:`surge.optimize.stability`;
    ``stability`` in currency per unit changed).
    """
    if stability < 0:
        raise InputError(f"--stability must be >= 0 (currency per unit changed), "
                         f"got {stability:g}")
    W, F = actuals.through_week, window or freeze or 4
    rolled = roll(scenario, actuals, plan, freeze)
    from surge.optimize import solve  # linopy loads only when a plan is made
    from surge.optimize.stability import reference_from_plan
    from surge.plan.verify import verify

    ref = reference_from_plan(plan, W, F, stability, freeze) if stability > 0 else None
    new = solve(rolled.scenario, stability=ref, **solve_options)
    check = verify(rolled.scenario, new)
    changes = plan_changes(plan, new, W, F, freeze)
    return ReplanResult(rolled, new, check, changes)


def projected_completion(risk: dict[str, Any], offset: int = 0) -> dict[str, int | None]:
    """Median completion week of each demand from a risk file, shifted by ``offset``.

    ``risk`` is the document of :func:`surge.risk.simulate` on a rolled scenario; pass
    ``offset = W`` for weeks of the original programme. ``None``: in half the runs or
    more the demand is not complete within the horizon.
    """
    cum: dict[str, float] = defaultdict(float)
    out: dict[str, int | None] = {}
    for row in risk["completion"]:
        did = row["demand"]
        out.setdefault(did, None)
        if row["week"] is None or out[did] is not None:
            continue
        cum[did] += row["probability"]
        if cum[did] >= 0.5:
            out[did] = row["week"] + offset
    return out
