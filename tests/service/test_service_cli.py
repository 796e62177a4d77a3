"""``surge db upgrade`` and ``surge admin create-user`` on a temporary SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, inspect, select, text
from tests.service.conftest import KEY, PASSWORD
from typer.testing import CliRunner

import surge.cli
from surge.cli import app
from surge.service.app import create_app
from surge.service.db.models import AuditEntry, User
from surge.service.db.session import alembic_config
from surge.service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
surge.cli.register_commands()


def cli(*args: str, password: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=None if password is None else password + "\n",
                                env={"COLUMNS": "200", "NO_COLOR": "1"})
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def users(url: str) -> list[tuple[str, str, str | None]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [(u.email, u.role, u.organization) for u in conn.execute(
            select(User.email, User.role, User.organization).order_by(User.id))]
    engine.dispose()
    return rows


def test_db_upgrade_creates_the_newest_schema_and_can_run_again(url: str) -> None:
    code, out = cli("db", "upgrade", "--db", url)
    assert code == 0, out
    assert "is up to date" in out
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert {"users", "programmes", "revisions", "jobs", "audit", "survey_uploads",
            "actuals"} <= tables
    assert version == ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert cli("db", "upgrade", "--db", url)[0] == 0


def test_db_upgrade_of_a_database_it_cannot_open_is_a_clear_error(tmp_path: Path) -> None:
    code, out = cli("db", "upgrade", "--db", "nosuchdriver://x/y")
    assert code == 2, out
    assert "database nosuchdriver://x/y: not a URL the service can open" in out
    missing = tmp_path / "no" / "such" / "folder" / "x.db"
    code, out = cli("db", "upgrade", "--db", f"sqlite:///{missing}")
    assert code == 2, out
    assert "cannot open or migrate it: unable to open database file" in " ".join(out.split())
    assert "Traceback" not in out and "internal error" not in out
    code, out = cli("serve", "--db", "nosuchdriver://x/y", "--port", "1")
    assert code == 2 and "not a URL the service can open" in out, out


def test_created_user_can_log_in(url: str) -> None:
    code, out = cli("admin", "create-user", "--email", "Boss@Agency.example", "--role", "agency",
                    "--password-stdin", "--db", url, password=PASSWORD)
    assert code == 0, out
    assert "created user boss@agency.example (agency)" in out
    code, out = cli("admin", "create-user", "--email", "a@alpha.example", "--role",
                    "manufacturer", "--organization", "org-a", "--password-stdin", "--db", url,
                    password=PASSWORD)
    assert code == 0, out
    assert users(url) == [("boss@agency.example", "agency", None),
                          ("a@alpha.example", "manufacturer", "org-a")]
    appl = create_app(Settings(database_url=url, secret_key=KEY), start_jobs=False)
    with TestClient(appl) as client:
        for email, me in (("boss@agency.example", ("agency", None)),
                          ("a@alpha.example", ("manufacturer", "org-a"))):
            r = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
            assert r.status_code == 200, r.text
            got = client.get("/api/v1/me", headers={
                "Authorization": f"Bearer {r.json()['access_token']}"}).json()
            assert (got["email"], got["role"], got["organization"]) == (email, *me)
        bad = client.post("/api/v1/auth/token", data={"username": "a@alpha.example",
                                                      "password": PASSWORD + "x"})
        assert bad.status_code == 401
    engine = create_engine(url)
    with engine.connect() as conn:
        logged = conn.execute(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "user created")).scalar()
    engine.dispose()
    assert logged == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--role", "boss"], "--role: expected one of agency, analyst, manufacturer, got 'boss'"),
    (["--role", "manufacturer"], "--organization: a manufacturer user needs the id of its "
                                 "organization"),
    (["--role", "analyst", "--organization", "org-a"],
     "--organization: only a manufacturer is bound to one, not role 'analyst'"),
    (["--role", "manufacturer", "--organization", "org a!"],
     "--organization: expected the id of an organization as the scenario names it (letters, "
     "digits, '_', '.', '-'), got 'org a!'"),
])
def test_bad_role_or_organization_is_a_clear_error_with_exit_2(
        url: str, args: list[str], message: str) -> None:
    code, out = cli("admin", "create-user", "--email", "x@agency.example", *args,
                    "--password-stdin", "--db", url, password=PASSWORD)
    assert code == 2, out
    assert message in " ".join(out.split())
    assert "Traceback" not in out
    assert users(url) == []


def test_other_bad_input_is_refused_with_exit_2(url: str) -> None:
    base = ["admin", "create-user", "--role", "agency", "--db", url]
    code, out = cli(*base, "--email", "a@agency.example")
    assert code == 2 and "--password-stdin is required" in out
    code, out = cli(*base, "--email", "a@agency.example", "--password-stdin", password="short")
    assert code == 2 and "password: expected at least 8 characters, got 5" in out
    code, out = cli(*base, "--email", "not-an-email", "--password-stdin", password=PASSWORD)
    assert code == 2 and "--email: expected an email address, got 'not-an-email'" in out
    assert cli(*base, "--email", "a@agency.example", "--password-stdin", password=PASSWORD)[0] == 0
    code, out = cli(*base, "--email", "A@agency.example", "--password-stdin", password=PASSWORD)
    assert code == 2 and "--email: a user a@agency.example already exists" in out
    assert users(url) == [("a@agency.example", "agency", None)]


def test_the_installed_command_exits_2_on_a_bad_role(url: str) -> None:
    env: dict[str, Any] = os.environ | {"PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    run = subprocess.run([sys.executable, "-c", "from surge.cli import main; main()", "admin",
                          "create-user", "--email", "x@agency.example", "--role", "root",
                          "--password-stdin", "--db", url], input=PASSWORD.encode(), env=env,
                         capture_output=True, timeout=120)
    assert run.returncode == 2
    err = run.stderr.decode()
    assert "--role: expected one of agency, analyst, manufacturer, got 'root'" in err
    assert "Traceback" not in err
