"""Sending a receipt, and reading a contact's purchase history."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from pydantic import JsonValue

from patron_client.models.receipts import Receipt, StoredReceipt
from patron_client.models.wire_model import CamelModel
from patron_client.operations.answers import model_of, replayed
from patron_client.request import Call, Operation, json_body


def _read_stored(response: httpx.Response) -> StoredReceipt:
    stored = StoredReceipt.model_validate_json(response.content)
    return stored.model_copy(update={"replayed": replayed(response) or response.status_code == 200})


def send_receipt(receipt: Receipt) -> Operation[StoredReceipt]:
    """201 when stored now; 200 (replayed) when Patron already had this uniqueReceiptId with the
    same body. Another body under a stored uniqueReceiptId is ReceiptAlreadyExists."""
    call = Call("POST", "/receipts", body=json_body(receipt), kind=f"receipt {receipt.unique_receipt_id}")
    return Operation(call, _read_stored)


class PurchaseHistory(CamelModel):
    items: list[dict[str, JsonValue]]
    count: int
    offset: int
    total_count: int | None = None


def purchase_history(contact_id: str, offset: int = 0, count: int = 100) -> Operation[PurchaseHistory]:
    path = f"/contacts/{quote(contact_id, safe='')}/transactions"
    call = Call("GET", path, params=(("offset", str(offset)), ("count", str(count))), kind="purchase history")
    return Operation(call, model_of(PurchaseHistory))
