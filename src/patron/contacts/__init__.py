"""Contacts: customers, their unique keys, preferences and consents."""
