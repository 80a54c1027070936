"""`patron ftp`: the drop folder over FTPS (pyftpdlib, the optional `ftp` extra).

Each API key logs in with its key id and secret and is confined to its own folder
(`<drop>/<keyId>`); explicit TLS is required on the control and data connections unless plain
FTP was asked for. Uploads land under a temporary name and are renamed once complete, so the
drop folder's watcher takes a file the moment its upload ends; an upload over the size cap is
cut off and deleted.

pyftpdlib runs its own event loop in the calling thread and configures handlers through class
attributes, so `build_server` makes fresh handler classes for each server (nothing is set on
pyftpdlib's own) and verifies keys through a `KeyCheck` that the caller provides.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
from pyftpdlib.handlers import DTPHandler, FTPHandler, TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer

from patron.files.drop import KEY_FOLDER

log = logging.getLogger("patron.ftp")

# List, change folder, download, append, delete, rename, upload: no folders made, no modes.
KEY_PERMISSIONS = "elradfw"

# Whether a key id and secret belong to a live key that may use the drop folder.
KeyCheck = Callable[[str, str], bool]


@dataclass(frozen=True)
class FtpOptions:
    drop: Path
    host: str
    port: int
    passive_ports: range
    masquerade_address: str
    certfile: str
    keyfile: str
    max_upload_bytes: int
    # Plain FTP: passwords and files in clear text. Only when asked for by name.
    insecure_plain: bool


def passive_ports(text: str) -> range:
    """`60000-60099` -> range(60000, 60100)."""
    first, dash, last = text.partition("-")
    low = int(first)
    high = int(last) if dash else low
    if not 1 <= low <= high <= 65535:
        raise ValueError(f"passive ports {text!r}: expected FIRST-LAST within 1-65535")
    return range(low, high + 1)


class KeyAuthorizer(DummyAuthorizer):  # type: ignore[misc]
    """Logs a key in by its id and secret, each to its own folder; nothing is kept of the secret."""

    def __init__(self, drop: Path, check: KeyCheck) -> None:
        super().__init__()
        self._drop = drop
        self._check = check

    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        if not KEY_FOLDER.match(username) or not self._check(username, password):
            raise AuthenticationFailed("Authentication failed.")
        home = self._drop / username
        home.mkdir(parents=True, exist_ok=True)
        if not self.has_user(username):
            self.add_user(username, "", str(home), perm=KEY_PERMISSIONS, msg_login="Patron drop folder.")

    def get_home_dir(self, username: str) -> str:
        return str(self._drop / username)


def _capped(base: Any, limit: int) -> type:
    """A data channel that cuts an upload off past `limit` bytes (answered 552)."""

    # After the base's read event, so TLS's handshake and shutdown states are kept as they are.
    def handle_read_event(self: Any) -> None:
        base.handle_read_event(self)
        if self.receive and self.tot_bytes_received > limit and not self._closed:
            self._resp = (f"552 Uploads are capped at {limit} bytes; this one was deleted.", log.info)
            self.close()

    return type("CappedDataChannel", (base,), {"handle_read_event": handle_read_event})


def _partial_name(path: str) -> str:
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.part")


def _uploads_renamed(base: Any, attributes: dict[str, Any]) -> type:
    """A control channel whose uploads are written as `.NAME.part` and renamed when complete,
    configured by `attributes` (pyftpdlib's class attributes)."""

    def ftp_STOR(self: Any, file: str, mode: str = "w") -> Any:
        if mode != "w" or self._restart_position:
            return base.ftp_STOR(self, file, mode)  # an append or a resume writes in place
        self._patron_uploads = {**getattr(self, "_patron_uploads", {}), _partial_name(file): file}
        return base.ftp_STOR(self, _partial_name(file), mode)

    def on_file_received(self: Any, file: str) -> None:
        final = getattr(self, "_patron_uploads", {}).get(file)
        if final is not None:
            os.replace(file, final)

    def on_incomplete_file_received(self: Any, file: str) -> None:
        if file in getattr(self, "_patron_uploads", {}):
            os.remove(file)

    members = {
        "ftp_STOR": ftp_STOR,
        "on_file_received": on_file_received,
        "on_incomplete_file_received": on_incomplete_file_received,
    }
    return type("DropFolderHandler", (base,), {**attributes, **members})


def build_server(options: FtpOptions, check: KeyCheck) -> FTPServer:
    """A server on options.host:port; run it with `serve_forever()`."""
    options.drop.mkdir(parents=True, exist_ok=True)
    attributes: dict[str, Any] = {
        "authorizer": KeyAuthorizer(options.drop, check),
        "passive_ports": list(options.passive_ports),
        "masquerade_address": options.masquerade_address or None,
        "permit_foreign_addresses": False,
        "banner": "Patron drop folder ready.",
    }
    if options.insecure_plain:
        attributes["dtp_handler"] = _capped(DTPHandler, options.max_upload_bytes)
        return FTPServer((options.host, options.port), _uploads_renamed(FTPHandler, attributes))
    if not options.certfile:
        raise ValueError("FTPS needs a certificate: set PATRON_FTP_CERTFILE (or pass --insecure-plain-ftp)")
    attributes |= {
        "dtp_handler": _capped(TLS_DTPHandler, options.max_upload_bytes),
        "certfile": options.certfile,
        "keyfile": options.keyfile or options.certfile,
        "tls_control_required": True,
        "tls_data_required": True,
        # Built from certfile and keyfile on first use, for this class alone.
        "ssl_context": None,
    }
    return FTPServer((options.host, options.port), _uploads_renamed(TLS_FTPHandler, attributes))
