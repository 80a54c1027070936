"""Contacts and stores for the contacts tests: the shared factories."""

from tests.factories import make_contact, make_store

__all__ = ["make_contact", "make_store"]
