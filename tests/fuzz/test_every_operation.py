"""Every operation of the OpenAPI description, fuzzed with valid and invalid requests, answers
as it is described: no 5xx, only documented status codes, content types and bodies.

PATRON_FUZZ_EXAMPLES sets the examples per operation and generation mode (`make fuzz` raises it).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings, strategies
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from patron.app import create_app
from patron.config import Settings
from tests.conftest import make_settings

EXAMPLES = int(os.environ.get("PATRON_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _operations() -> list[str]:
    description = create_app(
        Settings(database_url="sqlite+aiosqlite:///unused.db"), background=False
    ).openapi()
    return sorted(
        f"{method.upper()} {path}" for path, methods in description["paths"].items() for method in methods
    )


OPERATIONS = _operations()


@pytest.fixture
def fuzzed(admin: dict[str, str], database_url: str) -> Iterator[schemathesis.BaseSchema]:
    """A separate app on the same database, run by schemathesis on its own event loop."""
    app = create_app(make_settings(database_url), background=False)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    yield schema
    asgi.shutdown_lifespans()


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_operation_answers_as_described(
    fuzzed: schemathesis.BaseSchema, admin: dict[str, str], operation: str
) -> None:
    method, path = operation.split(" ", 1)
    described = fuzzed[path][method]
    cases = strategies.one_of(
        described.as_strategy(GenerationMode.POSITIVE), described.as_strategy(GenerationMode.NEGATIVE)
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_described(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=admin, checks=CHECKS)

    # In a thread, so this event loop (and the background work of the app on it, which may hold
    # SQLite's write lock) keeps running while schemathesis drives its own loop.
    await asyncio.to_thread(answers_as_described)
