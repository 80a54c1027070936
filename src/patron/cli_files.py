"""`patron import contacts|receipts|redemptions FILE...` (a progress bar on a terminal, plain
progress lines otherwise: a pipe, a log, cron) and `patron ftp` (the drop folder over FTPS)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from patron.config import Settings
from patron.errors import PatronError
from patron.imports import runs
from patron.imports.xml_format import ImportKind
from patron.state import assemble

import_app = typer.Typer(help="Import XML files (docs/IMPORTS.md).", no_args_is_help=True)
PLAIN_EVERY_SECONDS = 5.0

Files = Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True, help="XML files.")]
BatchRows = Annotated[int, typer.Option(min=1, max=10_000, help="Rows per transaction.")]
TakeOver = Annotated[
    bool,
    typer.Option(help="Resume a file whose previous run is known to be dead, without waiting for its lease."),
]


class _Bar:
    """A Rich progress bar with rows/s and the time left."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None
        self._started = time.monotonic()
        self._first = 0

    def started(self, path: Path, total: int, done: int) -> None:
        self._task = self._progress.add_task(path.name, total=total, completed=done, rate="")
        self._started, self._first = time.monotonic(), done

    def advanced(self, done: int, failed: int) -> None:
        assert self._task is not None
        rate = (done - self._first) / max(time.monotonic() - self._started, 1e-6)
        self._progress.update(self._task, completed=done, rate=f"{rate:,.0f} rows/s, {failed} failed")


class _Lines:
    """Plain lines every few seconds, for a log."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._name = ""
        self._total = 0
        self._first = 0
        self._started = time.monotonic()
        self._last = 0.0

    def started(self, path: Path, total: int, done: int) -> None:
        self._name, self._total, self._first = path.name, total, done
        self._started = self._last = time.monotonic()
        self._console.print(f"{self._name}: {total} rows, {done} done before", highlight=False)

    def advanced(self, done: int, failed: int) -> None:
        now = time.monotonic()
        if now - self._last < PLAIN_EVERY_SECONDS and done < self._total:
            return
        self._last = now
        rate = (done - self._first) / max(now - self._started, 1e-6)
        self._console.print(
            f"{self._name}: {done}/{self._total} rows, {failed} failed, {rate:.0f} rows/s", highlight=False
        )


async def _import(
    kind: ImportKind, files: list[Path], batch_rows: int, take_over: bool, console: Console
) -> int:
    state = assemble(Settings())
    tools = runs.tools_for(state.settings, state.database, state.bus, state.write_turn)
    refused = 0
    try:
        for path in files:
            try:
                if console.is_terminal:
                    columns = (
                        TextColumn("{task.description}"),
                        BarColumn(),
                        MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]}"),
                        TimeRemainingColumn(),
                    )
                    with Progress(*columns, console=console) as bar:
                        done = await runs.import_file(
                            tools,
                            path,
                            kind,
                            "cli",
                            batch_rows=batch_rows,
                            take_over=take_over,
                            progress=_Bar(bar),
                        )
                else:
                    done = await runs.import_file(
                        tools,
                        path,
                        kind,
                        "cli",
                        batch_rows=batch_rows,
                        take_over=take_over,
                        progress=_Lines(console),
                    )
            except (OSError, PatronError) as exc:
                refused += 1
                console.print(f"{path}: {getattr(exc, 'key', type(exc).__name__)}: {exc}", highlight=False)
                continue
            if done.outcome is runs.Outcome.REFUSED:
                refused += 1
            console.print(
                f"{path}: {done.outcome.value}, {done.succeeded} applied, {done.failed} failed: {done.report}",
                highlight=False,
            )
    finally:
        await state.limiter.close()
        await state.database.dispose()
    return refused


def _command(kind: ImportKind) -> None:
    def run(
        files: Files, batch_rows: BatchRows = runs.DEFAULT_BATCH_ROWS, take_over: TakeOver = False
    ) -> None:
        refused = asyncio.run(_import(kind, files, batch_rows, take_over, Console()))
        if refused:
            raise typer.Exit(code=1)

    run.__doc__ = f"Import {kind.value} from XML files; each file's report is written beside it."
    import_app.command(kind.value)(run)


for _kind in ImportKind:
    _command(_kind)


def ftp(
    host: Annotated[str | None, typer.Option(help="Address to listen on (PATRON_FTP_HOST).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Control port (PATRON_FTP_PORT).")
    ] = None,
    insecure_plain_ftp: Annotated[
        bool,
        typer.Option(
            "--insecure-plain-ftp",
            help="INSECURE: plain FTP, key secrets and files in clear text. Only on a trusted network.",
        ),
    ] = False,
) -> None:
    """Serve the drop folder (PATRON_DROP_DIR) over FTPS: each key logs in with its key id and
    secret and sees only its own folder. Needs the optional ftp extra of the patron package."""
    try:
        from patron.files.ftp import FtpOptions, build_server, passive_ports
        from patron.files.ftp_keys import KeyChecks
    except ImportError as exc:
        raise typer.BadParameter("patron ftp needs the ftp extra: pip install 'patron[ftp]'") from exc
    settings = Settings()
    if not settings.drop_dir:
        raise typer.BadParameter("set PATRON_DROP_DIR to the folder the worker watches")
    state = assemble(settings)
    options = FtpOptions(
        drop=Path(settings.drop_dir),
        host=host or settings.ftp_host,
        port=port or settings.ftp_port,
        passive_ports=passive_ports(settings.ftp_passive_ports),
        masquerade_address=settings.ftp_masquerade_address,
        certfile=settings.ftp_certfile,
        keyfile=settings.ftp_keyfile,
        max_upload_bytes=settings.ftp_max_upload_bytes,
        insecure_plain=insecure_plain_ftp,
    )
    console = Console(stderr=True)
    if insecure_plain_ftp:
        console.print("[red]Plain FTP: key secrets and files travel in clear text.[/red]")
    checks = KeyChecks(state.verifier, state.database)
    try:
        server = build_server(options, checks)
    except ValueError as exc:
        checks.close()
        raise typer.BadParameter(str(exc)) from exc
    console.print(f"Serving {options.drop} on {options.host}:{options.port}", highlight=False)
    try:
        server.serve_forever(handle_exit=True)
    finally:
        server.close_all()
        checks.close()
