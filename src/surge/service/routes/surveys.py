"""Capacity survey workbooks over the API: front end of :mod:`surge.survey`.

A manufacturer uploads its own organisation's workbook (another organisation's or a
supplier's answers 403); the workbook is read and checked against the part of the latest
revision the uploader may see, and every problem comes back by cell (422 on any error, and
nothing is stored). The agency merges a stored workbook into the latest revision, checked
as a whole against the full scenario: a new revision. Actuals and replanning live in
:mod:`surge.service.routes.actuals` (included here).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, UploadFile, status
from fastapi.responses import JSONResponse, Response

from surge.errors import SurgeError
from surge.scenario import validate
from surge.scenario.model import Scenario
from surge.scenario.types import ID_PATTERN
from surge.service.auth import CurrentUser, require
from surge.service.db.models import Revision, SurveyUpload
from surge.service.deps import Id, ScopeDep, audit
from surge.service.routes import actuals
from surge.service.routes.programmes import add_revision, revision_public
from surge.service.schemas import (
    PartyAnswer,
    RevisionPublic,
    SurveyProblemPublic,
    SurveyPublic,
    SurveyStatus,
    SurveySummary,
)
from surge.service.scope import Scope
from surge.survey import SurveyProblem, merge, read_workbook
from surge.survey.read import Submission
from surge.survey.template import make_template

router = APIRouter(tags=["surveys and actuals"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID = ID_PATTERN.pattern
PROBLEMS = {"description": "the workbook has problems: `problems` lists every one by cell"}


def problem_public(p: SurveyProblem) -> dict[str, Any]:
    """A survey problem as JSON, with the line ``surge survey import`` prints as ``text``."""
    return dataclasses.asdict(p) | {"text": str(p)}


def _filename(name: str | None) -> str:
    base = PurePosixPath((name or "").replace("\\", "/")).name.strip()
    return base[:200] or "workbook.xlsx"


def _base_scenario(scope: Scope, rev: Revision) -> tuple[Scenario, set[tuple[str, str]]]:
    """The scenario a workbook is checked against (for a manufacturer, the part of the
    revision it may see) and the problems that scenario already has (not the workbook's)."""
    doc = scope.scenario(rev)
    sc, found = validate(doc)
    if sc is None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"revision {rev.number} of programme {rev.programme_id} "
                                   "cannot be checked against: its own part does not load")
    return sc, {(p.path, p.message) for p in found}


def check_workbook(scope: Scope, rev: Revision, name: str, data: bytes
                   ) -> tuple[Submission | None, Scenario | None, list[SurveyProblem]]:
    """Read a workbook and merge it into ``rev``: the submission, the merged scenario
    (``None`` on any error) and every problem the workbook causes."""
    try:
        sub, problems = read_workbook(name, data)
    except Exception as exc:  # noqa: BLE001 - a damaged file is the sender's problem, not a 500
        return None, None, [SurveyProblem(name, None, None, None,
                                          f"cannot read the workbook ({type(exc).__name__})")]
    org = scope.organization
    if org is not None and sub is not None and sub.id is not None and (
            sub.kind != "organization" or sub.id != org):
        whose = "a supplier's" if sub.kind == "supplier" else "another organization's"
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"{name}: this is {whose} workbook; a manufacturer of "
                                   f"organization '{org}' uploads its own organization's only")
    if sub is None:
        return None, None, problems
    base, before = _base_scenario(scope, rev)
    merged, found = merge(base, [sub])
    problems += [p for p in found if p.workbook is not None or (p.path, p.message) not in before]
    if any(p.severity == "error" for p in problems):
        merged = None
    return sub, merged, problems


def _rejected(name: str, problems: list[SurveyProblem]) -> JSONResponse:
    errors = [p for p in problems if p.severity == "error"]
    noun = "problem" if len(errors) == 1 else "problems"
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={
        "detail": f"{name}: {len(errors)} {noun} found; fix the cells named and upload again",
        "problems": [problem_public(p) for p in problems]})


def _summary(up: SurveyUpload) -> dict[str, Any]:
    return {"id": up.id, "programme": up.programme_id, "kind": up.kind,
            "organization": up.party if up.kind == "organization" else None,
            "supplier": up.party if up.kind == "supplier" else None,
            "filename": up.filename, "revision": up.revision, "warnings": len(up.problems),
            "merged_revision": up.merged_revision, "author": up.author,
            "created_at": up.created_at}


def survey_public(up: SurveyUpload) -> SurveyPublic:
    return SurveyPublic(**_summary(up),
                        problems=[SurveyProblemPublic(**p) for p in up.problems])


@router.post("/programmes/{pid}/surveys", status_code=201,
             dependencies=[require("agency", "manufacturer")], response_model=SurveyPublic,
             responses={422: PROBLEMS, 403: {"description": "another organization's workbook"}})
def upload_survey(pid: Id, file: UploadFile, scope: ScopeDep,
                  user: CurrentUser) -> SurveyPublic | JSONResponse:
    """Upload a returned survey workbook (multipart ``file``, ``.xlsx``).

    It is read and checked against the latest revision (a manufacturer's against its own
    part of it); any error answers 422 with every problem by cell and nothing is stored.
    """
    rev = scope.latest_revision(pid)
    name = _filename(file.filename)
    data = file.file.read()
    sub, merged, problems = check_workbook(scope, rev, name, data)
    if sub is None or sub.id is None or merged is None:
        return _rejected(name, problems)
    up = SurveyUpload(programme_id=pid, kind=sub.kind, party=sub.id,
                      organization=scope.organization, filename=name, workbook=data,
                      revision=rev.number, problems=[problem_public(p) for p in problems],
                      author=user.email)
    scope.db.add(up)
    scope.db.flush()
    audit(scope.db, user=user, action="survey uploaded", obj=f"survey {up.id}",
          detail=f"programme {pid}: {sub.kind} {sub.id} ({name}), checked against revision "
                 f"{rev.number}")
    scope.db.commit()
    return survey_public(up)


@router.get("/programmes/{pid}/surveys")
def list_surveys(pid: Id, scope: ScopeDep) -> list[SurveySummary]:
    """The uploaded workbooks of a programme, oldest first (a manufacturer: its own)."""
    return [SurveySummary(**_summary(up)) for up in scope.surveys(pid)]


@router.get("/programmes/{pid}/surveys/{survey_id}")
def get_survey(pid: Id, survey_id: Id, scope: ScopeDep) -> SurveyPublic:
    """One uploaded workbook with its problems (warnings; errors are never stored)."""
    return survey_public(scope.survey(pid, survey_id))


@router.get("/programmes/{pid}/surveys/{survey_id}/workbook", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the workbook as uploaded"}})
def get_survey_workbook(pid: Id, survey_id: Id, scope: ScopeDep) -> Response:
    """The workbook file as it was uploaded."""
    up = scope.survey(pid, survey_id)
    return Response(up.workbook, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{_safe(up.filename)}"'})


@router.post("/programmes/{pid}/surveys/{survey_id}/merge", status_code=201,
             dependencies=[require("agency")], response_model=RevisionPublic,
             responses={422: PROBLEMS, 409: {"description": "already merged, or no revision"}})
def merge_survey(pid: Id, survey_id: Id, scope: ScopeDep,
                 user: CurrentUser) -> RevisionPublic | JSONResponse:
    """Merge an uploaded workbook into the latest revision: a new revision.

    The organisation's sites and lines (or the supplier's offers) are replaced by the
    workbook's, and the merged scenario is checked as a whole; any error answers 422 with
    every problem by cell and nothing changes.
    """
    up = scope.survey(pid, survey_id)
    if up.merged_revision is not None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"survey {survey_id} is merged already, into revision "
                                   f"{up.merged_revision}; upload it again to merge it again")
    rev = scope.latest_revision(pid)
    _, merged, problems = check_workbook(scope, rev, up.filename, up.workbook)
    if merged is None:
        return _rejected(up.filename, problems)
    message = (f"survey {up.id} merged: {up.kind} {up.party} ({up.filename}) into revision "
               f"{rev.number}")
    new = add_revision(scope.db, pid, merged.dump(), message, user)
    up.merged_revision = new.number
    audit(scope.db, user=user, action="survey merged", obj=f"survey {up.id}",
          detail=f"programme {pid} revision {new.number}")
    scope.db.commit()
    out = revision_public(new, scope)
    out.warnings = [{"path": p.path or "", "message": str(p)} for p in problems]
    return out


def _party(kind: str, obj: dict[str, Any], in_revision: bool,
           uploads: list[SurveyUpload]) -> PartyAnswer:
    merged = [u.merged_revision for u in uploads if u.merged_revision is not None]
    return PartyAnswer(kind=kind, id=str(obj["id"]),
                       name=obj.get("name"), in_revision=in_revision,
                       surveys=[u.id for u in uploads],
                       last_upload_at=uploads[-1].created_at if uploads else None,
                       merged_revision=max(merged) if merged else None)


@router.get("/programmes/{pid}/survey-status", dependencies=[require("agency", "analyst")])
def survey_status(pid: Id, scope: ScopeDep) -> SurveyStatus:
    """Who has answered the survey and who has not: every organisation and supplier of the
    latest revision, and any new one that sent a workbook."""
    rev = scope.latest_revision(pid)
    uploads: dict[tuple[str, str], list[SurveyUpload]] = {}
    for up in scope.surveys(pid):
        uploads.setdefault((up.kind, up.party), []).append(up)
    parties = []
    for kind, key in (("organization", "organizations"), ("supplier", "suppliers")):
        for obj in rev.scenario.get(key, []):
            parties.append(_party(kind, obj, True, uploads.pop((kind, obj["id"]), [])))
    for (kind, party), ups in uploads.items():
        parties.append(_party(kind, {"id": party}, False, ups))
    return SurveyStatus(programme=pid, revision=rev.number,
                        answered=[p for p in parties if p.surveys],
                        not_answered=[p for p in parties if not p.surveys])


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:200] or "workbook.xlsx"


@router.get("/programmes/{pid}/survey-template", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the survey workbook"}})
def survey_template(
        pid: Id, scope: ScopeDep,
        organization: Annotated[str | None, Query(max_length=200, pattern=ID)] = None,
        supplier: Annotated[str | None, Query(max_length=200, pattern=ID)] = None) -> Response:
    """The survey workbook of one organisation or supplier, prefilled from the latest
    revision (a new id: empty). A manufacturer gets its own organisation's only."""
    org = scope.organization
    if org is not None:
        if supplier is not None or organization not in (None, org):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                detail=f"a manufacturer of organization '{org}' gets its own "
                                       "organization's workbook only")
        organization = org
    if (organization is None) == (supplier is None):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail="give exactly one of the query parameters organization "
                                   "and supplier: whose workbook it is")
    rev = scope.latest_revision(pid)
    sc, _ = _base_scenario(scope, rev)
    try:
        data = make_template(sc, organization=organization, supplier=supplier)
    except SurgeError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None
    name = _safe(f"{organization or supplier}.xlsx")
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


router.include_router(actuals.router)
