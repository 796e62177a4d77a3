"""The risk file, format v1 (docs/risk.md), as a pydantic model: written by
:func:`surge.risk.simulate`, read back by ``surge report --risk``.

Extra keys are welcome (as the format says); every key the format names is required and
range-checked, so a malformed file is refused with the path of the bad value.

>>> doc = {"surge_risk": 1, "scenario": "s", "runs": 10, "seed": 7, "expected_service": 0.0,
...        "service_stderr": 0.0, "p_all_met": 1.5, "due_dates": [], "deliveries": [],
...        "completion": [], "criticality": []}
>>> read_risk(doc, "risk.json")
Traceback (most recent call last):
...
surge.errors.InputError: risk.json: not a valid risk file (format v1)
  p_all_met: must be between 0 and 1, got 1.5
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from surge.errors import InputError
from surge.scenario.types import Fraction, NonNegative, Number, Text, Week, as_whole, ranged
from surge.validation import pydantic_problems

AtLeastOne = Annotated[int, ranged(as_whole, 1)]
Whole = Annotated[int, ranged(as_whole, 0)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="allow")


class DueDate(_Row):
    """P(the cumulative due quantity of a demand is delivered by its due week)."""

    demand: Text
    week: Week
    cumulative_due: NonNegative = Field(description="Units due up to this week [units].")
    p_on_time: Fraction = Field(description="Probability of meeting this due date [-].")


class Deliveries(_Row):
    """P10, P50, P90 of a demand's cumulative deliveries by the end of a week [units]."""

    demand: Text
    week: Week
    p10: NonNegative
    p50: NonNegative
    p90: NonNegative


class Completion(_Row):
    """Probability that a demand is complete in ``week`` (``None``: not within the horizon)."""

    demand: Text
    week: Week | None
    probability: Fraction


class Criticality(_Row):
    """Drop of expected S [unit-weeks] when one source is made perfectly reliable."""

    kind: Literal["supplier", "line"]
    id: Text
    drop: Number
    stderr: NonNegative
    worse_when_perfect: bool = Field(
        default=False, description="The drop is negative beyond 3 standard errors.")


class RiskFile(BaseModel):
    """One risk document (docs/risk.md), in the order its keys are written."""

    model_config = ConfigDict(extra="allow")

    surge_risk: Literal[1]
    scenario: Text
    runs: AtLeastOne
    seed: Whole
    chunk_size: AtLeastOne | None = None
    criticality_runs: Whole | None = None
    weeks: AtLeastOne | None = None
    expected_service: NonNegative = Field(description="Expected S [unit-weeks].")
    service_stderr: NonNegative = Field(description="Standard error of expected S.")
    p_all_met: Fraction = Field(description="P(all due dates met) [-].")
    uncertainty: bool | None = Field(
        default=None, description="False when no distribution touches the plan.")
    due_dates: list[DueDate]
    deliveries: list[Deliveries]
    completion: list[Completion]
    criticality: list[Criticality]

    def document(self) -> dict[str, Any]:
        """As plain data, keys in the format's order (what ``surge risk`` writes)."""
        return self.model_dump()


def read_risk(data: Any, label: str = "risk file") -> RiskFile:
    """Check parsed JSON against the risk format; an :class:`InputError` names each bad value."""
    if not isinstance(data, dict) or data.get("surge_risk") != 1:
        got = data.get("surge_risk") if isinstance(data, dict) else type(data).__name__
        raise InputError(f"{label}: not a risk file (format v1): expected \"surge_risk\": 1, "
                         f"got {got!r}")
    try:
        return RiskFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{label}: not a valid risk file (format v1)",
                         pydantic_problems(exc, data)) from None
