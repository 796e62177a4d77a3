"""``POST /auth/token`` (OAuth2 password flow) and ``GET /me``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from surge.service.auth import CurrentUser, authenticate, create_token
from surge.service.schemas import Me, Token

router = APIRouter(tags=["auth"])


@router.post("/auth/token")
def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Exchange an email (``username``) and password for a bearer token."""
    settings = request.app.state.settings
    with request.app.state.sessions() as db:
        user = authenticate(db, form.username, form.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong email or password",
                            headers={"WWW-Authenticate": "Bearer"})
    return Token(access_token=create_token(user, settings.secret_key, settings.token_minutes))


@router.get("/me")
def me(user: CurrentUser) -> Me:
    """Who the token belongs to."""
    return Me(email=user.email, role=user.role, organization=user.organization)
