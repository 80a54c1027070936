"""Errors of webhook subscriptions."""

from patron.errors import error

WebhookNotFound = error(404, "WebhookNotFound", "No webhook endpoint with that id.")
WebhookDeliveryNotFound = error(404, "WebhookDeliveryNotFound", "No delivery with that id on this endpoint.")
WebhookUrlRefused = error(400, "WebhookUrlRefused", "This address may not receive webhooks.")
