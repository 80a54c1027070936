"""Applying the Alembic tree from code (the CLI and the tests use this).

The functions are synchronous: Alembic's environment runs its own event loop, so call
them from a thread when a loop is already running.
"""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def _config(url: str, output: io.StringIO | None = None) -> Config:
    config = Config(stdout=output) if output is not None else Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(_config(url), revision)


def downgrade(url: str, revision: str = "-1") -> None:
    command.downgrade(_config(url), revision)


def current(url: str) -> str:
    output = io.StringIO()
    command.current(_config(url, output))
    return output.getvalue().strip()
