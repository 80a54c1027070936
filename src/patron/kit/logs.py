"""Logging for a Patron process: one line per record, at the deployment's level."""

from __future__ import annotations

import logging


def configure(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(levelname)s %(name)s %(message)s")
    # httpx logs every request it sends at INFO: a line per webhook delivery says nothing the
    # deliveries' own records do not, and costs a worker a share of its time.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))
