"""Bulk imports: contacts created or updated by their unique keys, in the background."""
