"""`patron-client outbox export-xml`: what is pending, as Patron's import files. Each file is
checked against the server's XSD, and taken by `patron import` on a real database."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import os
import secrets
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from lxml import etree
from patron_client import Patron, State
from patron_client.models import CheckpointAward, Consent, ContactChanges, Discount, NewContact, Preferences
from patron_client.outbox.store import OutboxStore
from sales import receipt

from conftest import RunningPatron

NS = {"p": "urn:patron:import:1"}
NOWHERE = "http://127.0.0.1:9"
TOKEN = "till01.s3cret-s3cret-s3cret"


def _schema() -> etree.XMLSchema:
    xsd = importlib.resources.files("patron.imports").joinpath("patron-import.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(xsd))


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("patron-client")), *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _export(outbox: Path, folder: Path, *flags: str) -> dict[str, Path]:
    done = _cli("outbox", "export-xml", "--outbox", str(outbox), "--out", str(folder), *flags)
    assert done.returncode == 0, done.stderr
    files = [Path(line) for line in done.stdout.splitlines()]
    return {path.name.split("-")[-2]: path for path in files}


def test_every_exported_file_is_valid_against_the_servers_schema(outbox_path: Path, tmp_path: Path) -> None:
    contact_id = "8d0c3f57-0000-4000-8000-000000000002"
    offer = "5f0c7a4e-1d2b-4c3a-8e9f-0a1b2c3d4e5f"
    with Patron(NOWHERE, TOKEN, outbox=outbox_path, send_in_background=False) as till:
        till.later.create_contact(
            NewContact(
                email="anna@example.com",
                first_name="Anna",
                birth_day=dt.date(1988, 4, 12),
                preferences=Preferences(accepts_email=True, accepts_sms=False),
                consents=[Consent(id="newsletter", value=True, date="2026-11-01", source="till")],
                favouriteStore="store-12",
                householdSize=3,
            )
        )
        sale = receipt("R-1", "store-12", contact_id, offer=offer)
        sale.items[0].discounts.append(Discount(value=Decimal("20.00"), type="Promotion"))
        sale.extra_data = {"till": "3"}
        till.later.send_receipt(sale)
        till.later.send_receipt(receipt("R-2", "store-12", contact_id, total="49.50"))
        till.later.redeem(offer, "POS")
        # No file form: these stay for the sender.
        till.later.award_checkpoints([CheckpointAward(definition_id=offer, contact_id=contact_id)])
        till.later.update_contact(contact_id, ContactChanges(city="Lund"))

    files = _export(outbox_path, tmp_path / "out")
    assert sorted(files) == ["contacts", "receipts", "redemptions"]
    schema = _schema()
    for path in files.values():
        document = etree.parse(str(path))
        assert schema.validate(document), f"{path.name}: {schema.error_log}"
    receipts = etree.parse(str(files["receipts"]))
    assert receipts.xpath("//p:receipt/p:uniqueReceiptId/text()", namespaces=NS) == ["R-1", "R-2"]
    assert receipts.xpath("//p:usedPromotion/p:promotionId/text()", namespaces=NS) == [offer]
    assert receipts.xpath("//p:receipt[1]/p:extraData/text()", namespaces=NS) == ['{"till":"3"}']
    assert receipts.xpath("//p:discount/p:value/text()", namespaces=NS) == ["20.00"]
    contact = etree.parse(str(files["contacts"]))
    assert contact.xpath("//p:attribute[@name='householdSize']/@type", namespaces=NS) == ["number"]
    assert contact.xpath("//p:preferences/p:acceptsSms/text()", namespaces=NS) == ["false"]
    redemption = etree.parse(str(files["redemptions"]))
    assert redemption.xpath("//p:assignmentId/text()", namespaces=NS) == [offer]
    # Exporting is looking: without --mark-exported everything is still queued.
    assert OutboxStore(outbox_path).counts().pending == 6
    assert not list((tmp_path / "out").glob(".*.part"))


def test_exported_files_are_imported_by_patron_and_no_longer_sent(
    patron: RunningPatron, outbox_path: Path, tmp_path: Path
) -> None:
    store = patron.backoffice.store()
    contact_id = patron.backoffice.contact(email=f"x.{secrets.token_hex(4)}@example.com")
    offer = patron.backoffice.assign(contact_id, patron.backoffice.active_promotion())
    ids = [f"X-{secrets.token_hex(5)}" for _ in range(3)]
    with Patron(patron.url, patron.till_token, outbox=outbox_path, send_in_background=False) as till:
        for unique in ids:
            till.later.send_receipt(receipt(unique, store, contact_id))
        till.later.redeem(offer, "POS")
        till.later.award_checkpoints(
            [CheckpointAward(definition_id=patron.backoffice.stamp_card(), contact_id=contact_id)]
        )

    files = _export(outbox_path, tmp_path / "drop", "--mark-exported")
    counts = OutboxStore(outbox_path).counts()
    assert (counts.pending, counts.exported) == (1, 4)
    environment = {**os.environ, **patron.server.environment}
    for kind, path in files.items():
        imported = subprocess.run(
            [str(Path(sys.executable).with_name("patron")), "import", kind, str(path)],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert imported.returncode == 0, imported.stdout + imported.stderr
        report = path.with_name(path.name + ".report.csv").read_text().splitlines()
        assert report == ["line,row,key,message"], report

    assert sorted(
        item["uniqueReceiptId"] for item in patron.backoffice.purchase_history(contact_id)
    ) == sorted(ids)
    assert [o["redeemed"] for o in patron.backoffice.offers(contact_id)] == [True]
    # The sender takes what had no file form, and leaves the exported calls alone.
    with Patron(patron.url, patron.till_token, outbox=outbox_path) as till:
        assert till.outbox.wait_until_sent(timeout=60)
    left = OutboxStore(outbox_path)
    assert [entry.call.kind for entry in left.entries(State.DELIVERED)] == ["1 checkpoint awards"]
    assert len(left.entries(State.EXPORTED)) == 4
