"""`patron-client outbox status|flush|export-xml`: what a till has queued, sent by hand, or
written out as import XML for Patron's file route.

The key is read from PATRON_TOKEN (not an argument, so it stays out of `ps` and shell
history); Patron's address from PATRON_URL or --url; the outbox file from
PATRON_CLIENT_OUTBOX or --outbox.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from patron_client.credentials import ApiKey
from patron_client.outbox.sender import flush
from patron_client.outbox.store import Counts, Entry, OutboxStore, State
from patron_client.outbox.xml_export import export_pending
from patron_client.retry import RetryPolicy
from patron_client.settings import DEFAULT_TIMEOUT
from patron_client.wire import Endpoint


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="patron-client", description=__doc__.split("\n\n")[0])
    groups = parser.add_subparsers(dest="group", required=True)
    outbox = groups.add_parser("outbox", help="the local outbox of queued calls")
    commands = outbox.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("status", "count what is pending, delivered and refused, and list the pending and refused calls"),
        ("flush", "send what is pending now, in order, in the foreground"),
        ("export-xml", "write the pending receipts, redemptions and contacts as import XML files"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument(
            "--outbox", type=Path, default=os.environ.get("PATRON_CLIENT_OUTBOX"), help="the outbox file"
        )
        if name == "status":
            command.add_argument("--json", action="store_true", help="print JSON")
            command.add_argument("--limit", type=int, default=20, help="calls listed per state")
        if name == "flush":
            command.add_argument("--url", default=os.environ.get("PATRON_URL"), help="Patron's address")
            command.add_argument("--engage-prefix", default="/api/v3")
            command.add_argument(
                "--attempts", type=int, default=5, help="tries of the first call before giving up"
            )
            command.add_argument(
                "--requeue-refused", action="store_true", help="put refused calls back in line first"
            )
        if name == "export-xml":
            command.add_argument("--out", type=Path, required=True, help="the folder the files go to")
            command.add_argument(
                "--mark-exported",
                action="store_true",
                help="take the exported calls out of the queue (the file now carries them)",
            )
    return parser


def _entry_json(entry: Entry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "kind": entry.call.kind,
        "method": entry.call.method,
        "path": entry.call.path,
        "idempotencyKey": entry.idempotency_key,
        "queuedOn": entry.queued_on.isoformat(),
        "attempts": entry.attempts,
        "lastError": entry.last_error,
        "answerStatus": entry.answer_status,
        "answer": entry.answer_body.decode(errors="replace") if entry.answer_body else None,
    }


def _counts_json(counts: Counts) -> dict[str, object]:
    return {
        "pending": counts.pending,
        "delivered": counts.delivered,
        "refused": counts.refused,
        "exported": counts.exported,
        "oldestPending": counts.oldest_pending.isoformat() if counts.oldest_pending else None,
    }


def status(store: OutboxStore, as_json: bool, limit: int) -> int:
    counts = store.counts()
    pending = store.entries(State.PENDING, limit)
    refused = store.entries(State.REFUSED, limit)
    if as_json:
        body = {
            **_counts_json(counts),
            "pendingCalls": [_entry_json(e) for e in pending],
            "refusedCalls": [_entry_json(e) for e in refused],
        }
        print(json.dumps(body, indent=2))
        return 0
    oldest = f", oldest queued {counts.oldest_pending:%Y-%m-%d %H:%M:%S} UTC" if counts.oldest_pending else ""
    exported = f"; {counts.exported} exported to files" if counts.exported else ""
    print(
        f"{counts.pending} pending{oldest}; {counts.delivered} delivered; {counts.refused} refused{exported}"
    )
    for entry in pending:
        error = f" — last try: {entry.last_error}" if entry.last_error else ""
        print(f"  pending #{entry.seq} {entry.call.kind} ({entry.attempts} tries){error}")
    for entry in refused:
        print(f"  refused #{entry.seq} {entry.call.kind}: {entry.answer_status} {_error_key(entry)}")
    return 0


def _error_key(entry: Entry) -> str:
    try:
        envelope = json.loads(entry.answer_body or b"")
    except ValueError:
        return ""
    return str(envelope.get("key", "")) if isinstance(envelope, dict) else ""


def flush_now(store: OutboxStore, url: str, token: str, prefix: str, attempts: int, requeue: bool) -> int:
    if requeue:
        store.requeue_refused()
    endpoint = Endpoint(url, ApiKey.from_token(token), prefix)
    policy = RetryPolicy(attempts=attempts)
    with httpx.Client(timeout=DEFAULT_TIMEOUT) as http:
        delivered = flush(store, http, endpoint, policy)
    counts = store.counts()
    print(f"{delivered} delivered; {counts.pending} still pending; {counts.refused} refused")
    return 0 if counts.pending == 0 else 1


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.outbox is None:
        print("patron-client: give --outbox or set PATRON_CLIENT_OUTBOX", file=sys.stderr)
        return 2
    if not arguments.outbox.exists():
        print(f"patron-client: no outbox at {arguments.outbox}", file=sys.stderr)
        return 2
    store = OutboxStore(arguments.outbox)
    try:
        if arguments.command == "status":
            return status(store, arguments.json, arguments.limit)
        if arguments.command == "flush":
            token = os.environ.get("PATRON_TOKEN")
            if not arguments.url or not token:
                print("patron-client: flush needs --url (or PATRON_URL) and PATRON_TOKEN", file=sys.stderr)
                return 2
            return flush_now(
                store,
                arguments.url,
                token,
                arguments.engage_prefix,
                arguments.attempts,
                arguments.requeue_refused,
            )
        written = export_pending(store, arguments.out, mark_exported=arguments.mark_exported)
        for path in written:
            print(path)
        return 0
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
