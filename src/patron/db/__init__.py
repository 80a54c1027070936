"""Database plumbing: metadata, engines, the unit of work and the locking helper."""
