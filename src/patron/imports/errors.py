"""Errors of file imports."""

from patron.errors import error

FileImportInProgress = error(
    409, "FileImportInProgress", "Another run is importing this file; its lease has not run out."
)
FileImportLeaseLost = error(
    409, "FileImportLeaseLost", "Another run took this file over; this one stopped before its next batch."
)
