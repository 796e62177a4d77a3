"""Browser tests: headless Debian Chromium driven by Playwright, against a live service.

Skipped, with the reason, when Chromium or Playwright is missing (``make browser``
installs Chromium with apt-get). One service and one browser serve the whole module.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.browser.live import serve

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return (f"browser tests need Debian's chromium at {CHROMIUM} "
                "(apt-get install chromium, or `make browser`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need the Python package playwright (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    why = _missing()
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def live(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a service on a fresh SQLite database (users made, nothing else)."""
    if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
        pytest.skip("no chromium")
    with serve(tmp_path_factory.mktemp("ui") / "surge.db") as (base, _app):
        yield base
