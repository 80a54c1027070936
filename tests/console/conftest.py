"""The browser tests' world: one `patron serve` on each database with an admin and an integration
key, and one Chromium shared by the tests of a session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from patron.auth.roles import Role
from patron.config import Settings
from patron.db.engine import create_database
from tests.conftest import issue_token, migrated_database
from tests.console.browser import ARGUMENTS, require_chromium
from tests.console.servers import patron_serving

AXE = Path(__file__).parent / "assets" / "axe.min.js"


@dataclass(frozen=True)
class Deployment:
    url: str
    database_url: str
    admin: str  # an admin key's token
    integration: str  # an integration key's token, the shop's


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = require_chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=list(ARGUMENTS))
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="session")
async def deployment(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Deployment]:
    directory = Path(tmp_path_factory.mktemp(f"console-{backend}"))
    async with migrated_database(backend, directory) as url:
        database = create_database(Settings(database_url=url))
        try:
            admin = await issue_token(database, Role.ADMIN, "console")
            integration = await issue_token(database, Role.INTEGRATION, "shop")
        finally:
            await database.dispose()
        with patron_serving(url, directory / "serve.log") as address:
            yield Deployment(address, url, admin, integration)


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    opened = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


async def sign_in(page: Page, deployment: Deployment, token: str | None = None) -> None:
    await page.goto(f"{deployment.url}/console/sign-in")
    await page.fill("#token", token or deployment.admin)
    await page.click("form[action='/console/sign-in'] button[type=submit]")
    await page.wait_for_load_state("load")


async def serious_violations(page: Page) -> list[str]:
    """axe-core (vendored in tests/console/assets) run in the page: the serious and critical
    violations, each as "rule: the first offending element"."""
    # Evaluated through the browser's debugging channel, which the page's CSP does not govern.
    await page.evaluate(AXE.read_text())
    found = await page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return [str(line) for line in found]
