"""Logging in to the pages: a signed session cookie, the page user and its scope.

The cookie holds the same signed token as the API's bearer token (:func:`create_token`),
sent ``HttpOnly`` and ``SameSite=Lax`` (``Secure`` over HTTPS), so scripts on the page never
see it and other sites cannot post forms with it. Every form that changes something also
carries a CSRF token derived from the session (:func:`csrf_token`). A page opened without a
valid cookie redirects to the login page (:class:`LoginRequired`), before any data is read.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

import jwt
from fastapi import Depends, HTTPException, Request, Response, status
from sqlalchemy.orm import Session

from surge.service.auth import ALGORITHM, create_token
from surge.service.db.models import User
from surge.service.scope import Scope, scoped

COOKIE = "surge_session"


class LoginRequired(Exception):
    """Raised by :func:`page_user` when there is no valid session; answered by a redirect."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def login_url(next_path: str) -> str:
    """``/login?next=...`` for a local path (anything else goes to the programmes)."""
    return f"/login?next={quote(safe_next(next_path), safe='/')}"


def safe_next(path: str | None) -> str:
    """``path`` if it is a local path of this site, else ``/``: no open redirect."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def set_session(response: Response, request: Request, user: User) -> None:
    """Log ``user`` in: the signed cookie, valid as long as a bearer token."""
    settings = request.app.state.settings
    response.set_cookie(COOKIE, create_token(user, settings.secret_key, settings.token_minutes),
                        max_age=settings.token_minutes * 60, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def clear_session(response: Response) -> None:
    """Log out: the cookie is removed."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def session_user(request: Request) -> User | None:
    """The user of the request's session cookie, or ``None`` (missing, bad or expired)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        claims = jwt.decode(token, request.app.state.settings.secret_key, algorithms=[ALGORITHM])
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        return None
    db: Session
    with request.app.state.sessions() as db:
        return db.get(User, user_id)


def page_user(request: Request) -> User:
    """The logged-in user; without one, :class:`LoginRequired` (a redirect to the login)."""
    user = session_user(request)
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return user


PageUser = Annotated[User, Depends(page_user)]


def _page_scope(request: Request, user: PageUser) -> Iterator[Scope]:
    with scoped(request.app.state.sessions, user) as db:
        yield Scope(db, user)


PageScope = Annotated[Scope, Depends(_page_scope)]
"""The same scoped data access as the API (:mod:`surge.service.scope`), for a page."""


def csrf_token(request: Request) -> str:
    """A token bound to the session cookie; forms that change something must send it back."""
    token = request.cookies.get(COOKIE, "")
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()[:40]


def check_csrf(request: Request, sent: str | None) -> None:
    """403 unless ``sent`` is the session's CSRF token."""
    if not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="the form is stale or came from another site; "
                                   "reload the page and try again")


def allow(user: User, *roles: str) -> None:
    """403 unless the user has one of ``roles`` (the API's rule, for a page)."""
    if user.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"role '{user.role}' may not do this; needs "
                                   + " or ".join(f"'{r}'" for r in roles))
