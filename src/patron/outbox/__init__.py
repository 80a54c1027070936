"""The outbox: events of every change worth telling, written with the change (docs/WEBHOOKS.md)."""
