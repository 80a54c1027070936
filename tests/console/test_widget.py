"""The widget on a shop's own page, another origin than Patron's: a record challenge made in the
console, activity logged through the API, and `<patron-rewards>` showing the member's progress
bar, the rendered "Shop for $150.00 or more…" message in English and in Swedish, the milestone
coupon with its copy button; only the origins the shop's key admits may call."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

import httpx
from playwright.async_api import Page

from tests.console.conftest import Deployment, serious_violations, sign_in
from tests.console.servers import shop_serving
from tests.console.shop import shop

# PATRON_CONSOLE_SCREENSHOTS=docs/screenshots keeps the widget's picture for the docs.
SCREENSHOTS = os.environ.get("PATRON_CONSOLE_SCREENSHOTS")
SWEDISH_NEXT = "Handla för {{nextRemainingValue}} kr till för att nå nästa delmål!"


async def _member(deployment: Deployment) -> tuple[str, str]:
    external_id = f"M-{secrets.token_hex(4)}"
    async with httpx.AsyncClient(base_url=deployment.url, headers={"apikey": deployment.admin}) as api:
        created = await api.post(
            "/api/v3/contacts",
            json={
                "firstName": "Maja",
                "lastName": "Member",
                "email": f"{external_id}@example.com",
                "externalId": external_id,
            },
        )
        assert created.status_code == 201, created.text
        return str(created.json()["id"]), external_id


async def _challenge_made_in_the_console(page: Page, deployment: Deployment, shop_origin: str) -> str:
    await sign_in(page, deployment)
    await page.goto(f"{deployment.url}/console/challenges")
    await page.select_option("#kind", "challenge")
    await page.fill("#name", f"Spend $500 this month {secrets.token_hex(2)}")
    await page.select_option("#status", "live")
    await page.fill("#completionTargetValue", "500")
    await page.select_option("#aggregationMethod", "sum")
    await page.select_option("#aggregationPeriod", "monthly")
    await page.fill("#timezone", "UTC")
    await page.fill("#eudTitle", "Spend $500 this month")
    await page.click("form[action='/console/challenges'] button[type=submit]")
    assert "/console/challenges/challenge/" in page.url, await page.inner_text("main")
    challenge_id = page.url.split("/console/challenges/challenge/")[1].split("?")[0]
    for name, target, prefix in (("Bronze", "200", "BRONZE"), ("Gold", "500", "GOLD")):
        await page.fill("#milestoneName", name)
        await page.fill("#milestoneTargetValue", target)
        await page.select_option("#rewardType", "coupon")
        await page.fill("#codePrefix", prefix)
        await page.fill("#eudMilestoneRewardInstructionMessage", f"Show the {name} code at the till.")
        await page.click("form[action$='/milestones'] button[type=submit]")
        assert "Milestone added" in await page.inner_text("[role=status]")
    # The Swedish display, with its live preview before it is saved.
    await page.fill("#language-pick", "sv")
    await page.click("form[method=get] button[type=submit]")
    await page.fill("#eudTitle", "Handla för 500 i månaden")
    await page.fill("#eudMilestoneNextToBeAchievedMessage", SWEDISH_NEXT)
    preview = page.locator("#preview [data-field=eudMilestoneNextToBeAchievedMessage]")
    await preview.filter(has_text="Handla för 150.00 kr till").wait_for()
    await page.click("form[action$='/display'] button[type=submit]")
    assert "Display saved for sv" in await page.inner_text("[role=status]")
    # The shop's key admits the shop's origin.
    await page.goto(f"{deployment.url}/console/keys")
    shop_key = deployment.integration.split(".", 1)[0]
    await page.fill(f"#origins-{shop_key}", shop_origin)
    await page.click(f"form[action='/console/keys/{shop_key}/origins'] button")
    assert shop_origin in await page.input_value(f"#origins-{shop_key}")
    return challenge_id


async def _log(deployment: Deployment, challenge_id: str, external_id: str, amount: int) -> None:
    async with httpx.AsyncClient(base_url=deployment.url, headers={"apikey": deployment.integration}) as api:
        logged = await api.post(
            "/schema/challenge_log/record",
            json={
                "challengeId": challenge_id,
                "ownedById": external_id,
                "uniqueIdentifier": secrets.token_hex(8),
                "activityValue": amount,
            },
        )
        assert logged.status_code in (200, 201), logged.text


async def _offer(deployment: Deployment, contact_id: str, heading: str) -> None:
    async with httpx.AsyncClient(base_url=deployment.url, headers={"apikey": deployment.admin}) as api:
        created = await api.post(
            "/api/v3/promotions/multichannels",
            json={
                "name": heading,
                "validity": {"startDate": "2020-01-01", "assignedValidity": {"unit": "Months", "amount": 3}},
                "presentation": {"heading": heading, "link": "javascript:alert(1)"},
                "redemptionChannels": [{"type": "ECOM", "valueType": "PERCENT", "value": 10}],
            },
        )
        assert created.status_code == 200, created.text
        promotion_id = created.json()["id"]
        assert (
            await api.post(f"/api/v3/promotions/multichannels/{promotion_id}/activate")
        ).status_code == 200
        assigned = await api.post(
            "/api/v3/promotion-assignments", json={"contactId": contact_id, "promotionId": promotion_id}
        )
        assert assigned.status_code in (200, 201), assigned.text


def _forged_token(deployment: Deployment) -> str:
    """A token naming the shop's key whose signature is not the key's: Patron answers 401."""
    key_id = deployment.integration.split(".", 1)[0]

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': key_id})}.{part({'sub': 'patron'})}.c2lnbmF0dXJl"


async def _card(page: Page, challenge_id: str) -> None:
    await page.locator(f"patron-rewards li.challenge[aria-labelledby='t-{challenge_id}']").wait_for(
        timeout=20_000
    )


async def test_the_widget_on_a_shop_page_shows_progress_messages_and_coupons(
    page: Page, deployment: Deployment, tmp_path: Path
) -> None:
    contact_id, external_id = await _member(deployment)
    minted: list[str] = []
    with shop_serving(shop(deployment.url, deployment.integration, contact_id, minted)) as shop_url:
        challenge_id = await _challenge_made_in_the_console(page, deployment, shop_url)
        await _log(deployment, challenge_id, external_id, 350)
        await _offer(deployment, contact_id, "Double points on Sundays")

        # English: the token comes from the shop's callback (the element starts without one).
        await page.goto(f"{shop_url}/my-pages?language=en")
        await _card(page, challenge_id)
        card = page.locator(f"patron-rewards li.challenge[aria-labelledby='t-{challenge_id}']")
        bar = card.locator("[role=progressbar]")
        assert await bar.get_attribute("aria-valuenow") == "350"
        assert await bar.get_attribute("aria-valuemax") == "500"
        assert "Shop for $150.00 or more to complete the next milestone!" in await card.inner_text()
        assert "Spend $500 this month" in await card.locator("h3").inner_text()
        assert "In Progress" in await card.locator(".status").inner_text()
        # The milestones behind the details button, keyboard-operable.
        toggle = card.get_by_role("button", name="View Details")
        await toggle.focus()
        await page.keyboard.press("Enter")
        assert await toggle.get_attribute("aria-expanded") == "true"
        assert "Show the Bronze code at the till." in await card.locator(".milestones").inner_text()
        # Bronze (200) was crossed: its coupon is shown with a copy button.
        reward = page.locator("patron-rewards li.reward", has_text="Bronze")
        code = await reward.locator(".code").inner_text()
        assert code.startswith("BRONZE")
        await page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=shop_url)
        await reward.get_by_role("button", name=f"Copy {code}").click()
        assert await page.evaluate("navigator.clipboard.readText()") == code
        # The member's open offer, with its heading.
        offer = page.locator("patron-rewards li.offer")
        assert "Double points on Sundays" in await offer.inner_text()
        # A link that is not a web address is not made a link on the shop's page.
        assert await offer.locator("a").count() == 0
        # Themed by the shop's CSS custom property.
        fill = card.locator(".fill")
        assert await fill.evaluate("node => getComputedStyle(node).backgroundColor") == "rgb(120, 20, 80)"
        assert await serious_violations(page) == []
        pictures = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
        pictures.mkdir(parents=True, exist_ok=True)
        await page.locator("patron-rewards").screenshot(path=str(pictures / "widget.png"))

        # Swedish: the same member, the Swedish texts, rendered by Patron.
        await page.goto(f"{shop_url}/my-pages?language=sv")
        await _card(page, challenge_id)
        card = page.locator(f"patron-rewards li.challenge[aria-labelledby='t-{challenge_id}']")
        assert "Handla för 150.00 kr till för att nå nästa delmål!" in await card.inner_text()
        assert "Handla för 500 i månaden" in await card.locator("h3").inner_text()
        assert len(minted) >= 2 and set(minted) == {"200"}


async def test_a_refused_token_is_replaced_through_the_shops_callback(
    page: Page, deployment: Deployment
) -> None:
    contact_id, _ = await _member(deployment)
    minted: list[str] = []
    with shop_serving(shop(deployment.url, deployment.integration, contact_id, minted)) as shop_url:
        await _challenge_made_in_the_console(page, deployment, shop_url)
        await page.goto(f"{shop_url}/my-pages?language=en&token={_forged_token(deployment)}")
        await page.locator("patron-rewards li.challenge").first.wait_for(timeout=20_000)
        assert minted, "the widget never asked the shop for a new token"


async def test_a_page_of_an_origin_no_key_admits_cannot_use_the_widget(
    page: Page, deployment: Deployment
) -> None:
    contact_id, _ = await _member(deployment)
    minted: list[str] = []
    with shop_serving(shop(deployment.url, deployment.integration, contact_id, minted)) as shop_url:
        await _challenge_made_in_the_console(page, deployment, shop_url)
        # The same shop addressed as 127.0.0.1 is another origin, which the key does not name.
        other = shop_url.replace("localhost", "127.0.0.1")
        await page.goto(f"{other}/my-pages?language=en")
        alert = page.locator("patron-rewards [role=alert]")
        await alert.wait_for(timeout=20_000)
        assert "cannot be shown" in await alert.inner_text()
    async with httpx.AsyncClient(base_url=deployment.url) as api:
        refused = await api.get("/schema/challenge/record", headers={"origin": other})
        assert refused.status_code == 403
        assert "access-control-allow-origin" not in refused.headers
        preflight = await api.options(
            "/schema/challenge_progress/record",
            headers={"origin": other, "access-control-request-method": "GET"},
        )
        assert preflight.status_code == 403
        admitted = await api.options(
            "/schema/challenge_progress/record",
            headers={"origin": shop_url, "access-control-request-method": "GET"},
        )
        assert admitted.status_code == 204
        assert admitted.headers["access-control-allow-origin"] == shop_url
