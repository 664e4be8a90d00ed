"""Steps shared by the browser journeys, in the words of the people taking them.

Elements are found by role and label, as assistive technology finds them, so a journey that
passes here also says something about the page's accessibility.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pyotp
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

# WCAG 2.2 level AA, as axe tags it (each version's A and AA criteria are tagged separately).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# axe-playwright-python bundles axe-core 4.4.3, which predates the wcag22aa rules (target-size
# arrived in 4.7), so that tag would select nothing. We use the axe-core pinned in package.json
# (installed by `make test`), or the axe.min.js that AXE_CORE_PATH names; never the old one.
def _axe() -> Axe:
    chosen = os.environ.get("AXE_CORE_PATH")
    path = Path(chosen) if chosen else Path(settings.BASE_DIR) / "node_modules/axe-core/axe.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"axe-core not found at {path}: run `npm ci` (make test does)")
    return Axe.from_file(path)


AXE = _axe()


def then_the_page_is_accessible(page: Page) -> None:
    """Run axe over the whole page and fail with every WCAG 2.2 AA violation it finds."""
    page.wait_for_load_state("load")
    results = AXE.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    violations = results.response["violations"]
    assert not violations, _describe_violations(page, results.response)


def _describe_violations(page: Page, response: dict[str, Any]) -> str:
    engine = response.get("testEngine", {})
    lines = [
        f"{len(response['violations'])} accessibility violation(s) on {page.url} "
        f"({page.title()!r}, axe-core {engine.get('version', '?')}):"
    ]
    for violation in response["violations"]:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}\n"
            f"    {violation['helpUrl']}\n"
            f"    at: {targets}"
        )
    return "\n".join(lines)


# --- Signing in and out -----------------------------------------------------------------------


def when_they_sign_in(page: Page, *, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    then_the_page_is_accessible(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()


def when_they_sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()


def then_they_are_signed_out(page: Page) -> None:
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name="Sign in")).to_be_visible()
    expect(banner.get_by_role("button", name="Sign out")).to_have_count(0)
    then_the_page_is_accessible(page)


# --- An authenticator app ---------------------------------------------------------------------


class AuthenticatorApp:
    """The app on the clinician's phone, holding the secret they typed in from the set-up page.

    allauth accepts only the current 30-second step (MFA_TOTP_TOLERANCE is 0 by default) and
    refuses a code already used in its step, so each code is taken from a step not used before,
    with enough of the step left to submit it.
    """

    # Seconds of a step that must remain when a code is read, to type and submit it.
    MARGIN = 5

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.used_steps: set[int] = set()

    def _step(self, at: float) -> int:
        return int(at // self.totp.interval)

    def fresh_code(self) -> str:
        while True:
            now = time.time()
            left_in_step = self.totp.interval - now % self.totp.interval
            if self._step(now) not in self.used_steps and left_in_step > self.MARGIN:
                self.used_steps.add(self._step(now))
                return self.totp.at(int(now))
            time.sleep(left_in_step + 0.2)
