"""Steps shared by the browser journeys, in the words of the people taking them.

Elements are found by role and label, as assistive technology finds them, so a journey that
passes here also says something about the page's accessibility.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, Page, expect

from learning.competencies import STRATEGIC_OBJECTIVES
from learning.models import Objective
from portal.roles import ALL_ROLES
from tests.browser.conftest import TIMEOUT_MS, BrowserProblems

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


# axe-core builds the visible text of a control by joining its text nodes with nothing between
# them, even across boxes drawn apart. The button that NHS.UK's file upload script puts in place
# of the file input shows "No file chosen" above "Choose file or drop file"; axe reads that as
# "No file chosenchoose file...", finds "chosenchoose" nowhere in the name ("Upload a CSV file,
# No file chosen, Choose file or drop file") and reports label-content-name-mismatch (WCAG 2.5.3),
# a false positive (act-rules/act-rules.github.io#1458). On that button the rule is checked here
# instead, as WCAG means it: each piece of visible text, in order, within the accessible name.
FILE_UPLOAD_BUTTON = "nhsuk-file-upload__drop-button"


def then_the_page_with_a_file_upload_is_accessible(page: Page) -> None:
    """`then_the_page_is_accessible`, for a page with an NHS.UK file upload (see above)."""
    page.wait_for_load_state("load")
    results = AXE.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    response = results.response
    for violation in response["violations"]:
        if violation["id"] == "label-content-name-mismatch":
            violation["nodes"] = [
                node for node in violation["nodes"] if FILE_UPLOAD_BUTTON not in node["html"]
            ]
    response["violations"] = [v for v in response["violations"] if v["nodes"]]
    assert not response["violations"], _describe_violations(page, response)
    for button in page.locator(f"button.{FILE_UPLOAD_BUTTON}").all():
        pieces = button.evaluate(
            """button => [...button.querySelectorAll("span")]
                .filter(span => !span.closest(".nhsuk-u-visually-hidden") && !span.children.length)
                .map(span => span.textContent.trim())
                .filter(Boolean)"""
        )
        assert pieces, "the file upload button shows no text"
        expect(button).to_have_accessible_name(
            re.compile(".*".join(re.escape(piece) for piece in pieces))
        )


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


# --- Someone else at the same time -----------------------------------------------------------


@contextmanager
def a_second_browser(
    browser: Browser, base_url: str, problems: BrowserProblems, **options: Any
) -> Iterator[Page]:
    """A page in a browser context of its own, for a second person in the same journey.

    What it reports goes to the test's own BrowserProblems, so the `page` fixture fails the test
    for a CSP violation or an uncaught error here too. `options` go to Playwright's
    `new_context` (`java_script_enabled=False`, `storage_state=...` for someone's own session).
    """
    context = browser.new_context(base_url=base_url, locale="en-GB", **options)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        second = context.new_page()
        second.on("console", problems.record_console)
        second.on("pageerror", problems.record_page_error)
        yield second
    finally:
        context.close()


# --- Reference data ---------------------------------------------------------------------------


def given_the_roles_and_objectives_exist() -> None:
    """The roles and the eight strategic objectives, which data migrations create.

    The flush after a transactional test empties every table, data migrations' rows included, so
    a journey that needs them puts them back (as the migrations write them).
    """
    for name in ALL_ROLES:
        Group.objects.get_or_create(name=name)
    for number, title in enumerate(STRATEGIC_OBJECTIVES, start=1):
        Objective.objects.update_or_create(number=number, defaults={"title": title})


# --- Finding the way --------------------------------------------------------------------------


def when_they_choose_from_the_menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True).click()


def then_they_see_the_message(page: Page, text: str) -> None:
    """A success or information banner ("...is in your learning.") on the page they landed on."""
    expect(page.get_by_role("main").get_by_text(text, exact=False).first).to_be_visible()


# --- Errors -----------------------------------------------------------------------------------


def then_there_is_a_problem(page: Page, *errors: str) -> None:
    """The NHS.UK error summary: the title says "Error:", focus moves to the summary, and each
    error is a link in it."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(page.locator(":focus")).to_contain_text("There is a problem")
    for error in errors:
        expect(summary.get_by_role("link", name=error, exact=True)).to_be_visible()
