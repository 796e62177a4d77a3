"""``GET /audit``: every change, oldest first (agency only)."""

from __future__ import annotations

from fastapi import APIRouter

from surge.service.auth import require
from surge.service.deps import ScopeDep
from surge.service.schemas import AuditPublic

router = APIRouter(tags=["audit"])


@router.get("/audit", dependencies=[require("agency")])
def list_audit(scope: ScopeDep) -> list[AuditPublic]:
    """The audit log."""
    return [AuditPublic(at=a.at, user=a.user, action=a.action, object=a.object, detail=a.detail)
            for a in scope.audit()]
