"""Request and response bodies of the API (pydantic)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class Me(BaseModel):
    email: str
    role: str
    organization: str | None


class ProgrammeCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class ProgrammePublic(BaseModel):
    id: int
    name: str


class RevisionCreate(BaseModel):
    scenario: dict[str, Any]
    message: str = Field("", max_length=10_000)


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
