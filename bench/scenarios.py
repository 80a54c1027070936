"""The registry of benchmark scenarios `make bench` runs: one entry each.

A wrk scenario is a Lua script under bench/lua/ (with the token and the seeded contact count
as its arguments). A script scenario is a Python file run as
`python bench/<file> --json --url URL --token TOKEN --backend B --seconds S` that prints JSON
lines in the contract of bench/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WrkScenario:
    name: str
    lua: str
    path: str = "/"
    unit: str = "rps"
    # The scenario whose rate on the same server this one is compared with; None: the trivial server.
    baseline: str | None = "bare route"


@dataclass(frozen=True)
class ScriptScenario:
    name: str
    script: str


SCENARIOS: list[WrkScenario | ScriptScenario] = [
    WrkScenario("bare route", "plain.lua", "/healthz", baseline=None),
    WrkScenario("contact lookup", "contact_lookup.lua"),
    WrkScenario("contact create", "contact_create.lua"),
    # Script scenarios join here, e.g. ScriptScenario("receipts", "receipts.py").
]
