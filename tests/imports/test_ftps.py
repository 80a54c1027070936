"""`patron ftp` with a real FTPS client (ftplib.FTP_TLS): a key uploads into its own folder, the
real worker imports the file and moves it to processed/, the key downloads its report; another
key can neither list nor read that folder; plain FTP is refused; uploads are size-capped."""

from __future__ import annotations

import asyncio
import datetime
import ftplib
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI

from patron.auth.roles import Role
from patron.db.engine import create_database
from patron.files.ftp import FtpOptions, build_server
from patron.files.ftp_keys import KeyChecks
from patron.imports.xml_format import ImportKind
from patron.imports.xml_writer import write
from patron.state import AppState
from tests.conftest import issue_token
from tests.factories import make_contact_id
from tests.imports.files import until
from tests.receipts.factories import make_store, receipt

CONTROL_PORT = 8700
PASSIVE_PORTS = range(8701, 8720)
UPLOAD_CAP = 64 * 1024


def _certificate(folder: Path) -> Path:
    """A self-signed certificate and its key in one PEM file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = folder / "ftp.pem"
    pem.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return pem


@pytest.fixture
def ftps(watched: tuple[FastAPI, Path], tmp_path: Path) -> Iterator[Path]:
    """`patron ftp`'s server on the watched drop folder, in a thread of its own."""
    application, drop = watched
    state: AppState = application.state.patron
    checks = KeyChecks(state.verifier, create_database(state.settings))
    options = FtpOptions(
        drop=drop,
        host="127.0.0.1",
        port=CONTROL_PORT,
        passive_ports=PASSIVE_PORTS,
        masquerade_address="",
        certfile=str(_certificate(tmp_path)),
        keyfile="",
        max_upload_bytes=UPLOAD_CAP,
        insecure_plain=False,
    )
    server = build_server(options, checks)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield drop
    stopping.set()
    thread.join(5)
    server.close_all()
    checks.close()


def _login(token: str) -> ftplib.FTP_TLS:
    key_id, secret = token.split(".", 1)
    ftp = ftplib.FTP_TLS(timeout=10)
    ftp.connect("127.0.0.1", CONTROL_PORT)
    ftp.login(key_id, secret)
    ftp.prot_p()
    return ftp


@pytest.fixture
async def keys(client: httpx.AsyncClient, state: AppState) -> tuple[str, str]:
    first = await issue_token(state.database, Role.INTEGRATION, "till 3")
    second = await issue_token(state.database, Role.INTEGRATION, "till 4")
    return first, second


def _receipts_xml(bodies: list[dict]) -> bytes:
    out = io.StringIO()
    write(out, ImportKind.RECEIPTS, bodies)
    return out.getvalue().encode()


async def test_a_file_uploaded_over_ftps_is_imported_and_moved_to_processed(
    ftps: Path, keys: tuple[str, str], client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact_id(client, till)
    token = keys[0]
    folder = ftps / token.split(".", 1)[0]
    ftp = await asyncio.to_thread(_login, token)
    try:
        data = _receipts_xml([receipt(contact, store) for _ in range(3)])
        await asyncio.to_thread(ftp.storbinary, "STOR till.xml", io.BytesIO(data))
        await until(lambda: (folder / "processed" / "till.xml.report.csv").exists())
        assert (folder / "processed" / "till.xml").read_bytes() == data
        assert "till.xml.report.csv" in await asyncio.to_thread(ftp.nlst, "processed")
        report = io.BytesIO()
        await asyncio.to_thread(ftp.retrbinary, "RETR processed/till.xml.report.csv", report.write)
        assert report.getvalue().decode().splitlines() == ["line,row,key,message"]
    finally:
        await asyncio.to_thread(ftp.quit)
    history = await client.get("/api/v3/contacts/transactions", params={"contactId": contact}, headers=till)
    assert history.json()["totalCount"] == 3


async def test_a_key_cannot_list_or_read_another_keys_folder(ftps: Path, keys: tuple[str, str]) -> None:
    first, second = keys
    owner = first.split(".", 1)[0]
    (ftps / owner).mkdir(parents=True, exist_ok=True)
    (ftps / owner / "private.xml.report.csv").write_text("line,row,key,message\n")
    (ftps / second.split(".", 1)[0]).mkdir(parents=True, exist_ok=True)
    (ftps / second.split(".", 1)[0] / "own.xml.report.csv").write_text("line,row,key,message\n")
    ftp = await asyncio.to_thread(_login, second)
    try:
        assert await asyncio.to_thread(ftp.nlst) == ["own.xml.report.csv"]
        for path in (f"../{owner}", f"/{owner}", f"/../{owner}"):
            with pytest.raises(ftplib.error_perm):
                await asyncio.to_thread(ftp.cwd, path)
        for path in (f"../{owner}/private.xml.report.csv", f"/{owner}/private.xml.report.csv"):
            with pytest.raises(ftplib.error_perm):
                await asyncio.to_thread(ftp.retrbinary, f"RETR {path}", io.BytesIO().write)
        assert await asyncio.to_thread(ftp.nlst, "/") == ["own.xml.report.csv"]
    finally:
        await asyncio.to_thread(ftp.quit)


async def test_wrong_secrets_and_plain_ftp_are_refused(ftps: Path, keys: tuple[str, str]) -> None:
    key_id, secret = keys[0].split(".", 1)
    with pytest.raises(ftplib.error_perm):
        await asyncio.to_thread(_login, f"{key_id}.{'x' * len(secret)}")
    plain = ftplib.FTP(timeout=10)
    await asyncio.to_thread(plain.connect, "127.0.0.1", CONTROL_PORT)
    try:
        with pytest.raises(ftplib.error_perm, match="SSL/TLS required"):
            await asyncio.to_thread(plain.login, key_id, secret)
    finally:
        plain.close()


def _upload_answer(ftp: ftplib.FTP_TLS, name: str, data: bytes) -> str:
    """The server's answer to an upload; it may cut the data connection first, and answer after."""
    try:
        ftp.storbinary(f"STOR {name}", io.BytesIO(data))
    except ftplib.error_perm as refused:
        return str(refused)
    except OSError:
        try:
            ftp.getresp()
        except ftplib.error_perm as refused:
            return str(refused)
    return "stored"


async def test_an_upload_over_the_cap_is_cut_off_and_deleted(ftps: Path, keys: tuple[str, str]) -> None:
    token = keys[0]
    folder = ftps / token.split(".", 1)[0]
    ftp = await asyncio.to_thread(_login, token)
    try:
        answer = await asyncio.to_thread(_upload_answer, ftp, "huge.xml", b"x" * (UPLOAD_CAP * 16))
        assert answer.startswith("552"), answer
        assert await asyncio.to_thread(_upload_answer, ftp, "small.xml", b"x" * 100) == "stored"
    finally:
        ftp.close()
    assert not (folder / "huge.xml").exists()
    assert not (folder / ".huge.xml.part").exists()
