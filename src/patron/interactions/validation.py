"""Interaction payloads checked against their schema's JSON Schema (the `jsonschema` package),
each refusal naming the path that failed.

A schema is checked once, when it is created, against the metaschema of the draft it names
(2020-12 when it names none). References are resolved within the schema only: `jsonschema`
fetches nothing from the network unless told to, and Patron never tells it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jsonschema import exceptions, validators
from jsonschema.protocols import Validator
from referencing import Registry
from referencing.exceptions import Unresolvable


@dataclass(frozen=True)
class PayloadProblem:
    path: str  # "payload", "payload.items[0].sku"
    message: str


def _validator_class(schema: dict[str, Any]) -> type[Validator]:
    return validators.validator_for(schema, default=validators.Draft202012Validator)  # type: ignore[no-any-return]


def schema_problem(schema: dict[str, Any]) -> str | None:
    """Why `schema` is not a JSON Schema, or None when it is one."""
    try:
        _validator_class(schema).check_schema(schema)
    except exceptions.SchemaError as error:
        return str(error.message)
    return None


def _path(parts: list[str | int]) -> str:
    text = "payload"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def payload_problems(
    schema: dict[str, Any], payload: dict[str, Any], limit: int = 20
) -> list[PayloadProblem]:
    """Where `payload` breaks `schema`, the most telling first (at most `limit` of them)."""
    # An empty registry: a `$ref` resolves within the schema or not at all (never fetched).
    validator = _validator_class(schema)(schema, registry=Registry())
    try:
        found = sorted(validator.iter_errors(payload), key=exceptions.relevance)
    except Unresolvable as error:
        return [PayloadProblem("payload", f"the schema refers to {error.ref}, which it does not hold")]
    return [PayloadProblem(_path(list(error.absolute_path)), error.message) for error in found[:limit]]
