"""The wire format of the minting route, POST /end-user-tokens."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from patron.kit.bodies import Body


class NewEndUserToken(Body):
    contactId: uuid.UUID


class EndUserTokenOut(BaseModel):
    # Sent as `x-enduser-access-token`, with `accountId` as `x-account-id`.
    token: str
    # When the token stops being accepted, in the deployment's zone.
    expiresOn: str
    accountId: str
