"""Receipts: what contacts bought and returned, stored once as activity."""
