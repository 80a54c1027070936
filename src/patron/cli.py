"""The `patron` command: serve, worker, database migrations, API keys and webhooks."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import tempfile
import threading
import uuid
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from patron.auth import service as keys_service
from patron.auth.roles import KeyRate, Role
from patron.auth.sealing import KeySealing
from patron.challenges import rebuild as challenge_rebuild
from patron.cli_files import ftp, import_app
from patron.config import Settings
from patron.db import migrate
from patron.db.engine import Database, create_database
from patron.db.session import transaction
from patron.earning import rebuild as earning_rebuild
from patron.errors import PatronError
from patron.kit import clock
from patron.points import service as points_service
from patron.records import rebuild as record_rebuild
from patron.webhooks import service as webhooks_service

app = typer.Typer(help="Patron, the self-hosted loyalty engine.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
progress_app = typer.Typer(help="Challenge progress and point balances.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(progress_app, name="progress")
webhooks_app = typer.Typer(help="Webhook endpoints and their deliveries.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")
# `patron import` (docs/IMPORTS.md).
app.add_typer(import_app, name="import")
app.command("ftp")(ftp)
console = Console()
errors = Console(stderr=True)
Result = TypeVar("Result")


def _with_database(work: Callable[[Database], Awaitable[Result]]) -> Result:
    async def run() -> Result:
        database = create_database(Settings())
        try:
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except PatronError as exc:
        errors.print(f"[red]{exc.key}[/red]: {exc.message}")
        raise typer.Exit(code=1) from exc


def _bootstrap_admin(settings: Settings) -> None:
    """On a database with no keys, create an admin key and show its token once."""

    async def work(database: Database) -> keys_service.IssuedKey | None:
        async with transaction(database) as session:
            if await keys_service.has_keys(session):
                return None
            return await keys_service.create_key(
                session,
                name="bootstrap admin",
                role=Role.ADMIN,
                token=settings.bootstrap_admin_key or None,
                sealing=KeySealing.from_settings(settings),
            )

    issued = _with_database(work)
    if issued is not None and not settings.bootstrap_admin_key:
        console.print("[bold]Created an admin key. Its token is shown only this once:[/bold]")
        console.print(f"  {issued.token}", highlight=False, soft_wrap=True)


# How long a stopping server waits for its requests (uvicorn's timeout_graceful_shutdown), and
# how long after that it has to cancel them and close its database connections before the
# process ends regardless: a request whose work never gives the event loop back cannot be
# cancelled, and would keep it running.
GRACEFUL_SHUTDOWN_SECONDS = 10
SHUTDOWN_SECONDS = 5
STOPPED_BY_DEADLINE = 70  # the exit status of a server process its deadline ended (EX_SOFTWARE)


def stop_within(*signals: signal.Signals, seconds: float) -> None:
    """On the first of `signals`, end this process `seconds` later unless it has ended by
    then, and meanwhile hand the signal to the handler that was installed (uvicorn's, which
    starts the graceful shutdown). A Python signal handler runs in the main thread even while
    it is busy, so the deadline is armed whatever the event loop is doing."""
    armed = threading.Event()

    def deadline() -> None:
        os.write(2, b"patron: the server did not stop within its graceful timeout; exiting\n")
        os._exit(STOPPED_BY_DEADLINE)

    def arm() -> None:
        if not armed.is_set():
            armed.set()
            timer = threading.Timer(seconds, deadline)
            timer.daemon = True
            timer.start()

    for number in signals:
        previous = signal.getsignal(number)

        def handler(sig: int, frame: FrameType | None, previous: Any = previous) -> None:
            arm()
            if callable(previous):
                previous(sig, frame)
            elif previous == signal.SIG_DFL:
                # Nothing else listens: what the signal would have done.
                signal.signal(sig, signal.SIG_DFL)
                signal.raise_signal(sig)

        signal.signal(number, handler)


def served_app() -> Any:
    """The application as `serve` runs it in each server process: uvicorn calls this factory
    after installing its signal handlers, and SIGTERM or SIGINT then also arms the deadline by
    which the process ends (`stop_within`)."""
    from uvicorn.importer import import_from_string

    stop_within(signal.SIGTERM, signal.SIGINT, seconds=GRACEFUL_SHUTDOWN_SECONDS + SHUTDOWN_SECONDS)
    # By name, as uvicorn would load it: the command line does not import the web application.
    return import_from_string("patron.app:create_app")()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
) -> None:
    """Apply migrations, make sure an admin key exists, and serve the API.

    SIGTERM stops it: requests in progress get GRACEFUL_SHUTDOWN_SECONDS to finish, and the
    process ends at most SHUTDOWN_SECONDS after that, whatever a request is doing."""
    import uvicorn

    settings = Settings()
    migrate.upgrade(settings.database_url)
    _bootstrap_admin(settings)
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Each process keeps its own counters; /metrics adds them up from this folder.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="patron-metrics-")
    uvicorn.run(
        "patron.cli:served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrate.upgrade(Settings().database_url, revision)
    console.print(migrate.current(Settings().database_url) or "empty")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()] = "-1") -> None:
    """Undo migrations down to REVISION (default: one step)."""
    migrate.downgrade(Settings().database_url, revision)
    console.print(migrate.current(Settings().database_url) or "empty")


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration revision."""
    console.print(migrate.current(Settings().database_url) or "empty")


def _rate_fields(rate: KeyRate | None) -> dict[str, int | None]:
    """A key's own rate limit in the JSON output (nulls: its role's default)."""
    return {"rate": rate.per_second if rate else None, "burst": rate.burst if rate else None}


def _rate_text(rate: KeyRate | None) -> str:
    if rate is None:
        return "role default"
    return f"{rate.per_second}/s" + (f", burst {rate.burst}" if rate.burst else "")


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="admin or integration.")],
    name: Annotated[str, typer.Option(help="Who the key is for.")],
    rate: Annotated[
        int | None,
        typer.Option(
            min=1, help="Requests per second in each route class (reads, writes); default: the role's."
        ),
    ] = None,
    burst: Annotated[
        int | None,
        typer.Option(min=1, help="Requests a full bucket lets through at once (needs --rate)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a key; its token is printed once and never stored."""
    if burst is not None and rate is None:
        raise typer.BadParameter("--burst needs --rate.", param_hint="--burst")
    key_rate = KeyRate(rate, burst) if rate is not None else None

    async def work(database: Database) -> keys_service.IssuedKey:
        async with transaction(database) as session:
            return await keys_service.create_key(
                session, name=name, role=role, rate=key_rate, sealing=KeySealing.from_settings(Settings())
            )

    issued = _with_database(work)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "keyId": issued.key_id,
                    "name": issued.name,
                    "role": issued.role.value,
                    "token": issued.token,
                    **_rate_fields(issued.rate),
                }
            )
        )
    else:
        limit = f", {_rate_text(issued.rate)}" if issued.rate else ""
        console.print(
            f"Created {issued.role.value} key {issued.key_id} ({issued.name}{limit}). Token, shown once:"
        )
        console.print(f"  {issued.token}", highlight=False, soft_wrap=True)


@keys_app.command("list")
def keys_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List keys (never their secrets)."""

    async def work(database: Database) -> list[keys_service.KeyInfo]:
        async with transaction(database, write=False) as session:
            return await keys_service.list_keys(session)

    found = _with_database(work)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "keyId": key.key_id,
                        "name": key.name,
                        "role": key.role.value,
                        "createdOn": key.created_on.isoformat(),
                        "revokedOn": key.revoked_on.isoformat() if key.revoked_on else None,
                        **_rate_fields(key.rate),
                    }
                    for key in found
                ]
            )
        )
        return
    table = Table("key id", "name", "role", "rate", "created", "revoked")
    for key in found:
        revoked = key.revoked_on.isoformat(timespec="seconds") if key.revoked_on else ""
        table.add_row(
            key.key_id,
            key.name,
            key.role.value,
            _rate_text(key.rate),
            key.created_on.isoformat(timespec="seconds"),
            revoked,
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key id (the part before the dot).")]) -> None:
    """Revoke a key; servers refuse it within PATRON_AUTH_CACHE_SECONDS."""

    async def work(database: Database) -> keys_service.KeyInfo:
        async with transaction(database) as session:
            return await keys_service.revoke_key(session, key_id)

    key = _with_database(work)
    console.print(f"Revoked {key.key_id} ({key.name}).")


@keys_app.command("origins")
def keys_origins(
    key_id: Annotated[str, typer.Argument(help="The key id (the part before the dot).")],
    origins: Annotated[
        list[str] | None,
        typer.Argument(help="The web shops' origins (https://shop.example.com); none clears them."),
    ] = None,
) -> None:
    """Set the origins whose pages may show the widget with end-user tokens this key signs
    (docs/CONSOLE.md); every other origin is refused."""

    async def work(database: Database) -> keys_service.KeyInfo:
        async with transaction(database) as session:
            return await keys_service.admit_origins(session, key_id, origins or [])

    key = _with_database(work)
    console.print(f"{key.key_id} admits: {', '.join(key.allowed_origins) or 'no other origin'}.")


@progress_app.command("rebuild")
def progress_rebuild(
    check: Annotated[
        bool, typer.Option("--check", help="Only list differences; exit 1 if there are any.")
    ] = False,
) -> None:
    """Recompute every challenge from its ledger (Engage challenges from the checkpoint log,
    record challenges and streaks from their logs) and check balances against theirs."""

    async def work(database: Database) -> list[str]:
        async with transaction(database) as session:
            found = await challenge_rebuild.differences(session, repair=not check)
            found += await record_rebuild.differences(session, clock.now(), repair=not check)
            found += await points_service.balance_mismatches(session)
            found += await earning_rebuild.differences(session)
            if check:
                await session.rollback()
            return found

    found = _with_database(work)
    for line in found:
        console.print(line, highlight=False, soft_wrap=True)
    if check:
        if found:
            errors.print(f"{len(found)} difference(s) between the ledgers and the stored progress.")
            raise typer.Exit(code=1)
        console.print("No differences.")
    else:
        console.print(f"Rebuilt: {len(found)} difference(s) repaired.")


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=500, help="Deliveries sent at once.")] = 10,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus metrics on 127.0.0.1 at this port.")
    ] = None,
) -> None:
    """Run the background loops (webhook delivery, bulk imports, housekeeping, expiry events)
    until SIGTERM, which lets deliveries in flight finish (bounded) and exits 0. Any number of
    workers can run side by side on one PostgreSQL."""
    from uvicorn.importer import import_from_string

    # By name, as `serve` loads the application: the command line does not import the loops.
    import_from_string("patron.worker.main:run")(concurrency, metrics_port)


@webhooks_app.command("list")
def webhooks_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List webhook endpoints (never their secrets)."""

    async def work(database: Database) -> list[dict[str, Any]]:
        async with transaction(database, write=False) as session:
            found, _ = await webhooks_service.page(session, 0, 1000)
            return [webhooks_service.webhook_out(row).model_dump(mode="json") for row in found]

    found = _with_database(work)
    if as_json:
        typer.echo(json.dumps(found))
        return
    table = Table("id", "url", "event types", "active", "disabled because")
    for row in found:
        table.add_row(
            row["id"],
            row["url"],
            ",".join(row["eventTypes"]),
            str(row["active"]),
            row["disabledReason"] or "",
        )
    console.print(table)


@webhooks_app.command("deliveries")
def webhooks_deliveries(
    webhook_id: Annotated[str, typer.Argument(help="The endpoint's id.")],
    status: Annotated[str | None, typer.Option(help="pending, succeeded or failed.")] = None,
    event_type: Annotated[str | None, typer.Option(help="Only this event type.")] = None,
    count: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """An endpoint's deliveries, newest first, with their attempts."""

    async def work(database: Database) -> list[dict[str, Any]]:
        async with transaction(database, write=False) as session:
            found, _ = await webhooks_service.deliveries(
                session, _uuid(webhook_id), 0, count, status, event_type
            )
            return [delivery.model_dump(mode="json") for delivery in found]

    found = _with_database(work)
    if as_json:
        typer.echo(json.dumps(found))
        return
    table = Table("delivery", "event", "type", "status", "attempts", "last answer")
    for row in found:
        last = row["attempts"][-1] if row["attempts"] else None
        answer = "" if last is None else str(last["statusCode"] or last["error"])
        table.add_row(
            row["id"], row["eventId"], row["eventType"], row["status"], str(row["attemptCount"]), answer
        )
    console.print(table)


@webhooks_app.command("retry")
def webhooks_retry(
    webhook_id: Annotated[str, typer.Argument(help="The endpoint's id.")],
    delivery_id: Annotated[str, typer.Argument(help="The delivery's id.")],
) -> None:
    """Send one delivery again now (a running worker picks it up)."""

    async def work(database: Database) -> str:
        async with transaction(database) as session:
            retried = await webhooks_service.retry(session, _uuid(webhook_id), _uuid(delivery_id))
            return str(retried.id)

    console.print(f"Queued {_with_database(work)} again.")


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not an id.") from exc


def main() -> None:
    app()
