"""Schemathesis against the OpenAPI document, with valid tokens: no response is a 5xx."""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from tests.service.conftest import auth  # noqa: E402


@pytest.mark.parametrize("who", ["agency", "maker_a"])
def test_no_5xx_on_any_route(service: dict[str, Any], world: dict[str, Any], who: str) -> None:
    app = service["app"]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = auth(service["tokens"][who])
    failures: list[str] = []
    for result in schema.get_all_operations():
        op = result.ok()

        @settings(max_examples=8, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def check(case: Any) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        check()
    assert failures == []
