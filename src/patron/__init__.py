"""Patron: a self-hosted customer engagement and loyalty engine."""

__version__ = "0.1.0"
