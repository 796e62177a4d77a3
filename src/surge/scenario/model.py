"""The scenario format, version 1, as pydantic types (see docs/scenario.md).

Field names, defaults and ranges are the spec's, one to one. Rules that tie several
objects together (references, duplicate ids, BOM cycles, list lengths) are checked in
:mod:`surge.scenario.checks`, so that every problem is reported at once.

Examples
--------
>>> from surge.scenario.model import Operation
>>> Operation(id="assemble", produces="drone", capability="assembly", hours_per_unit=2).yield_
1.0
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from surge.scenario.types import (
    Country,
    Date,
    Fraction,
    Id,
    NonNegative,
    Number,
    Positive,
    Text,
    Week,
    WholeNonNegative,
    as_number,
    as_version,
    as_whole,
    ranged,
    show,
)


class Strict(BaseModel):
    """Base of every scenario object: unknown keys are errors, numbers are finite."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, populate_by_name=True, frozen=False
    )


class Item(Strict):
    id: Id
    name: Text | None = None
    weight_kg: Positive = 1.0


class Operation(Strict):
    id: Id
    produces: Id
    consumes: dict[Id, Positive] = Field(default_factory=dict)
    capability: Id
    hours_per_unit: Positive
    yield_: Annotated[float, ranged(as_number, 0, 1, lo_open=True)] = Field(1.0, alias="yield")
    lead_time_weeks: WholeNonNegative = 0

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, populate_by_name=True, serialize_by_alias=True
    )


class Organization(Strict):
    id: Id
    name: Text | None = None
    kind: Text | None = None


class Site(Strict):
    id: Id
    name: Text | None = None
    organization: Id
    country: Country
    lat: Annotated[float, ranged(as_number, -90, 90)]
    lon: Annotated[float, ranged(as_number, -180, 180)]


class Option(Strict):
    id: Id
    capabilities: Annotated[list[Id], Field(min_length=1)]
    hours_per_week: Positive
    lead_time_weeks: WholeNonNegative
    fixed_cost: NonNegative = 0.0
    weekly_cost: NonNegative = 0.0
    cost_per_hour: NonNegative = 0.0
    ramp_up: list[Fraction] = Field(default_factory=list)
    earliest_start_week: Week = 0

    def ramp(self, k: int) -> float:
        """Share of ``hours_per_week`` offered ``k`` weeks after ready [-]."""
        if k < 0:
            return 0.0
        return self.ramp_up[k] if k < len(self.ramp_up) else 1.0


class Line(Strict):
    id: Id
    name: Text | None = None
    site: Id
    options: Annotated[list[Option], Field(min_length=1)]


def _capacity(value: Any) -> float | list[float]:
    """A number >= 0, or a list of them (one per week; its length is checked later)."""
    if isinstance(value, list):
        out = []
        for week, v in enumerate(value):
            try:
                x = as_number(v)
            except ValueError:
                x = -1.0
            if x < 0:
                raise ValueError(f"value for week {week} must be a number >= 0, got {show(v)}")
            out.append(x)
        return out
    x = as_number(value)
    if x < 0:
        raise ValueError(f"must be >= 0 (or a list of `weeks` numbers >= 0), got {show(value)}")
    return x


class Offer(Strict):
    item: Id
    unit_price: NonNegative
    lead_time_weeks: WholeNonNegative
    capacity_per_week: Annotated[float | list[float], BeforeValidator(_capacity)]
    available_from_week: Week = 0

    def capacity(self, week: int) -> float:
        """Units that may be ordered from this offer in ``week`` [units/week]."""
        cap = self.capacity_per_week
        return float(cap[week]) if isinstance(cap, list) else float(cap)


class Supplier(Strict):
    id: Id
    name: Text | None = None
    country: Country
    offers: list[Offer] = Field(default_factory=list)


class Due(Strict):
    week: Week
    quantity: Positive


class Demand(Strict):
    id: Id
    item: Id
    site: Id
    due: Annotated[list[Due], Field(min_length=1)]
    weight: Positive = 1.0
    unmet_weeks: WholeNonNegative | None = None  # default: the scenario's `weeks`

    @property
    def total(self) -> float:
        return sum(d.quantity for d in self.due)


class Stock(Strict):
    site: Id
    item: Id
    quantity: NonNegative


class Transport(Strict):
    lead_time_weeks: WholeNonNegative = 1
    cost_per_kg_km: NonNegative = 0.0


class RestrictedOrigins(Strict):
    countries: list[Country]
    max_share: Fraction


class Policy(Strict):
    budget: Number | None = None
    max_share_per_organization: Annotated[
        float, ranged(as_number, 0, 1, lo_open=True)
    ] | None = None
    restricted_origins: RestrictedOrigins | None = None


class Objective(Strict):
    mode: Literal["service-then-cost", "weighted"] = "service-then-cost"
    late_penalty: NonNegative = 0.0
    mip_gap: Annotated[float, ranged(as_number, 0, 1, hi_open=True)] = 1e-4
    time_limit_s: Positive = 300.0


# --- uncertainty (risk.md) -------------------------------------------------------------

WeekDistribution = dict[int, float]


def _week_distribution(value: Any) -> dict[int, float]:
    """``{weeks: probability}``; JSON keys arrive as strings and are read as whole weeks."""
    if not isinstance(value, dict) or not value:
        raise ValueError("must be a non-empty mapping {weeks: probability}")
    out: dict[int, float] = {}
    for key, p in value.items():
        try:
            k = as_whole(int(key) if isinstance(key,
                                                str) and key.strip().lstrip("-").isdigit() else key)
        except ValueError:
            raise ValueError(f"key {key!r} must be a whole number of weeks") from None
        if k < 0:
            raise ValueError(f"key {k} must be >= 0 weeks")
        try:
            prob = as_number(p)
        except ValueError:
            raise ValueError(f"probability of {k} weeks must be a number, got {p!r}") from None
        if not 0 <= prob <= 1:
            raise ValueError(f"probability of {k} weeks must be between 0 and 1, got {prob}")
        out[k] = out.get(k, 0.0) + prob
    total = sum(out.values())
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"probabilities must sum to 1, got {total:.12g}")
    return dict(sorted(out.items()))


Distribution = Annotated[dict[int, float], BeforeValidator(_week_distribution)]


class Beta(Strict):
    mean: Fraction
    sd: NonNegative = 0.0

    @model_validator(mode="after")
    def _exists(self) -> Beta:
        if self.sd > 0 and self.sd**2 >= self.mean * (1 - self.mean):
            raise ValueError(
                f"no beta distribution has mean {self.mean:g} and sd {self.sd:g}: "
                f"sd must be < sqrt(mean*(1-mean)) = {(self.mean * (1 - self.mean)) ** 0.5:.4g}"
            )
        return self


class Outage(Strict):
    probability_per_week: Fraction
    weeks: Annotated[int, ranged(as_whole, 1)]


class SupplierRisk(Strict):
    delay_weeks: Distribution | None = None
    fill_rate: Beta | None = None
    outage: Outage | None = None


class LineRisk(Strict):
    slip_weeks: Distribution | None = None
    availability: Fraction | None = None


class OperationRisk(Strict):
    yield_sd: NonNegative | None = None


class Uncertainty(Strict):
    suppliers: dict[str, SupplierRisk] = Field(default_factory=dict)
    lines: dict[str, LineRisk] = Field(default_factory=dict)
    operations: dict[str, OperationRisk] = Field(default_factory=dict)

    def supplier(self, sid: str) -> SupplierRisk:
        return self.suppliers.get(sid) or self.suppliers.get("*") or SupplierRisk()

    def line(self, lid: str) -> LineRisk:
        return self.lines.get(lid) or self.lines.get("*") or LineRisk()

    def operation(self, oid: str) -> OperationRisk:
        return self.operations.get(oid) or self.operations.get("*") or OperationRisk()


# --- the scenario ----------------------------------------------------------------------


class Scenario(Strict):
    """One planning question: everything the planner needs (scenario format v1)."""

    surge: Annotated[Literal[1], BeforeValidator(as_version)]
    name: Text
    start: Date
    weeks: Annotated[int, ranged(as_whole, 1, 520)]
    currency: Text = "EUR"
    items: list[Item]
    operations: list[Operation]
    organizations: list[Organization]
    sites: list[Site]
    lines: list[Line]
    suppliers: list[Supplier]
    demands: list[Demand]
    inventory: list[Stock] = Field(default_factory=list)
    transport: Transport = Field(default_factory=Transport)
    policy: Policy = Field(default_factory=Policy)
    objective: Objective = Field(default_factory=Objective)
    uncertainty: Uncertainty | None = None

    @model_validator(mode="after")
    def _apply_defaults(self) -> Scenario:
        for demand in self.demands:
            if demand.unmet_weeks is None:
                demand.unmet_weeks = self.weeks
        return self

    # Convenience look-ups used across the code base (built on demand, cheap).
    def week_date(self, week: int) -> dt.date:
        """First day of ``week``."""
        return self.start + dt.timedelta(weeks=week)

    def by_id(self, kind: str) -> dict[str, Any]:
        """``{id: object}`` for one top-level list, e.g. ``scenario.by_id("lines")``."""
        return {obj.id: obj for obj in getattr(self, kind)}

    def dump(self) -> dict[str, Any]:
        """The scenario as plain data (JSON-ready), defaults applied."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
