"""The durable local outbox: calls queued on disk and sent in order."""
