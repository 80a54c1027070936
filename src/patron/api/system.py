"""Liveness, readiness and metrics: what an orchestrator and Prometheus ask."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from pydantic import BaseModel
from sqlalchemy import text

from patron.api.deps import app_state, errors
from patron.errors import ServiceUnavailable

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str
    pid: int


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok", pid=os.getpid())


@router.get("/readyz", response_model=Health, responses=errors(ServiceUnavailable))
async def readyz(request: Request) -> Health:
    database = app_state(request).database
    try:
        async with database.read_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except OSError as exc:
        raise ServiceUnavailable() from exc
    return Health(status="ready", pid=os.getpid())


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def metrics() -> Response:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
