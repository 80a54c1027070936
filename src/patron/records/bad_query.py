"""The one shape of a refused list query: a 400 naming the query parameter and what is wrong."""

from __future__ import annotations

from patron.errors import BadRequest, PatronError


def bad_query(parameter: str, message: str) -> PatronError:
    """`parameter` is the query parameter (`filters`, `sortBy`, ...); `message` names the field,
    operator or value it refuses, so a client can fix the request without reading the code."""
    return BadRequest(message, details=[{"field": parameter, "in": "query", "message": message}])
