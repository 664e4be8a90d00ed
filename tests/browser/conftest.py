"""Browser journeys: real Chromium, driven by Playwright, against pytest-django's live server.

Chromium is the machine's own (Debian's package), never a Playwright download: set CHROMIUM_PATH
when it lives somewhere other than /usr/bin/chromium. A missing browser fails the run loudly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# How long a locator or assertion waits for the page before failing, in milliseconds.
TIMEOUT_MS = 10_000


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"Chromium was not found at {path!r}. The browser tests drive the machine's own "
            "Chromium: install it (`apt-get install chromium`) or set CHROMIUM_PATH to its "
            "executable. Playwright's browser download is not used.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable_path = _chromium_path()
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps its event loop registered as running on this thread, so
        # Django would take every ORM call the test makes (factories, the flush between
        # transactional tests) for one from async code. Nothing here is async: the live server
        # answers on its own threads. Allowed only while Playwright runs.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable_path, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@dataclass
class BrowserProblems:
    """What the browser reported while a test ran: console errors and uncaught page errors."""

    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def record_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" or _mentions_csp(message.text):
            where = message.location.get("url")
            self.console.append(
                f"[{message.type}] {message.text}" + (f" ({where})" if where else "")
            )

    def record_page_error(self, error: Error) -> None:
        self.page_errors.append(error.stack or f"{error.name}: {error.message}")

    @property
    def csp_violations(self) -> list[str]:
        return [text for text in self.console if _mentions_csp(text)]


def _mentions_csp(text: str) -> bool:
    lowered = text.lower()
    return "content security policy" in lowered or "content-security-policy" in lowered


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def page(browser: Browser, live_server, browser_problems: BrowserProblems) -> Iterator[Page]:
    """A fresh browser context per test, on the live server, that fails the test afterwards if
    the site broke its own Content-Security-Policy or threw an uncaught error.

    axe is injected with `page.evaluate`, which goes through the DevTools protocol and is not
    subject to the page's CSP, so the policy stays enforced (no bypass_csp) and any violation
    seen here came from the site itself.
    """
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    browser_page = context.new_page()
    browser_page.on("console", browser_problems.record_console)
    browser_page.on("pageerror", browser_problems.record_page_error)
    yield browser_page
    context.close()
    failures = []
    if browser_problems.csp_violations:
        failures.append(
            "The site violated its Content-Security-Policy:\n  "
            + "\n  ".join(browser_problems.csp_violations)
        )
    if browser_problems.page_errors:
        failures.append(
            "Uncaught errors in the page:\n  " + "\n  ".join(browser_problems.page_errors)
        )
    if failures:
        other = [text for text in browser_problems.console if not _mentions_csp(text)]
        if other:
            failures.append("Other console errors:\n  " + "\n  ".join(other))
        pytest.fail("\n\n".join(failures), pytrace=False)
