"""What the retailer's back office sets up before a till calls: stores, offers, challenges,
point definitions. Plain HTTP with the admin key, outside the client under test."""

from __future__ import annotations

import secrets
from typing import Any

import httpx


class Backoffice:
    def __init__(self, base_url: str, admin_token: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"apikey": admin_token}, timeout=30)

    def _ok(self, response: httpx.Response) -> Any:
        assert response.is_success, f"{response.request.method} {response.request.url}: {response.text}"
        return response.json()

    def store(self, external_id: str | None = None) -> str:
        external_id = external_id or f"store-{secrets.token_hex(3)}"
        self._ok(self.http.post("/api/v3/stores", json={"externalId": external_id, "name": "Lund centre"}))
        return external_id

    def contact(self, **attributes: str) -> str:
        return str(self._ok(self.http.post("/api/v3/contacts", json=attributes))["id"])

    def active_promotion(self) -> str:
        body = {
            "externalId": f"promo-{secrets.token_hex(4)}",
            "name": "20% off t-shirts",
            "validity": {"startDate": "2020-03-18", "assignedValidity": {"unit": "Months", "amount": 3}},
            "redemptionChannels": [{"type": "POS", "valueType": "PERCENT", "value": 20}],
        }
        promotion = self._ok(self.http.post("/api/v3/promotions/multichannels", json=body))
        self._ok(self.http.post(f"/api/v3/promotions/multichannels/{promotion['id']}/activate"))
        return str(promotion["id"])

    def assign(self, contact_id: str, promotion_id: str) -> str:
        body = {"contactId": contact_id, "promotionId": promotion_id}
        return str(self._ok(self.http.post("/api/v3/promotion-assignments", json=body))["id"])

    def offers(self, contact_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._ok(
            self.http.get("/api/v3/promotion-assignments", params={"contactId": contact_id})
        )
        return found

    def stamp_card(self, stamps: int = 5) -> str:
        body = {
            "name": "Coffee card",
            "requiredNumberOfCheckpoints": stamps,
            "status": "Active",
            "isContactConsentRequired": False,
        }
        return str(self._ok(self.http.post("/api/v3/challenges/definitions", json=body))["id"])

    def challenges_of(self, contact_id: str) -> list[dict[str, Any]]:
        found = self._ok(self.http.get("/api/v3/challenges", params={"contactId": contact_id}))
        return list(found["items"])

    def point_definition(self) -> int:
        body = {"name": f"Points {secrets.token_hex(3)}", "description": "Bonus points"}
        return int(self._ok(self.http.post("/api/v3/point-accounts/definitions", json=body))["id"])

    def point_accounts(self, contact_id: str) -> list[dict[str, Any]]:
        found = self._ok(self.http.get("/api/v3/point-accounts", params={"contactId": contact_id}))
        return list(found if isinstance(found, list) else found["items"])

    def record_challenge(self) -> str:
        body = {
            "name": "Spend 500 a month",
            "description": "Monthly big spender",
            "status": "live",
            "completionTargetValue": 500,
            "aggregationMethod": "sum",
            "aggregationPeriod": "monthly",
            "timezone": "UTC",
        }
        return str(self._ok(self.http.post("/schema/challenge/record", json=body))["data"]["id"])

    def record_streak(self) -> str:
        body = {
            "name": "Walk 3 days in a row",
            "description": "3 000 steps a day",
            "status": "live",
            "completionTargetValue": 3,
            "aggregationMethod": "sum",
            "aggregationPeriod": "daily",
            "aggregationTargetValue": 3000,
            "timezone": "UTC",
        }
        return str(self._ok(self.http.post("/schema/streak/record", json=body))["data"]["id"])

    def receipt(self, receipt_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._ok(self.http.get(f"/api/v3/receipts/{receipt_id}"))
        return found

    def purchase_history(self, contact_id: str, count: int = 1000) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = self._ok(
                self.http.get(
                    f"/api/v3/contacts/{contact_id}/transactions",
                    params={"offset": len(items), "count": count},
                )
            )
            items.extend(page["items"])
            if len(items) >= page["totalCount"] or not page["items"]:
                return items

    def close(self) -> None:
        self.http.close()
