"""Idempotency-Key: the first response to a POST is kept and replayed to retries."""
