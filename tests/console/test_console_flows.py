"""A marketer's day in the console, in a real browser against a real `patron serve`: signing in
and out, a promotion from draft to a contact's page, and the refusals that keep the console safe."""

from __future__ import annotations

import secrets
import uuid

import httpx
from playwright.async_api import BrowserContext, Page

from tests.campaigns.factories import basic, rta_campaign
from tests.console.conftest import Deployment, serious_violations, sign_in
from tests.console.servers import shop_serving


async def _contact(deployment: Deployment, first: str) -> str:
    tag = secrets.token_hex(4)
    async with httpx.AsyncClient(base_url=deployment.url, headers={"apikey": deployment.admin}) as api:
        created = await api.post(
            "/api/v3/contacts",
            json={
                "firstName": first,
                "lastName": "Tester",
                "email": f"{tag}@example.com",
                "externalId": f"M-{tag}",
            },
        )
        assert created.status_code == 201, created.text
        return str(created.json()["id"])


async def test_a_promotion_goes_from_draft_to_the_contacts_page(page: Page, deployment: Deployment) -> None:
    contact_id = await _contact(deployment, "Grace")
    await sign_in(page, deployment)
    assert await page.inner_text("h1") == "Overview"
    await page.goto(f"{deployment.url}/console/promotions")
    name = f"Ten off {secrets.token_hex(3)}"
    await page.fill("#name", name)
    await page.fill("#POS-value", "10")
    await page.click("form[action='/console/promotions'] button[type=submit]")
    assert "Draft" in await page.inner_text("h1")
    await page.click("form[action$='/activate'] button")
    assert "Active" in await page.inner_text("h1")
    await page.fill("#contact", contact_id)
    await page.click("form[action$='/assign'] button")
    assert page.url.startswith(f"{deployment.url}/console/contacts/{contact_id}")
    offers = await page.inner_text("section[aria-labelledby='h-offers']")
    assert name in offers
    # The promotion's page counts it.
    await page.goto(f"{deployment.url}/console/promotions")
    row = page.locator("tr", has_text=name)
    assert (await row.locator("td").nth(3).inner_text()) == "1"


async def test_a_contact_is_found_by_name_and_by_email(page: Page, deployment: Deployment) -> None:
    contact_id = await _contact(deployment, f"Hedy{secrets.token_hex(2)}")
    async with httpx.AsyncClient(base_url=deployment.url, headers={"apikey": deployment.admin}) as api:
        contact = (await api.get(f"/api/v3/contacts/{contact_id}")).json()
    await sign_in(page, deployment)
    await page.goto(f"{deployment.url}/console/contacts?q={contact['attributes']['firstName'].lower()}")
    assert contact_id in await page.inner_html("#results")
    await page.goto(f"{deployment.url}/console/contacts")
    await page.fill("#q", contact["attributes"]["email"])
    await page.wait_for_selector(f"#results a[href='/console/contacts/{contact_id}']")


async def test_erasing_a_contact_needs_the_confirmation(page: Page, deployment: Deployment) -> None:
    contact_id = await _contact(deployment, "Erin")
    await sign_in(page, deployment)
    await page.goto(f"{deployment.url}/console/contacts/{contact_id}/erase")
    await page.fill("#confirm", "erase")
    await page.click("form[action$='/erase'] button[type=submit]")
    assert "Type ERASE" in await page.inner_text("[role=alert]")
    await page.fill("#confirm", "ERASE")
    await page.click("form[action$='/erase'] button[type=submit]")
    assert "erased" in await page.inner_text("[role=status]")
    async with httpx.AsyncClient(base_url=deployment.url, headers={"apikey": deployment.admin}) as api:
        assert (await api.get(f"/api/v3/contacts/{contact_id}")).status_code == 404


async def test_the_session_cookie_is_signed_http_only_and_strict(
    page: Page, context: BrowserContext, deployment: Deployment
) -> None:
    await sign_in(page, deployment)
    cookies = [cookie for cookie in await context.cookies() if cookie["name"] == "patron_console"]
    assert len(cookies) == 1
    assert cookies[0]["httpOnly"] is True
    assert cookies[0]["sameSite"] == "Strict"
    assert deployment.admin.split(".", 1)[1] not in cookies[0]["value"]
    # A cookie whose signature is changed by one character is no session.
    value = cookies[0]["value"]
    forged = value[:-5] + ("A" if value[-5] != "A" else "B") + value[-4:]
    await context.add_cookies([{**cookies[0], "value": forged}])
    await page.goto(f"{deployment.url}/console")
    assert "/console/sign-in" in page.url


async def test_signing_out_ends_the_session(page: Page, deployment: Deployment) -> None:
    await sign_in(page, deployment)
    await page.click("form[action='/console/sign-out'] button")
    assert "/console/sign-in" in page.url
    await page.goto(f"{deployment.url}/console/keys")
    assert "/console/sign-in" in page.url


async def test_an_integration_key_cannot_sign_in(page: Page, deployment: Deployment) -> None:
    await sign_in(page, deployment, deployment.integration)
    assert "cannot sign in" in await page.inner_text("[role=alert]")
    await page.goto(f"{deployment.url}/console")
    assert "/console/sign-in" in page.url


async def test_a_wrong_key_cannot_sign_in(page: Page, deployment: Deployment) -> None:
    await sign_in(page, deployment, "pk_nobody.not-the-secret-of-anyone")
    assert "unknown or revoked" in await page.inner_text("[role=alert]")


async def test_a_form_post_without_its_csrf_token_is_refused(page: Page, deployment: Deployment) -> None:
    await sign_in(page, deployment)
    await page.goto(f"{deployment.url}/console/promotions")
    before = await page.locator("tbody tr").count()
    # The page's own form, its token taken out: the browser posts it with the session cookie.
    await page.evaluate(
        "document.querySelector(\"form[action='/console/promotions'] input[name=csrf]\").remove()"
    )
    await page.fill("#name", "Posted without a token")
    await page.fill("#POS-value", "10")
    async with page.expect_response(f"{deployment.url}/console/promotions") as answer:
        await page.click("form[action='/console/promotions'] button[type=submit]")
    assert (await answer.value).status == 403
    assert "refused" in await page.inner_text("h1")
    await page.goto(f"{deployment.url}/console/promotions")
    assert await page.locator("tbody tr").count() == before
    assert "Posted without a token" not in await page.inner_text("main")


async def test_a_page_of_another_origin_cannot_read_or_post_to_the_console(
    page: Page, deployment: Deployment
) -> None:
    await sign_in(page, deployment)

    def evil(path: str) -> tuple[int, str, bytes]:
        return 200, "text/html", b"<!doctype html><title>elsewhere</title><p>elsewhere</p>"

    with shop_serving(evil) as elsewhere:
        await page.goto(f"{elsewhere}/")
        read = await page.evaluate(
            """async (url) => {
                try { const r = await fetch(url + "/console/keys", {credentials: "include"}); return "read " + r.status + (await r.text()).slice(0, 40); }
                catch (e) { return "blocked"; }
            }""",
            deployment.url,
        )
        assert read == "blocked"
        posted = await page.evaluate(
            """async (url) => {
                try { const r = await fetch(url + "/console/promotions", {method: "POST", mode: "no-cors", credentials: "include",
                      headers: {"content-type": "application/x-www-form-urlencoded"}, body: "name=Evil"}); return r.type; }
                catch (e) { return "blocked"; }
            }""",
            deployment.url,
        )
        assert posted in ("opaque", "blocked")
    await page.goto(f"{deployment.url}/console/promotions")
    assert "Evil" not in await page.inner_text("main")


async def test_every_page_answers_with_a_strict_content_security_policy(
    page: Page, deployment: Deployment
) -> None:
    await sign_in(page, deployment)
    for path in (
        "/console",
        "/console/contacts",
        "/console/promotions",
        "/console/challenges",
        "/console/webhooks",
        "/console/keys",
        "/console/sign-in",
    ):
        response = await page.goto(f"{deployment.url}{path}")
        assert response is not None and response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path


async def test_the_overview_draws_its_charts_and_passes_the_accessibility_check(
    page: Page, deployment: Deployment
) -> None:
    await sign_in(page, deployment)
    await page.goto(f"{deployment.url}/console")
    drawn = await page.evaluate("() => Object.keys(Chart.instances).length")
    assert drawn == 5
    assert await serious_violations(page) == []


async def test_a_contact_page_and_the_challenge_pages_pass_the_accessibility_check(
    page: Page, deployment: Deployment
) -> None:
    contact_id = await _contact(deployment, "Alan")
    await sign_in(page, deployment)
    await page.goto(f"{deployment.url}/console/contacts/{contact_id}")
    assert "Alan Tester" in await page.inner_text("h1")
    assert await serious_violations(page) == []
    for path in ("/console/challenges", "/console/promotions", "/console/keys"):
        await page.goto(f"{deployment.url}{path}")
        assert await serious_violations(page) == [], path


async def test_pages_fit_a_phone_screen(page: Page, deployment: Deployment) -> None:
    await sign_in(page, deployment)
    await page.set_viewport_size({"width": 390, "height": 844})
    for path in (
        "/console",
        "/console/contacts",
        "/console/promotions",
        "/console/challenges",
        "/console/webhooks",
        "/console/imports",
        "/console/campaigns",
        "/console/keys",
    ):
        await page.goto(f"{deployment.url}{path}")
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"


async def test_an_import_batch_is_listed_with_its_progress(page: Page, deployment: Deployment) -> None:
    tag = secrets.token_hex(4)
    async with httpx.AsyncClient(base_url=deployment.url, headers={"apikey": deployment.integration}) as api:
        sent = await api.post(
            "/api/v3/contacts/bulk",
            json=[{"email": f"bulk-{tag}-{n}@example.com", "firstName": "Bulk"} for n in range(3)],
        )
        assert sent.status_code == 202, sent.text
        batch_id = sent.json()["batchId"]
    await sign_in(page, deployment)
    await page.goto(f"{deployment.url}/console/imports")
    row = page.locator("tr", has=page.locator(f"a[href='/console/imports/{batch_id}']"))
    assert "/ 3" in await row.inner_text()
    await row.locator("a").click()
    assert "Rows" in await page.inner_text("main")
    assert await page.locator("dl.facts dd").first.inner_text() == "3"
    response = await page.goto(f"{deployment.url}/console/imports/{uuid.uuid4()}")
    assert response is not None and response.status == 404


async def test_an_engage_challenge_is_created_activated_and_ended(page: Page, deployment: Deployment) -> None:
    await sign_in(page, deployment)
    await page.goto(f"{deployment.url}/console/challenges")
    name = f"Five visits {secrets.token_hex(2)}"
    await page.fill("#engageName", name)
    await page.fill("#requiredNumberOfCheckpoints", "5")
    await page.fill("#expirationMonths", "3")
    await page.click("form[action='/console/challenges/engage'] button[type=submit]")
    assert name in await page.inner_text("h1") and "Draft" in await page.inner_text("h1")
    definition_id = page.url.split("/console/challenges/engage/")[1].split("?")[0]
    await page.click("form[action$='/activate'] button")
    assert "Active" in await page.inner_text("h1")
    async with httpx.AsyncClient(base_url=deployment.url, headers={"apikey": deployment.admin}) as api:
        read = await api.get(f"/api/v3/challenges/definitions/{definition_id}")
        assert read.status_code == 200, read.text
        assert read.json()["requiredNumberOfCheckpoints"] == 5
    await page.click("form[action$='/end'] button")
    assert "Ended" in await page.inner_text("h1")
    # Nothing to create without the number of checkpoints: refused, nothing written.
    await page.goto(f"{deployment.url}/console/challenges")
    await page.fill("#engageName", "Without a target")
    await page.evaluate("document.querySelector('#requiredNumberOfCheckpoints').removeAttribute('required')")
    async with page.expect_response(f"{deployment.url}/console/challenges/engage") as answer:
        await page.click("form[action='/console/challenges/engage'] button[type=submit]")
    assert (await answer.value).status == 400
    await page.goto(f"{deployment.url}/console/challenges")
    assert "Without a target" not in await page.inner_text("main")


async def test_a_campaign_is_listed_with_its_rules_and_ended_from_the_console(
    page: Page, deployment: Deployment
) -> None:
    name = f"Deposit and order {secrets.token_hex(2)}"
    async with httpx.AsyncClient(base_url=deployment.url, headers=basic(deployment.admin)) as api:
        made = await api.post("/campaigns", json={**rta_campaign(), "name": name, "status": "active"})
        assert made.status_code == 201, made.text
        campaign_id = made.json()["campaign_id"]
    await sign_in(page, deployment)
    await page.goto(f"{deployment.url}/console/campaigns")
    row = page.locator("tr", has_text=name)
    assert "Rule 1 (RTA)" in await row.inner_text()
    await row.locator("form[action$='/end'] button").click()
    assert "has ended" in await page.inner_text("[role=status]")
    async with httpx.AsyncClient(base_url=deployment.url, headers=basic(deployment.admin)) as api:
        assert (await api.get(f"/campaigns/{campaign_id}")).json()["status"] == "ended"
