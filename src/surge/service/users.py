"""Users: the one function that creates them (checked, hashed, audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surge.errors import InputError
from surge.scenario.types import ID_PATTERN
from surge.service.auth import hash_password
from surge.service.db.models import ROLES, AuditEntry, User
from surge.service.schemas import control_characters

MIN_PASSWORD = 8


def create_user(db: Session, *, email: str, role: str, organization: str | None,
                password: str, by: str) -> User:
    """Add a user and its audit entry in one transaction.

    Raises
    ------
    InputError
        An unknown role, a manufacturer without an organisation, an organisation id the
        scenario format would not accept, a short password or an email already taken.
    """
    email = email.strip().lower()
    if "@" not in email or control_characters(email):
        raise InputError(f"--email: expected an email address, got {email!r}")
    if role not in ROLES:
        raise InputError(f"--role: expected one of {', '.join(ROLES)}, got {role!r}")
    if role == "manufacturer" and not organization:
        raise InputError("--organization: a manufacturer user needs the id of its organization")
    if organization and (len(organization) > 200 or not ID_PATTERN.match(organization)):
        raise InputError("--organization: expected the id of an organization as the scenario "
                         f"names it (letters, digits, '_', '.', '-'), got {organization!r}")
    if role != "manufacturer" and organization:
        raise InputError(f"--organization: only a manufacturer is bound to one, not role {role!r}")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password: expected at least {MIN_PASSWORD} characters, "
                         f"got {len(password)}")
    if db.scalar(select(User).where(User.email == email)) is not None:
        raise InputError(f"--email: a user {email} already exists")
    user = User(email=email, role=role, organization=organization,
                password_hash=hash_password(password))
    db.add(user)
    db.add(AuditEntry(user=by, action="user created", object=f"user {email}",
                      detail=role + (f" of {organization}" if organization else "")))
    db.commit()
    return user
