"""Passwords (argon2 via pwdlib), bearer tokens (PyJWT) and the current user."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.orm import Session

from surge.service.db.models import User
from surge.service.schemas import control_characters

ALGORITHM = "HS256"
hasher = PasswordHash.recommended()
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_DUMMY = hasher.hash("a password nobody has")  # same work for unknown users: no timing oracle


def hash_password(password: str) -> str:
    """The argon2 hash of ``password``."""
    return hasher.hash(password)


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or ``None``."""
    # an email with control characters is no user's (and PostgreSQL cannot compare NUL)
    user = None if control_characters(email) else db.scalar(
        select(User).where(User.email == email.strip().lower()))
    if user is None:
        hasher.verify(password, _DUMMY)
        return None
    return user if hasher.verify(password, user.password_hash) else None


def create_token(user: User, key: str, minutes: int) -> str:
    """A signed bearer token for ``user``, valid ``minutes`` [min]."""
    exp = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    return jwt.encode({"sub": str(user.id), "exp": exp}, key, algorithm=ALGORITHM)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail,
                         headers={"WWW-Authenticate": "Bearer"})


def current_user(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> User:
    """The user of the request's bearer token; 401 if it is missing, bad or expired."""
    if not token:
        raise _unauthorized("not authenticated: send 'Authorization: Bearer <token>' "
                            "(POST /api/v1/auth/token gives one)")
    try:
        claims = jwt.decode(token, request.app.state.settings.secret_key, algorithms=[ALGORITHM])
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        raise _unauthorized("the bearer token is invalid or expired; log in again") from None
    with request.app.state.sessions() as db:
        user = db.get(User, user_id)
    if user is None:
        raise _unauthorized("the bearer token names a user that no longer exists")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require(*roles: str) -> Any:
    """A dependency that answers 403 unless the user has one of ``roles``."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                detail=f"role '{user.role}' may not do this; needs "
                                       + " or ".join(f"'{r}'" for r in roles))
        return user

    return Depends(check)
