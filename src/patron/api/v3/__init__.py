"""Engage-compatible REST, served at /api/v3 and again at /api/v2."""
