"""Engine, sessions and migrations (Alembic, run programmatically)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, exc, make_url
from sqlalchemy.orm import Session, sessionmaker

from surge.errors import InputError

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite waits for locks and enforces foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """Alembic configuration for ``url`` with the migrations shipped in the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def shown_url(url: str) -> str:
    """``url`` with its password hidden (for messages)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return url


def upgrade(url: str) -> None:
    """Create or migrate the schema of ``url`` to the newest revision.

    Raises
    ------
    InputError
        A URL no installed driver opens, or a database that cannot be reached or written.
    """
    try:
        command.upgrade(alembic_config(url), "head")
    except (exc.ArgumentError, exc.NoSuchModuleError) as e:
        raise InputError(f"database {shown_url(url)}: not a URL the service can open ({e}); "
                         "expected sqlite:///FILE or postgresql+psycopg://USER@HOST/DB") from None
    except exc.OperationalError as e:
        reason = " ".join(str(e.orig).split())
        raise InputError(f"database {shown_url(url)}: cannot open or migrate it: "
                         f"{reason}") from None
