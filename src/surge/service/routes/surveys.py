"""Surveys, actuals and replanning: front ends of ``surge.survey`` and ``surge.state``.

Those library packages are built separately; until they are installed these routes check
the role and the programme or plan, then answer 501 with the reason.
"""

from __future__ import annotations

import importlib.util
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, UploadFile, status

from surge.service.auth import require
from surge.service.deps import Id, ScopeDep

router = APIRouter(tags=["surveys and actuals"])


def _missing(package: str, what: str) -> HTTPException:
    return HTTPException(status.HTTP_501_NOT_IMPLEMENTED,
                         detail=f"{what} needs the library package '{package}', which this "
                                "installation does not have yet")


def _need(package: str, what: str) -> None:
    if importlib.util.find_spec(package) is None:
        raise _missing(package, what)
    raise HTTPException(status.HTTP_501_NOT_IMPLEMENTED,
                        detail=f"{what} is not wired to '{package}' in this version of the service")


@router.post("/programmes/{pid}/surveys", status_code=201,
             dependencies=[require("agency", "manufacturer")])
def upload_survey(pid: Id, file: UploadFile, scope: ScopeDep) -> dict[str, Any]:
    """Import a survey workbook (multipart ``file``)."""
    scope.programme(pid)
    _need("surge.survey", "importing a survey workbook")
    return {}


@router.post("/programmes/{pid}/surveys/{survey_id}/merge", status_code=201,
             dependencies=[require("agency")])
def merge_survey(pid: Id, survey_id: Id, scope: ScopeDep) -> dict[str, Any]:
    """Merge an imported workbook into the latest revision."""
    scope.programme(pid)
    _need("surge.survey", "merging a survey")
    return {}


@router.post("/programmes/{pid}/actuals", status_code=201,
             dependencies=[require("agency", "manufacturer")])
def post_actuals(pid: Id, scope: ScopeDep,
                 actuals: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Record an actuals document for a published plan."""
    scope.programme(pid)
    _need("surge.state", "recording actuals")
    return {}


@router.post("/plans/{plan_id}/replan", status_code=202, dependencies=[require("agency")])
def replan(plan_id: Id, scope: ScopeDep, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Replan a published plan from the merged actuals."""
    scope.job(plan_id, "plan")
    _need("surge.state", "replanning")
    return {}
