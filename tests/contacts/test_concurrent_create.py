"""Twenty tills creating the same customer at once get one contact."""

from __future__ import annotations

import asyncio

import httpx


async def test_twenty_concurrent_creates_of_one_email_give_one_201(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/v3/contacts", json={"email": "rush@example.com", "firstName": f"T{n}"}, headers=till
            )
            for n in range(20)
        )
    )
    statuses = [response.status_code for response in responses]
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == 19, statuses
    winner = next(response.json()["id"] for response in responses if response.status_code == 201)
    for response in responses:
        if response.status_code == 409:
            assert response.json()["key"] == "ContactAlreadyExists"
            assert response.json()["details"]["contactId"] == winner
