"""/docs works offline: Swagger UI comes from the package, under the console's CSP, and lists
the operations without a request leaving the machine."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Page

from tests.console.conftest import Deployment


async def test_docs_list_the_operations_with_nothing_loaded_from_another_host(
    page: Page, deployment: Deployment
) -> None:
    requested: list[str] = []
    blocked: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    response = await page.goto(f"{deployment.url}/docs")
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    await page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = await page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v3/receipts" in paths
    hosts = {urlsplit(url).netloc for url in requested if not url.startswith("data:")}
    assert hosts == {urlsplit(deployment.url).netloc}
    assert blocked == []


async def test_redoc_is_not_served(page: Page, deployment: Deployment) -> None:
    response = await page.goto(f"{deployment.url}/redoc")
    assert response is not None and response.status == 404
