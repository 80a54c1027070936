"""Errors of the receipts flow, with Engage's keys."""

from patron.errors import error

ReceiptNotFound = error(404, "ReceiptNotFound", "No receipt with that id.")
ReceiptAlreadyExists = error(
    409, "ReceiptAlreadyExists", "A different receipt with this uniqueReceiptId was stored already."
)
