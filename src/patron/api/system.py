"""Liveness, readiness and metrics: what an orchestrator and Prometheus ask."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from sqlalchemy import text

from patron.api.deps import app_state, errors
from patron.api.metrics import Metrics
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
async def metrics(request: Request) -> Response:
    # This application's own metrics (create_app keeps them in the app's state), or every
    # process's when the server runs several. (A docstring would show in the OpenAPI document.)
    built: Metrics = request.app.state.metrics
    return Response(built.exposition(), media_type=CONTENT_TYPE_LATEST)
