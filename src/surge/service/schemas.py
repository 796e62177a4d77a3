"""Request and response bodies of the API (pydantic)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field


def control_characters(text: str) -> list[str]:
    """The control characters of ``text`` other than tab and line ends, as ``U+0000``."""
    return sorted({f"U+{ord(c):04X}" for c in text if ord(c) < 32 and c not in "\t\n\r"})


def _printable(text: str) -> str:
    """Text a person typed: no control characters (PostgreSQL cannot even store NUL)."""
    if bad := control_characters(text):
        raise ValueError(f"must not contain control characters, got {', '.join(bad)}")
    return text


Text = Annotated[str, AfterValidator(_printable)]


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class Me(BaseModel):
    email: str
    role: str
    organization: str | None


class ProgrammeCreate(BaseModel):
    name: Text = Field(min_length=1, max_length=200)


class ProgrammePublic(BaseModel):
    id: int
    name: str


class RevisionCreate(BaseModel):
    scenario: dict[str, Any]
    message: Text = Field("", max_length=10_000)


class RevisionSummary(BaseModel):
    number: int
    message: str
    author: str
    created_at: dt.datetime


class RevisionPublic(RevisionSummary):
    programme: int
    scenario: dict[str, Any]
    warnings: list[dict[str, str]] = Field(default_factory=list)


class PlanCreate(BaseModel):
    revision: int = Field(ge=1, le=2_147_483_647)
    time_limit_s: float | None = Field(None, gt=0, le=86_400)
    mip_gap: float | None = Field(None, ge=0, lt=1)
    set: dict[str, Any] | None = None


class JobQueued(BaseModel):
    id: int
    status: str


class PlanPublic(BaseModel):
    id: int
    programme: int
    revision: int
    status: str
    progress: float
    message: str
    published: bool
    objective: dict[str, Any] | None


class RiskCreate(BaseModel):
    runs: int = Field(ge=1, le=1_000_000)
    seed: int = Field(0, ge=0, le=2**63 - 1)


class RiskPublic(BaseModel):
    id: int
    plan: int
    status: str
    progress: float
    message: str
    risk: dict[str, Any] | None


class AuditPublic(BaseModel):
    at: dt.datetime
    user: str
    action: str
    object: str
    detail: str


class SurveyProblemPublic(BaseModel):
    """One problem of a workbook, by cell (``text`` is the line ``surge survey import`` prints)."""

    workbook: str | None
    sheet: str | None
    cell: str | None
    column: str | None
    message: str
    severity: str
    path: str | None
    text: str


class SurveySummary(BaseModel):
    id: int
    programme: int
    kind: Literal["organization", "supplier"]
    organization: str | None
    supplier: str | None
    filename: str
    revision: int
    warnings: int
    merged_revision: int | None
    author: str
    created_at: dt.datetime


class SurveyPublic(SurveySummary):
    problems: list[SurveyProblemPublic]


class PartyAnswer(BaseModel):
    kind: Literal["organization", "supplier"]
    id: str
    name: str | None
    in_revision: bool
    surveys: list[int]
    last_upload_at: dt.datetime | None
    merged_revision: int | None


class SurveyStatus(BaseModel):
    programme: int
    revision: int
    answered: list[PartyAnswer]
    not_answered: list[PartyAnswer]


class ActualsCreate(BaseModel):
    plan: int = Field(ge=1, le=2_147_483_647, description="the published plan the facts are of")
    actuals: dict[str, Any] = Field(description="an actuals document (surge_actuals: 1)")


class ActualsSummary(BaseModel):
    id: int
    programme: int
    plan: int
    organization: str | None
    through_week: int
    author: str
    created_at: dt.datetime


class ActualsPublic(ActualsSummary):
    actuals: dict[str, Any]


JobId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class ReplanCreate(BaseModel):
    actuals: Annotated[list[JobId], Field(min_length=1, max_length=1000)] | dict[str, Any] = Field(
        description="ids of recorded actuals documents of the plan (merged into one), or an "
                    "actuals document")
    freeze: int = Field(0, ge=0, le=520, description="weeks W..W+F-1 of the plan kept as firm")
    time_limit_s: float | None = Field(None, gt=0, le=86_400)
    mip_gap: float | None = Field(None, ge=0, lt=1)


class ReplanQueued(JobQueued):
    revision: int
    through_week: int
    service_incurred: float
    spent: dict[str, float]
    corrections: list[dict[str, Any]]
    frozen_purchases: int
    frozen_activations: int
