"""Every operation of the OpenAPI description, fuzzed with valid and invalid requests over a seeded
database, answers as it is described: no 5xx, only documented status codes, content types and
bodies, invalid requests refused (`negative_data_rejection`) and valid ones accepted
(`positive_data_acceptance`).

Before the first operation, one database of the module's own is filled with customers (tests/fuzz/
world.py). Most generated requests then have their ids replaced by seeded ones, so they reach the
business rules (receipts stored, assignments redeemed or 409, challenges and accounts read) as well
as the refusals; and one request in three carries an extreme value in one of the places its
operation takes a number or an instant: 1e14, 1e308, 2**63, 1e-10, a boolean where a number is
meant, the calendar's first and last instants with the widest offsets, or 999 nested brackets.
Schemathesis revalidates every changed request against the schema, so a request an extreme value
made invalid is checked as a negative one.

PATRON_FUZZ_EXAMPLES sets the examples per operation (`make fuzz` raises it); PATRON_FUZZ_SEED the
seed (fixed, so `make test` runs the same requests every time); a failing request is printed as a
curl command and stored under PATRON_FUZZ_FAILURES (default .fuzz-failures/).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import traceback
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings, strategies
from hypothesis import seed as hypothesis_seed
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from patron.app import create_app
from patron.auth.roles import Role
from patron.config import Settings
from tests.conftest import issue_token, make_settings, migrated_database
from tests.fuzz.world import INTERACTION_SCHEMA_ID, Customer, World, seed
from tests.receipts.factories import line, receipt

EXAMPLES = int(os.environ.get("PATRON_FUZZ_EXAMPLES", "6"))
SEED = int(os.environ.get("PATRON_FUZZ_SEED", "20260"))
FAILURES = Path(
    os.environ.get("PATRON_FUZZ_FAILURES", Path(__file__).resolve().parents[2] / ".fuzz-failures")
)
BUILT_IN_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]

# The extremes of issue 26: what storage and rendering must refuse or hold.
EXTREME_NUMBERS: list[Any] = [
    1e14,
    -1e14,
    1e308,
    -1e308,
    2**63,
    -(2**63),
    2**31,
    6e13,
    9_999_999_999_999,
    1e-10,
]
BOOLEANS_FOR_NUMBERS: list[Any] = [True, False]
EXTREME_INSTANTS = [
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
]
EXTREME_DATES = ["0001-01-01", "9999-12-31"]
DEPTH = 999
_DEEP = "[" * DEPTH + "]" * DEPTH
_PLACEHOLDER = "\u0000deep\u0000"

DESCRIPTION: dict[str, Any] = create_app(
    Settings(database_url="sqlite+aiosqlite:///unused.db"), background=False
).openapi()
COMPONENTS: dict[str, Any] = DESCRIPTION.get("components", {}).get("schemas", {})
# Reads first, erasure last: a seeded customer erased early would leave the rest 404s.
_METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, method in sorted(
        ((path, method) for path, methods in DESCRIPTION["paths"].items() for method in methods),
        key=lambda pm: (_METHOD_ORDER[pm[1]], pm[0]),
    )
]

Path_ = tuple[str | int, ...]
Case = schemathesis.Case[Any]


@dataclass(frozen=True)
class Slot:
    """A place in a request where an operation takes a number, an instant or a date."""

    location: str  # "body", "query" or "path"
    path: Path_  # within the body; (name,) for a parameter
    kind: str  # "number", "instant" or "date"


def _schema_slots(schema: dict[str, Any], path: Path_ = (), seen: frozenset[str] = frozenset()) -> list[Slot]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return [] if name in seen else _schema_slots(COMPONENTS[name], path, seen | {name})
    found: list[Slot] = []
    for branch in (*schema.get("anyOf", ()), *schema.get("oneOf", ()), *schema.get("allOf", ())):
        found += _schema_slots(branch, path, seen)
    kind = schema.get("type")
    if kind in ("integer", "number"):
        found.append(Slot("body", path, "number"))
    elif kind == "string" and schema.get("format") == "date-time":
        found.append(Slot("body", path, "instant"))
    elif kind == "string" and schema.get("format") == "date":
        found.append(Slot("body", path, "date"))
    for name, sub in schema.get("properties", {}).items():
        found += _schema_slots(sub, (*path, name), seen)
    if isinstance(schema.get("items"), dict):
        found += _schema_slots(schema["items"], (*path, 0), seen)
    return found


def slots_of(method: str, route: str) -> list[Slot]:
    """Every place of one operation that takes a number or an instant, from its description."""
    described = DESCRIPTION["paths"][route][method.lower()]
    found: list[Slot] = []
    for parameter in described.get("parameters", []):
        if parameter["in"] in ("query", "path"):
            found += [
                Slot(parameter["in"], (parameter["name"],), slot.kind)
                for slot in _schema_slots(parameter.get("schema", {}))
            ]
    body = described.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        found += _schema_slots(body["schema"])
    return list(dict.fromkeys(found))


def body_paths(method: str, route: str) -> list[Path_]:
    """Every property of an operation's JSON body (and the body itself), for the deep JSON."""
    described = DESCRIPTION["paths"][route][method.lower()]
    body = described.get("requestBody", {}).get("content", {}).get("application/json")
    if not body:
        return []
    found: list[Path_] = [()]

    def walk(schema: dict[str, Any], path: Path_, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                walk(COMPONENTS[name], path, seen | {name})
            return
        for branch in (*schema.get("anyOf", ()), *schema.get("oneOf", ()), *schema.get("allOf", ())):
            walk(branch, path, seen)
        for name, sub in schema.get("properties", {}).items():
            found.append((*path, name))
            walk(sub, (*path, name), seen)
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], (*path, 0), seen)

    walk(body["schema"], (), frozenset())
    return list(dict.fromkeys(found))


def _put(body: Any, path: Path_, value: Any) -> Any:
    """`body` with `value` at `path`, the containers on the way made when missing; `body`
    unchanged when it has another shape there."""
    if not path:
        return value
    step, rest = path[0], path[1:]
    if isinstance(step, int):
        if body is None or body == {}:
            body = []
        if not isinstance(body, list):
            return body
        if not body:
            body.append({} if rest and isinstance(rest[0], str) else None)
        body[0] = _put(body[0], rest, value)
        return body
    if body is None:
        body = {}
    if not isinstance(body, dict):
        return body
    body[step] = _put(body.get(step), rest, value)
    return body


# Seeded ids -----------------------------------------------------------------------------------


def _seeded(name: str, location: str, route: str, customer: Customer, world: World) -> Any:
    """The seeded value for a parameter or body field of this name on this route, or None."""
    points = "point-accounts" in route or "point-rules" in route
    by_name: dict[str, Any] = {
        "contactId": customer.contact_id,
        "accountId": customer.account_id,
        "assignmentId": customer.assignment_id,
        "challengeId": customer.challenge_id,
        "receiptId": customer.receipt_id,
        "batchId": world.batch_id,
        "promotionId": customer.promotion_id,
        "articleNumber": world.articles[0],
        "storeExternalId": world.stores[0],
        "ruleId": world.point_rule_id,
        "segmentId": world.segment_id,
        "jobId": world.assignment_job_id,
        "definitionId": customer.point_definition_id if points else customer.challenge_definition_id,
        "interactionId": customer.interaction_id,
        # The campaigns dialect's customer is the contact's externalId.
        "source_id": customer.external_id,
        "campaign_id": world.campaign_id,
        "interactionSchemaId": INTERACTION_SCHEMA_ID,
        "schemaId": INTERACTION_SCHEMA_ID,
    }
    if route.endswith("/contacts/id") and location == "query":
        by_name |= {
            "email": customer.email,
            "memberNumber": customer.member_number,
            "externalId": customer.external_id,
            "cardId": customer.card_id,
            "mobilePhone": customer.mobile_phone,
        }
    elif name == "externalId" and location != "body":
        if "/stores" in route:
            return world.stores[0]
        if "/promotions/" in route:
            return customer.promotion_external_id
    return by_name.get(name)


def _seed_body(value: Any, route: str, customer: Customer, world: World, within: str = "") -> Any:
    if isinstance(value, list):
        return [_seed_body(item, route, customer, world, within) for item in value]
    if not isinstance(value, dict):
        return value
    seeded: dict[str, Any] = {}
    for name, item in value.items():
        if name == "contact" and isinstance(item, dict):
            item = {**item, "matchKeyType": "ContactId", "matchKey": customer.contact_id}
        elif name == "definitionId" and within == "reward":
            item = customer.point_definition_id
        else:
            replacement = _seeded(name, "body", route, customer, world)
            if replacement is not None and not isinstance(item, (dict, list)):
                item = replacement
        seeded[name] = _seed_body(item, route, customer, world, "reward" if name == "reward" else within)
    return seeded


_receipt_numbers = itertools.count(1)


def valid_request(case: Case, route: str, customer: Customer, world: World) -> bool:
    """Make the case a well-formed request of the seeded customer's, as a till or the back office
    sends it, for the operations whose business rules a random body rarely reaches; False for the
    others."""
    exact = re.sub(r"^/api/v[23]", "", route)
    if case.method != "POST":
        return False
    if exact == "/receipts":
        case.body = receipt(
            customer.contact_id,
            world.stores[0],
            uniqueReceiptId=f"F-{next(_receipt_numbers)}-{customer.contact_id[:8]}",
            items=[line(articleNumber=world.articles[0], articleGroup="Shoes", quantity=2)],
            usedPromotions=[{"promotionId": customer.promotion_id}],
        )
    elif exact == "/promotion-assignments":
        case.body = {"contactId": customer.contact_id, "promotionId": customer.promotion_id}
    elif exact == "/promotion-assignments/{assignmentId}/redeem":
        case.path_parameters = {"assignmentId": customer.assignment_id}
        case.body = {"redemptionChannel": "POS"}
    elif exact == "/challenges/checkpoints":
        case.body = [
            {
                "definitionId": customer.challenge_definition_id,
                "contactId": customer.contact_id,
                "checkpointAmount": 1,
            }
        ]
    elif exact == "/point-transactions":
        case.body = {
            "accountId": customer.account_id,
            "transactionId": f"F-{next(_receipt_numbers)}",
            "transactionType": "Addition",
            "amount": 5,
        }
    elif exact == "/interactions":
        case.body = {
            "contactId": customer.contact_id,
            "schemaId": INTERACTION_SCHEMA_ID,
            "payload": {"note": "x"},
        }
    elif exact == "/orders":
        case.body = {
            "contact": {"matchKey": customer.contact_id, "matchKeyType": "contactId"},
            "orderNumber": f"F-{next(_receipt_numbers)}",
            "orderStatus": "Confirmed",
            "createdDate": "2026-12-01T10:00:00Z",
            "items": [{"type": "Purchase", "sku": "SKU-1", "quantity": 1, "grossPaidPrice": 100}],
        }
    elif exact == "/tracking/carts":
        # camelCase, as the description says (PascalCase is taken too: tests/orders).
        case.body = {
            "cartReference": "F-cart",
            "contactId": customer.contact_id,
            "items": [{"sku": "A", "quantity": 1}],
        }
    elif exact == "/point-accounts/transactions":
        case.body = [
            {"contactId": customer.contact_id, "definitionId": customer.point_definition_id, "amount": 10}
        ]
    else:
        return False
    case.media_type = "application/json"
    return True


def answered_by_the_rules(ctx: CheckContext, response: Any, case: Case) -> bool | None:
    """A well-formed request of a seeded customer gets past validation: stored, redeemed, or
    refused by a business rule (409), never a 400 or 404."""
    assert 200 <= response.status_code < 300 or response.status_code == 409, (
        f"a valid request of a seeded customer answered {response.status_code}: {response.text[:300]}"
    )
    return None


def seed_ids(case: Case, route: str, customer: Customer, world: World) -> None:
    """Replace the case's ids with those of one seeded customer (schemathesis revalidates the
    changed parts, so a case stays negative only where it still breaks the schema)."""
    if case.path_parameters:
        case.path_parameters = {
            name: _seeded(name, "path", route, customer, world) or value
            for name, value in case.path_parameters.items()
        }
    if case.query:
        case.query = {
            name: _seeded(name, "query", route, customer, world) or value
            for name, value in case.query.items()
        }
    if isinstance(case.body, (dict, list)):
        case.body = _seed_body(json.loads(json.dumps(case.body)), route, customer, world)


# Extreme values -------------------------------------------------------------------------------


def add_extreme(case: Case, data: strategies.DataObject, method: str, route: str) -> str | None:
    """Put one extreme value into the case; what kind it was ("number", "boolean", "instant",
    "deep"), or None when the operation takes nothing extreme."""
    slots = slots_of(method, route)
    deep_places = body_paths(method, route) if case.media_type in (None, "application/json") else []
    choices = [*slots, *(Slot("body", path, "deep") for path in deep_places)]
    if not choices:
        return None
    slot = data.draw(strategies.sampled_from(choices), label="extreme place")
    if slot.kind == "number":
        value = data.draw(
            strategies.sampled_from(EXTREME_NUMBERS + BOOLEANS_FOR_NUMBERS), label="extreme number"
        )
    elif slot.kind == "instant":
        value = data.draw(strategies.sampled_from(EXTREME_INSTANTS), label="extreme instant")
    elif slot.kind == "date":
        value = data.draw(strategies.sampled_from(EXTREME_DATES), label="extreme date")
    else:
        value = _PLACEHOLDER
    if slot.location in ("path", "query") and isinstance(value, float) and value.is_integer():
        # A parameter travels as text: 1e14 as "100000000000000", as an integer is written.
        value = int(value)
    if slot.location == "path":
        case.path_parameters = {**(case.path_parameters or {}), str(slot.path[0]): value}
    elif slot.location == "query":
        case.query = {**(case.query or {}), str(slot.path[0]): value}
    else:
        body = json.loads(json.dumps(case.body)) if isinstance(case.body, (dict, list)) else None
        body = _put(body, slot.path, value)
        if slot.kind == "deep":
            # Bytes, sent as they are: no JSON encoder here nests 999 deep.
            text = json.dumps(body).replace(json.dumps(_PLACEHOLDER), _DEEP)
            case.body = text.encode() if _DEEP in text else _DEEP.encode()
        else:
            case.body = body
    if isinstance(value, bool):
        return "boolean"
    return "instant" if slot.kind in ("instant", "date") else slot.kind


def deep_json_refused(ctx: CheckContext, response: Any, case: Case) -> bool | None:
    """999 nested brackets are refused (400, or 413 for the size) on every route, bulk ones too."""
    if isinstance(case.body, bytes) and _DEEP.encode() in case.body:
        assert response.status_code in (400, 413, 422), (
            f"{DEPTH} nested brackets answered {response.status_code}: {response.text[:300]}"
        )
    return None


# A number's bound or a numeric string's shape the server checks but the description leaves out.
# Not among them: an amount's 4 decimals (decimal_max_places), which the description states in
# words, since `multipleOf: 0.0001` is a bound no double meets exactly (kit/numbers.py).
_UNPUBLISHED = {
    "less_than",
    "less_than_equal",
    "greater_than",
    "greater_than_equal",
    "decimal_parsing",
    "decimal_max_digits",
    "decimal_whole_digits",
    "int_parsing",
    "float_parsing",
    "finite_number",
}


def bounds_in_the_schema(ctx: CheckContext, response: Any, case: Case) -> bool | None:
    """A request the schema calls valid is never refused for a number's range or form: whatever
    bound Patron checks, the OpenAPI description states it, so clients (and this fuzz) know it."""
    meta = case.meta
    if response.status_code != 400 or meta is None or not meta.generation.mode.is_positive:
        return None
    try:
        details = json.loads(response.text).get("details") or []
    except (ValueError, AttributeError):
        return None
    unpublished = [d for d in details if isinstance(d, dict) and d.get("type") in _UNPUBLISHED]
    assert not unpublished, f"a bound the OpenAPI description does not state: {unpublished}"
    return None


CHECKS = [*BUILT_IN_CHECKS, deep_json_refused, bounds_in_the_schema]


def _takes_instants(method: str, route: str) -> bool:
    return any(slot.kind in ("instant", "date") for slot in slots_of(method, route))


# Rules a JSON Schema cannot state, for which a schema-valid request is refused with 400:
# positive_data_acceptance expects that 400 on these operations (as schemathesis.toml would say).
CROSS_FIELD_RULES = {
    r"GET /contacts/id": "one of email, mobilePhone, externalId, memberNumber, cardId or any is required",
    r"(POST|PUT|PATCH) /contacts": "at least one unique key; the deployment's required fields and custom attributes",
    r"(POST|PUT|PATCH) /contacts/\{contactId\}": "mandatory fields cannot be removed; the deployment's custom attributes",
    r"(POST|PUT|PATCH) /contacts/\{contactId\}/(promote-to-member|promoteToMember)": "a member's mandatory fields",
    r"(POST|PUT|PATCH) /promotions/multichannels(/\{promotionId\})?": "endDate or assignedValidity; a channel's value by its type",
    r"(POST|PUT|PATCH) /promotions/multichannels/\{promotionId\}/validity": "endDate, assignedValidity or both",
    r"(POST|PUT|PATCH) /promotion-assignments": "Engage's InvalidContactId / InvalidPromotionId for a missing id",
    r"(POST|PUT|PATCH) /promotion-assignments/\{assignmentId\}/redeem": "Engage's InvalidPromotionIdNoData for no body",
}
# Every instant and date is held to years 1900-9999 after conversion to UTC and the deployment's
# zone, which a date-time format cannot say: operations taking one expect that 400 as well.
_ACCEPTED_WITH_400 = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
# A bulk import answers 202 and reports each row that breaks the schema in its status.
_BULK_ACCEPTS_ROWS = ["202", "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "429"]


def _config() -> schemathesis.Config:
    operations: list[dict[str, Any]] = []
    for operation in OPERATIONS:
        method, route = operation.split(" ", 1)
        template = re.escape(route)
        exact = re.sub(r"^/api/v[23]", "", route)
        if _takes_instants(method, route) or any(
            re.fullmatch(rule, f"{method} {exact}") for rule in CROSS_FIELD_RULES
        ):
            operations.append(
                {
                    "include-path-regex": f"^{template}$",
                    "include-method": method,
                    "checks": {"positive_data_acceptance": {"expected-statuses": _ACCEPTED_WITH_400}},
                }
            )
        if exact == "/contacts/bulk" and method == "POST":
            operations.append(
                {
                    "include-path-regex": f"^{template}$",
                    "include-method": method,
                    "checks": {"negative_data_rejection": {"expected-statuses": _BULK_ACCEPTS_ROWS}},
                }
            )
    return schemathesis.Config.from_dict({"operations": operations})


CONFIG = _config()


# Fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def fuzz_database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A migrated database of the module's own: the fuzz run leaves odd rows behind."""
    async with migrated_database(backend, tmp_path_factory.mktemp("fuzz")) as url:
        yield url


def _fuzz_settings(url: str) -> Settings:
    # Rate limits are tested on their own (tests/auth); here they would only turn answers into 429s.
    return make_settings(url, rate_limits=False)


@pytest.fixture(scope="module")
async def seeded(fuzz_database_url: str) -> tuple[World, dict[str, str]]:
    """The customers and an admin key, made through an application of their own."""
    application = create_app(_fuzz_settings(fuzz_database_url), background=False)
    async with application.router.lifespan_context(application):
        admin = {"apikey": await issue_token(application.state.patron.database, Role.ADMIN, "fuzz")}
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://patron.test") as client:
            world = await seed(client, admin)
    return world, admin


@pytest.fixture(scope="module")
def fuzzed(fuzz_database_url: str, seeded: tuple[World, dict[str, str]]) -> Iterator[schemathesis.BaseSchema]:
    """One application and one schema for every operation, run by schemathesis on its own loop."""
    application = create_app(_fuzz_settings(fuzz_database_url), background=False)
    yield schemathesis.openapi.from_asgi("/openapi.json", application, config=CONFIG)
    asgi.shutdown_lifespans()


def _store_failure(backend: str, operation: str, case: Case, error: BaseException) -> Path:
    FAILURES.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{backend}-{operation}").strip("-")
    stored = FAILURES / f"{name}.txt"
    body = (
        case.body
        if isinstance(case.body, (dict, list, str, int, float, bool)) or case.body is None
        else repr(case.body)
    )
    stored.write_text(
        f"operation: {operation} on {backend}\n"
        f"replay: PATRON_FUZZ_SEED={SEED} PATRON_FUZZ_EXAMPLES={EXAMPLES} "
        f".venv/bin/pytest tests/fuzz -rA -k '{backend} and {operation}'\n"
        f"path parameters: {case.path_parameters}\nquery: {case.query}\n"
        f"body: {json.dumps(body, default=repr)[:4000]}\n\n"
        + "".join(traceback.format_exception_only(type(error), error))
    )
    return stored


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_operation_answers_as_described(
    fuzzed: schemathesis.BaseSchema, seeded: tuple[World, dict[str, str]], backend: str, operation: str
) -> None:
    world, admin = seeded
    method, route = operation.split(" ", 1)
    described = fuzzed[route][method]
    cases = strategies.one_of(
        described.as_strategy(GenerationMode.POSITIVE), described.as_strategy(GenerationMode.NEGATIVE)
    )

    @given(case=cases, data=strategies.data())
    @hypothesis_seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_described(case: Case, data: strategies.DataObject) -> None:
        checks = CHECKS
        if data.draw(strategies.integers(0, 3), label="seeded ids") > 0:
            customer = data.draw(strategies.sampled_from(world.customers), label="customer")
            seed_ids(case, route, customer, world)
            if data.draw(strategies.integers(0, 2), label="valid request") == 0 and valid_request(
                case, route, customer, world
            ):
                checks = [*CHECKS, answered_by_the_rules]
        if data.draw(strategies.integers(0, 2), label="extreme value") == 0:
            add_extreme(case, data, method, route)
            checks = CHECKS
        try:
            # The checks see the case revalidated against the schema after the changes above.
            case.call_and_validate(headers=admin, checks=checks)
        except (Exception, BaseExceptionGroup) as error:
            stored = _store_failure(backend, operation, case, error)
            raise AssertionError(f"{error}\n\nstored in {stored}") from error

    def valid_requests_reach_the_rules() -> None:
        # Before the fuzz, one well-formed request per seeded customer (receipts stored, offers
        # assigned and redeemed, checkpoints and points credited), whatever the generator draws.
        for customer in world.customers:
            case = described.Case()
            if not valid_request(case, route, customer, world):
                return
            try:
                case.call_and_validate(headers=admin, checks=[*CHECKS, answered_by_the_rules])
            except (Exception, BaseExceptionGroup) as error:
                stored = _store_failure(backend, operation, case, error)
                raise AssertionError(f"{error}\n\nstored in {stored}") from error

    # In a thread, so this event loop keeps running while schemathesis drives its own.
    await asyncio.to_thread(valid_requests_reach_the_rules)
    await asyncio.to_thread(answers_as_described)
