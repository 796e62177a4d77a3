"""Service settings (pydantic-settings, environment prefix ``SURGE_``).

In production mode a missing or weak secret key refuses to start: tokens signed with a
guessable key would let anyone act as any user.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from surge.errors import InputError

WEAK_KEYS = {"", "secret", "changethis", "change-me", "changeme", "password", "surge"}
MIN_KEY_LENGTH = 32


def default_database_url() -> str:
    """``SURGE_DATABASE_URL``, else a SQLite file ``surge.db`` in the working directory."""
    return os.environ.get("SURGE_DATABASE_URL") or f"sqlite:///{Path.cwd() / 'surge.db'}"


class Settings(BaseSettings):
    """Everything the service reads from its environment.

    Attributes
    ----------
    database_url : str
        SQLAlchemy URL (``sqlite:///...`` or ``postgresql+psycopg://...``).
    secret_key : str
        Key that signs the bearer tokens; required (>= 32 characters) in production.
    mode : str
        ``development`` (a random key per process if none is given) or ``production``.
    token_minutes : int
        Lifetime of a bearer token [min].
    max_body_bytes : int
        Largest request body accepted [bytes].
    cluster : str
        ``local[:N]`` (an in-process Dask cluster, the default) or ``tcp://HOST:PORT``.
    """

    model_config = SettingsConfigDict(env_prefix="SURGE_", extra="ignore")

    database_url: str = ""
    secret_key: str = ""
    mode: Literal["development", "production"] = "development"
    token_minutes: int = 60
    max_body_bytes: int = 5_000_000
    cluster: str = "local"

    @model_validator(mode="after")
    def _safe(self) -> Settings:
        if not self.database_url:
            self.database_url = default_database_url()
        weak = self.secret_key.strip().lower() in WEAK_KEYS or len(self.secret_key) < MIN_KEY_LENGTH
        if weak and self.mode == "production":
            raise InputError(
                "SURGE_SECRET_KEY: a secret key of at least "
                f"{MIN_KEY_LENGTH} characters (not a common word) is required in production mode, "
                f"got {'none' if not self.secret_key else f'{len(self.secret_key)} characters'}"
            )
        if not self.secret_key:
            self.secret_key = secrets.token_urlsafe(48)
        return self
