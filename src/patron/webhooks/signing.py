"""Standard Webhooks signing: the secret's form and the three headers of a delivery."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """`whsec_` and the base64 of 32 random bytes, the form standardwebhooks reads."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def headers(event_id: str, sent_at: datetime, body: str, secrets_in_use: Sequence[str]) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` and `webhook-signature`: one `v1,` signature per
    secret in use (two while a rotated-out secret still signs), separated by spaces."""
    signatures = [Webhook(secret).sign(event_id, sent_at, body) for secret in secrets_in_use]
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
