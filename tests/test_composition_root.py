"""One composition root: modules hold no mutable state, and two applications share nothing.

Everything a request or a background loop reaches is built by `patron.state.assemble` and
passed down. A module may declare constants, types, functions and the framework's declared
objects (routers, loggers, statements); it may not keep a list, dict, set or object that
anyone changes after import.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime
import decimal
import enum
import functools
import importlib
import logging
import operator
import pathlib
import pkgutil
import re
import types
import typing
import uuid
from collections.abc import Iterator

import httpx
import pydantic
import pytest
import rich.console
import sqlalchemy
import sqlalchemy.sql.base
import sqlalchemy.sql.functions
import typer
from fastapi import APIRouter, FastAPI

import patron
from patron.app import create_app
from patron.auth.roles import Role
from patron.state import AppState
from tests.challenges.factories import challenges_of, make_definition
from tests.conftest import issue_token, make_settings
from tests.factories import make_contact_id
from tests.receipts.factories import make_store, receipt

_SOURCE = pathlib.Path(patron.__file__).parent

# Values that cannot change, or are declared once at import and never changed after.
_IMMUTABLE = (
    str,
    bytes,
    int,
    float,
    bool,
    type(None),
    decimal.Decimal,
    uuid.UUID,
    frozenset,
    enum.Enum,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.ModuleType,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    datetime.tzinfo,
    re.Pattern,
    pathlib.PurePath,
    operator.attrgetter,
    typing.TypeVar,
    types.GenericAlias,
    types.UnionType,
    # Declared at import by the frameworks: routes, commands, loggers, consoles, validators.
    APIRouter,
    typer.Typer,
    logging.Logger,
    rich.console.Console,
    pydantic.TypeAdapter,
    # SQLAlchemy's statements, tables, column sets and types are built once and only read.
    sqlalchemy.sql.ClauseElement,
    sqlalchemy.Table,
    sqlalchemy.types.TypeEngine,
    sqlalchemy.sql.base.ReadOnlyColumnCollection,
    sqlalchemy.sql.functions._FunctionGenerator,
)


def _modules() -> list[types.ModuleType]:
    names = [info.name for info in pkgutil.walk_packages(patron.__path__, "patron.")]
    return [importlib.import_module(name) for name in names if not name.endswith("__main__")]


def _immutable(value: object) -> bool:
    if isinstance(value, tuple):
        return all(_immutable(item) for item in value)
    if isinstance(value, types.MappingProxyType):
        return all(_immutable(key) and _immutable(item) for key, item in value.items())
    if isinstance(value, functools._lru_cache_wrapper):
        # A memo of a pure function (the same answer for the same arguments) is not state.
        return True
    if type(value) is object:
        return True  # a sentinel
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return bool(value.__dataclass_params__.frozen)  # type: ignore[attr-defined]
    if typing.get_origin(value) is not None or type(value).__module__ in ("typing", "typing_extensions"):
        return True  # a type alias
    return isinstance(value, _IMMUTABLE)


def _own_names(module: types.ModuleType) -> Iterator[str]:
    """The names a module assigns at its top level (not those it imports)."""
    tree = ast.parse(pathlib.Path(module.__file__ or "").read_text())
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    yield name.id


def test_no_module_keeps_mutable_state() -> None:
    mutable = [
        f"{module.__name__}.{name}: {type(getattr(module, name)).__name__}"
        for module in _modules()
        for name in _own_names(module)
        if name != "__all__" and not _immutable(getattr(module, name))
    ]
    assert mutable == [], "module-level mutable state (build it in patron.state.assemble instead)"


def test_no_module_rebinds_globals_or_another_modules_attributes() -> None:
    """`global` and assignments to a module's attribute are how start-up wiring crept in."""
    found = []
    for path in sorted(_SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        imported = {
            alias.asname or alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                found.append(f"{path.relative_to(_SOURCE)}:{node.lineno} global {', '.join(node.names)}")
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in imported
                        and target.value.id not in ("self", "cls")
                    ):
                        found.append(
                            f"{path.relative_to(_SOURCE)}:{node.lineno} sets {target.value.id}.{target.attr}"
                        )
    assert found == []


def _snapshot() -> dict[str, str]:
    """Every module global's identity, and the contents of containers a guard missed."""
    taken = {}
    for module in _modules():
        for name, value in vars(module).items():
            if isinstance(value, (list, dict, set)):
                taken[f"{module.__name__}.{name}"] = f"{id(value)} {value!r}"
            else:
                taken[f"{module.__name__}.{name}"] = str(id(value))
    return taken


def _state(app: FastAPI) -> AppState:
    built: AppState = app.state.patron
    return built


async def _checkpoints(http: httpx.AsyncClient, headers: dict[str, str], contact: str) -> int:
    return sum(int(found["completedCheckpoints"]) for found in await challenges_of(http, headers, contact))


async def test_two_applications_in_one_process_share_nothing(
    client: httpx.AsyncClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two applications on one database behave as two server processes do: each keeps its own
    definitions, subscribers and settings; running both changes no module's globals."""
    before = _snapshot()
    first = create_app(make_settings(database_url, definition_cache_seconds=30), background=False)
    second = create_app(
        make_settings(database_url, definition_cache_seconds=0, default_point_definition_id=7),
        background=False,
    )
    one, other = _state(first), _state(second)
    assert one.bus is not other.bus and one.receipt_rules is not other.receipt_rules
    assert one.checkpoints.holders is not other.checkpoints.holders
    assert (one.receipt_rules.ttl, other.receipt_rules.ttl) == (30, 0)
    assert one.checkpoints.rewards.default_point_definition_id is None
    assert other.checkpoints.rewards.default_point_definition_id == 7

    heard: list[object] = []

    async def listener(session: object, activity: object) -> None:
        heard.append(activity)

    one.bus.subscribe_receipts(listener)  # type: ignore[arg-type]
    async with (
        first.router.lifespan_context(first),
        second.router.lifespan_context(second),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://one.test") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://other.test") as b,
    ):
        admin = {"apikey": await issue_token(one.database, Role.ADMIN)}
        till = {"apikey": await issue_token(one.database, Role.INTEGRATION)}
        store = await make_store(a, admin)
        contact = await make_contact_id(a, till)
        # The first application reads the receipt-driven definitions (none) and keeps them.
        assert (
            await a.post("/api/v3/receipts", json=receipt(contact, store), headers=till)
        ).status_code == 201
        assert len(heard) == 1
        # The second creates one: the first does not hear of it until its cache time passes.
        await make_definition(b, admin, requiredNumberOfCheckpoints=10, checkpointAssignOn=1)
        assert (
            await b.post("/api/v3/receipts", json=receipt(contact, store), headers=till)
        ).status_code == 201
        assert len(heard) == 1  # the second application's receipt is not told to the first's bus
        assert await _checkpoints(b, till, contact) == 1
        assert (
            await a.post("/api/v3/receipts", json=receipt(contact, store), headers=till)
        ).status_code == 201
        assert len(heard) == 2
        assert await _checkpoints(a, till, contact) == 1  # the first still keeps "no definitions"
    assert _snapshot() == before
