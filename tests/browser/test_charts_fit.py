"""Every chart's text fits inside its picture in real Chromium: a label or a band's name that is
too long wraps onto more lines, and is never cut off at the edge of the SVG."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import Browser

from portal.charts import Figure, Series, bar_chart, line_chart
from portal.models import StaffGroup
from wellbeing.instruments import INSTRUMENTS

pytestmark = pytest.mark.browser

OVERFLOWING_TEXT = """
svg => {
  const box = svg.viewBox.baseVal;
  return [...svg.querySelectorAll('text')].filter(text => {
    const b = text.getBBox();
    return b.x < 0 || b.y < 0 || b.x + b.width > box.width || b.y + b.height > box.height;
  }).map(text => text.textContent);
}
"""


def the_text_that_overflows(browser: Browser, html: str) -> list[str]:
    page = browser.new_page()
    try:
        page.set_content(f"<!doctype html><html><body>{html}</body></html>")
        overflowing: list[str] = page.locator("svg").evaluate(OVERFLOWING_TEXT)
        return overflowing
    finally:
        page.close()


def test_every_staff_group_and_a_long_title_fit_in_a_bar_chart(browser: Browser):
    labels = [label for _value, label in StaffGroup.choices] + [
        "Physical health checks for people with severe mental illness: a practical guide",
        "Supercalifragilisticexpialidociousness in integrated care",
    ]
    chart = bar_chart(
        "groups",
        "Saves and completions by staff group",
        "",
        [(label, (Figure(1234, "1,234"), Figure(999, "999"))) for label in labels],
        (Series("Saves"), Series("Completions", "#007f3b")),
    )
    html = render_to_string("includes/bar_chart.html", {"chart": chart})
    assert the_text_that_overflows(browser, html) == []
    assert "Nursing and Midwifery Registered" not in html  # it is wrapped...
    for word in ("Nursing", "Midwifery", "Registered"):
        assert word in html  # ...with every word kept


def test_every_band_name_fits_beside_a_score_chart(browser: Browser):
    start = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)
    for code, instrument in INSTRUMENTS.items():
        chart = line_chart(
            code.lower(),
            f"{code} scores over time",
            "",
            [(start, 0, "first"), (start + datetime.timedelta(days=90), instrument.max_total, "")],
            instrument.bands,
            instrument.max_total,
        )
        html = render_to_string("includes/line_chart.html", {"chart": chart})
        assert the_text_that_overflows(browser, html) == [], code
