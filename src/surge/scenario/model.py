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
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from surge.scenario.ranges import CHECKED_ELSEWHERE, DEFAULT_LIMIT, LIMITS, MAX_WEEKS
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


def _range_policy_in_schema(schema: dict[str, Any]) -> None:
    """Write the range policy's maxima (:data:`surge.scenario.ranges.LIMITS`, else
    :data:`~surge.scenario.ranges.DEFAULT_LIMIT`) into the JSON Schema of an object, so an
    editor shows the limits the checks enforce; they are stated in ranges.py only."""
    for name, prop in schema.get("properties", {}).items():
        if name not in CHECKED_ELSEWHERE:
            _add_maximum(prop, LIMITS.get(name, (DEFAULT_LIMIT, ""))[0])


def _add_maximum(node: dict[str, Any], limit: float) -> None:
    if (node.get("type") in ("number", "integer")
            and "maximum" not in node and "exclusiveMaximum" not in node):
        node["maximum"] = int(limit) if float(limit).is_integer() else limit
    for sub in node.get("anyOf", []):
        _add_maximum(sub, limit)
    if isinstance(node.get("items"), dict):
        _add_maximum(node["items"], limit)


class Strict(BaseModel):
    """Base of every scenario object: unknown keys are errors, numbers are finite."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, populate_by_name=True, frozen=False,
        json_schema_extra=_range_policy_in_schema,
    )


class Item(Strict):
    """A thing that is bought, made, stocked or delivered."""

    id: Id = Field(description="Unique id of the item.")
    name: Text | None = Field(default=None, description="Name for a person.")
    weight_kg: Positive = Field(
        default=1.0,
        description="Weight of one unit, for transport cost [kg/unit].",
    )


class Operation(Strict):
    """A way to make one item on a line with a capability (one step of the bill of materials)."""

    id: Id = Field(description="Unique id of the operation.")
    produces: Id = Field(description="Item made (one good unit per yield).")
    consumes: dict[Id, Positive] = Field(
        default_factory=dict,
        description="Units of each input item used per unit started [units/unit].",
    )
    capability: Id = Field(description="Capability a line option needs to run this operation.")
    hours_per_unit: Positive = Field(description="Line hours per unit started [h/unit].")
    yield_: Annotated[float, ranged(as_number, 0, 1, lo_open=True)] = Field(
        default=1.0, alias="yield",
        description="Share of started units that come out good [-], in (0, 1].",
    )
    lead_time_weeks: WholeNonNegative = Field(
        default=0,
        description="Weeks from running to output available (curing, testing) [weeks].",
    )

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, populate_by_name=True, serialize_by_alias=True
    )


class Organization(Strict):
    """A company or agency that owns sites."""

    id: Id = Field(description="Unique id of the organization.")
    name: Text | None = Field(default=None, description="Name for a person.")
    kind: Text | None = Field(
        default=None,
        description="Kind of industry, free text (automotive, chemicals, ...).",
    )


class Site(Strict):
    """A place: a plant with lines or a depot that receives deliveries."""

    id: Id = Field(description="Unique id of the site.")
    name: Text | None = Field(default=None, description="Name for a person.")
    organization: Id = Field(description="Id of the organization that owns the site.")
    country: Country = Field(description="ISO 3166 alpha-2 country code.")
    lat: Annotated[float, ranged(as_number, -90, 90)] = Field(
        description="Latitude [deg], for transport distances.",
    )
    lon: Annotated[float, ranged(as_number, -180, 180)] = Field(
        description="Longitude [deg], for transport distances.",
    )


class Option(Strict):
    """One way to convert a line: the capabilities it gains, its hours, lead time and costs."""

    id: Id = Field(description="Id of the option, unique within its line.")
    capabilities: Annotated[list[Id], Field(min_length=1)] = Field(
        description="Capabilities the converted line can run.",
    )
    hours_per_week: Positive = Field(
        description="Hours the line offers each week once ramped up [h/week].",
    )
    lead_time_weeks: WholeNonNegative = Field(
        description="Weeks from start to ready (re-tooling, training) [weeks].",
    )
    fixed_cost: NonNegative = Field(
        default=0.0,
        description="Paid once when the option is activated [currency].",
    )
    weekly_cost: NonNegative = Field(
        default=0.0,
        description="Paid every week from ready to the horizon's end [currency/week].",
    )
    cost_per_hour: NonNegative = Field(
        default=0.0,
        description="Paid per hour actually used [currency/h].",
    )
    ramp_up: list[Fraction] = Field(
        default_factory=list,
        description=("Share of hours_per_week offered in the first weeks after ready [-], "
                     "each in [0, 1]; full hours after."),
    )
    earliest_start_week: Week = Field(
        default=0,
        description="First week the option may be activated [week].",
    )

    def ramp(self, k: int) -> float:
        """Share of ``hours_per_week`` offered ``k`` weeks after ready [-]."""
        if k < 0:
            return 0.0
        return self.ramp_up[k] if k < len(self.ramp_up) else 1.0


class Committed(Strict):
    """A conversion already under way (state.md): its option and ready week, fixed."""

    option: Id = Field(description="Id of the option the line is converted with.")
    ready_week: Annotated[int, ranged(as_whole)] = Field(
        description="Week the line is ready [week]; negative: already that far up its ramp.",
    )


class Line(Strict):
    """A civilian production line that may be converted with one of its options."""

    id: Id = Field(description="Unique id of the line.")
    name: Text | None = Field(default=None, description="Name for a person.")
    site: Id = Field(description="Id of the site the line is at.")
    options: Annotated[list[Option], Field(min_length=1)] = Field(
        description="Ways to convert the line; at most one is chosen.",
    )
    committed: Committed | None = Field(
        default=None,
        description="Already converted (a rolled scenario): its option and ready week, fixed.",
    )

    def committed_option(self) -> Option | None:
        """The committed option, if the line is committed (and the option exists)."""
        if self.committed is None:
            return None
        return next((o for o in self.options if o.id == self.committed.option), None)


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
    """What one supplier sells of one item: price, lead time and weekly capacity."""

    item: Id = Field(description="Id of the item offered.")
    unit_price: NonNegative = Field(
        description="Price per unit, delivery included [currency/unit].",
    )
    lead_time_weeks: WholeNonNegative = Field(description="Weeks from order to arrival [weeks].")
    capacity_per_week: Annotated[float | list[float], BeforeValidator(_capacity)] = Field(
        description=("Units that may be ordered each week [units/week]: one number, or one "
                     "per week of the horizon."),
    )
    available_from_week: Week = Field(
        default=0, description="First week an order may be placed [week].")

    def capacity(self, week: int) -> float:
        """Units that may be ordered from this offer in ``week`` [units/week]."""
        cap = self.capacity_per_week
        return float(cap[week]) if isinstance(cap, list) else float(cap)


class Supplier(Strict):
    """A company that sells purchased items."""

    id: Id = Field(description="Unique id of the supplier.")
    name: Text | None = Field(default=None, description="Name for a person.")
    country: Country = Field(description="ISO 3166 alpha-2 country code (for restricted origins).")
    offers: list[Offer] = Field(
        default_factory=list,
        description="Items the supplier sells, at most one offer per item.",
    )


class Due(Strict):
    """One due date of a demand: a quantity due by the end of a week."""

    week: Week = Field(description="Week by whose end the quantity is due [week].")
    quantity: Positive = Field(description="Units due [units].")


class Demand(Strict):
    """An order: units of one item due at one site by given weeks."""

    id: Id = Field(description="Unique id of the demand.")
    item: Id = Field(description="Id of the item ordered.")
    site: Id = Field(description="Id of the site the units are delivered to.")
    due: Annotated[list[Due], Field(min_length=1)] = Field(
        description="Due dates, each a week and a quantity.",
    )
    weight: Positive = Field(
        default=1.0,
        description="Importance in the service measure S: weight of each late unit-week [-].",
    )
    unmet_weeks: WholeNonNegative | None = Field(
        default=None,
        description=("Extra unit-weeks charged for each unit still missing at the end "
                     "[weeks]; default: the scenario's `weeks`."),
    )

    @property
    def total(self) -> float:
        return sum(d.quantity for d in self.due)


class Stock(Strict):
    """Units of an item at hand at a site at the start."""

    site: Id = Field(description="Id of the site.")
    item: Id = Field(description="Id of the item.")
    quantity: NonNegative = Field(description="Units at hand in week 0 [units].")


class Receipt(Strict):
    """Units arriving at ``site`` in ``week`` whatever the plan does (state.md)."""

    site: Id = Field(description="Id of the site the units arrive at.")
    item: Id = Field(description="Id of the item.")
    week: Week = Field(description="Week of arrival [week].")
    quantity: Positive = Field(description="Units arriving [units].")


class Transport(Strict):
    """Shipments between sites: one lead time and a cost per kg and km."""

    lead_time_weeks: WholeNonNegative = Field(
        default=1,
        description="Weeks a shipment is on the road [weeks].",
    )
    cost_per_kg_km: NonNegative = Field(
        default=0.0,
        description="Cost of moving one kg over one km [currency/(kg km)].",
    )


class RestrictedOrigins(Strict):
    """A cap on the share of each bought item that may come from some countries."""

    countries: list[Country] = Field(
        description="ISO 3166 alpha-2 codes of the restricted countries.",
    )
    max_share: Fraction = Field(
        description="Largest share of each bought item from these countries [-], in [0, 1].",
    )


class Policy(Strict):
    """Rules every plan must follow."""

    budget: Number | None = Field(
        default=None,
        description="Largest total cost C [currency]; none: no budget.",
    )
    max_share_per_organization: Annotated[
        float, ranged(as_number, 0, 1, lo_open=True)
    ] | None = Field(
        default=None,
        description=("Largest share of each demanded item one organization may make [-], "
                     "in (0, 1]."),
    )
    restricted_origins: RestrictedOrigins | None = Field(
        default=None,
        description="Cap on purchases from some countries.",
    )


class Objective(Strict):
    """What the planner minimises and how long it may search."""

    mode: Literal["service-then-cost", "weighted"] = Field(
        default="service-then-cost",
        description=("service-then-cost: least lateness S, then least cost C at that S; "
                     "weighted: C + late_penalty x S."),
    )
    late_penalty: NonNegative = Field(
        default=0.0,
        description="Cost of one unit-week of lateness in weighted mode [currency/unit-week].",
    )
    mip_gap: Annotated[float, ranged(as_number, 0, 1, hi_open=True)] = Field(
        default=1e-4,
        description="Relative gap at which a stage is proven optimal [-], in [0, 1).",
    )
    time_limit_s: Positive = Field(300.0, description="Bound on the whole solve [s].")


# --- uncertainty (risk.md) -------------------------------------------------------------


def _week_distribution(value: Any) -> dict[int, float]:
    """``{weeks: probability}``; JSON keys arrive as strings and are read as whole weeks."""
    if not isinstance(value, dict) or not value:
        raise ValueError("must be a non-empty mapping {weeks: probability}")
    out: dict[int, float] = {}
    for key, p in value.items():
        try:
            digits = isinstance(key, str) and re.fullmatch(r"-?[0-9]+", key)
            k = as_whole(int(key) if digits else key)
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
    """A beta distribution given by its mean and standard deviation."""

    mean: Fraction = Field(description="Mean [-], in [0, 1].")
    sd: NonNegative = Field(default=0.0, description="Standard deviation [-]; 0: always the mean.")

    @model_validator(mode="after")
    def _exists(self) -> Beta:
        if self.sd > 0 and self.sd**2 >= self.mean * (1 - self.mean):
            raise ValueError(
                f"no beta distribution has mean {self.mean:g} and sd {self.sd:g}: "
                f"sd must be < sqrt(mean*(1-mean)) = {(self.mean * (1 - self.mean)) ** 0.5:.4g}"
            )
        return self


class Outage(Strict):
    """A supplier outage: it starts in a week with some probability and lasts some weeks."""

    probability_per_week: Fraction = Field(
        description="Probability that an outage starts in a given week [-].",
    )
    weeks: Annotated[int, ranged(as_whole, 1)] = Field(description="Weeks an outage lasts [weeks].")


class SupplierRisk(Strict):
    """What can go wrong with a supplier's orders."""

    delay_weeks: Distribution | None = Field(
        default=None,
        description=("Distribution of extra weeks on the lead time of each order "
                     "{weeks: probability}."),
    )
    fill_rate: Beta | None = Field(
        default=None,
        description="Share of each order delivered [-], a beta distribution.",
    )
    outage: Outage | None = Field(default=None, description="Weeks in which no order is delivered.")


class LineRisk(Strict):
    """What can go wrong with a converted line."""

    slip_weeks: Distribution | None = Field(
        default=None,
        description="Distribution of extra weeks before the line is ready {weeks: probability}.",
    )
    availability: Fraction | None = Field(
        default=None,
        description="Probability that the line works in a given week [-].",
    )


class OperationRisk(Strict):
    """How an operation's yield varies."""

    yield_sd: NonNegative | None = Field(
        default=None,
        description="Standard deviation of the yield around its value [-].",
    )


class Uncertainty(Strict):
    """Disruptions for surge risk, by supplier, line and operation id ('*' for all others)."""

    suppliers: dict[str, SupplierRisk] = Field(
        default_factory=dict,
        description="Supplier risks by supplier id, '*' for every other supplier.",
    )
    lines: dict[str, LineRisk] = Field(
        default_factory=dict,
        description="Line risks by line id, '*' for every other line.",
    )
    operations: dict[str, OperationRisk] = Field(
        default_factory=dict,
        description="Yield spread by operation id, '*' for every other operation.",
    )

    def supplier(self, sid: str) -> SupplierRisk:
        return self.suppliers.get(sid) or self.suppliers.get("*") or SupplierRisk()

    def line(self, lid: str) -> LineRisk:
        return self.lines.get(lid) or self.lines.get("*") or LineRisk()

    def operation(self, oid: str) -> OperationRisk:
        return self.operations.get(oid) or self.operations.get("*") or OperationRisk()


# --- the scenario ----------------------------------------------------------------------


class Scenario(Strict):
    """One planning question: everything the planner needs (scenario format v1)."""

    surge: Annotated[Literal[1], BeforeValidator(as_version)] = Field(
        description="Scenario format version: 1.",
    )
    name: Text = Field(description="Name of the scenario.")
    start: Date = Field(description="First day of week 0 (YYYY-MM-DD).")
    weeks: Annotated[int, ranged(as_whole, 1, MAX_WEEKS)] = Field(
        description=f"Horizon [weeks], 1 to {MAX_WEEKS}.",
    )
    currency: Text = Field("EUR", description="Unit of every cost (a label; nothing is converted).")
    items: list[Item] = Field(description="Items bought, made, stocked or delivered.")
    operations: list[Operation] = Field(description="Operations that make items.")
    organizations: list[Organization] = Field(description="Organizations that own sites.")
    sites: list[Site] = Field(description="Plants and depots.")
    lines: list[Line] = Field(description="Candidate lines for conversion.")
    suppliers: list[Supplier] = Field(description="Suppliers of purchased items.")
    demands: list[Demand] = Field(description="Orders to meet.")
    inventory: list[Stock] = Field(default_factory=list, description="Stock at hand at the start.")
    receipts: list[Receipt] = Field(
        default_factory=list,
        description="Units arriving whatever the plan does (orders and work already under way).",
    )
    transport: Transport = Field(default_factory=Transport, description="Shipments between sites.")
    policy: Policy = Field(
        default_factory=Policy,
        description="Budget, organization share and restricted origins: rules every plan follows.",
    )
    objective: Objective = Field(
        default_factory=Objective,
        description="What is minimised, and the solver's limits.",
    )
    uncertainty: Uncertainty | None = Field(
        default=None,
        description="Disruptions for surge risk; none: the plan is certain.",
    )

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
