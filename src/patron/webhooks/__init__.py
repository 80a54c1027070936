"""Webhooks: endpoints subscribed to outbox events, and the delivery of those events to them."""
