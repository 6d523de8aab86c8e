"""What a nurse or a clinician does in the chair's pages (the session record, the scales, the
follow-up calls), written once for the browser tests; and the keyboard-and-phone check each of
those pages passes."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import assert_no_sideways_scroll

# Every control of the page's main part that takes focus (a radio group counts once: Tab reaches
# one of its buttons, the arrows the others), each marked so the Tab walk below can name it.
_MARK_CONTROLS = """() => {
  const controls = Array.from(document.querySelectorAll(
    'main input:not([type=hidden]), main select, main textarea, main button'
  )).filter(e => !e.disabled && e.getClientRects().length);
  const keys = controls.map((e, i) => {
    const key = e.type === 'radio' ? 'radio ' + e.name : (e.name || e.id || e.innerText || 'control') + ' #' + i;
    e.dataset.keyboardCheck = key;
    return key;
  });
  return [...new Set(keys)];
}"""
# The focused control and whether its focus shows (the site's outline). Chromium's date field has
# one more Tab stop after its parts: its calendar button, inside the field, where the field itself
# no longer matches :focus; that button draws its own focus ring (seen on a screenshot).
_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const calendarButton = e.matches('input[type=date], input[type=time]') && !e.matches(':focus');
  const shown = calendarButton || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0);
  return {key: e.dataset.keyboardCheck || null, shown: shown, tag: e.tagName + ' ' + (e.name || e.innerText || '')};
}"""


def usable_by_keyboard_and_on_a_phone(page: Page, *, presses: int = 150) -> None:
    """From the top of a fresh load, Tab alone reaches every field and button of the main part,
    each with its focus shown; at 320 px the page does not scroll sideways."""
    page.goto(page.url.split("#")[0])
    expected = set(page.evaluate(_MARK_CONTROLS))
    assert expected, f"{page.url} has no control to reach"
    reached: set[str] = set()
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None:
            continue
        assert focused["shown"], f"{page.url}: no visible focus on {focused['tag']}"
        if focused["key"]:
            reached.add(focused["key"])
        if reached >= expected:
            break
    assert not expected - reached, f"{page.url}: Tab never reached {sorted(expected - reached)}"
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    assert_no_sideways_scroll(page)
    if size is not None:
        page.set_viewport_size(size)


def record_vitals(page: Page, systolic: int, diastolic: int, heart_rate: int, spo2: int) -> None:
    page.get_by_label("Systolic pressure (mmHg)").fill(str(systolic))
    page.get_by_label("Diastolic pressure (mmHg)").fill(str(diastolic))
    page.get_by_label("Heart rate (beats per minute)").fill(str(heart_rate))
    page.get_by_label("SpO2 (%)").fill(str(spo2))
    page.get_by_role("button", name="Record vitals").click()


def rosa_on_the_board(page: Page, site: str, day: Any) -> Locator:
    page.goto(f"{site}/staff/day/?date={day.isoformat()}")
    return page.get_by_role("row").filter(has_text="Rosa Martín")


def check_the_list(page: Page) -> None:
    page.get_by_label("Alert and oriented").check()
    page.get_by_label("An adult escort is present").check()
    page.get_by_label("Walking steadily").check()
    page.get_by_label("Written discharge instructions given").check()


def record_the_scales(page: Page, axe: Any) -> None:
    """From the record to the scales' page (checked for the keyboard and a phone): a MOAA/S of 5
    and a CADSS-6 of 0s, then back."""
    page.get_by_role("link", name="MOAA/S and CADSS-6: record or review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sedation and dissociation scales")
    axe(page)
    usable_by_keyboard_and_on_a_phone(page)
    page.get_by_label("5: Responds readily to name spoken in normal tone (alert)").check()
    for number, question in enumerate((1, 2, 6, 7, 15, 22), start=1):
        page.get_by_label(f"CADSS-6 item {number} (CADSS question {question})").select_option("0")
    page.get_by_role("button", name="Record scales").click()
    expect(page.get_by_role("status")).to_contain_text("Scales recorded.")
    expect(page.get_by_text("0 of 24")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Back to the session record").click()
    expect(page.get_by_role("region", name="Sedation and dissociation")).to_contain_text(
        re.compile(r"Latest, at \d+:\d\d [AP]M: MOAA/S 5, CADSS-6 0 of 24\.")
    )


def forms_entered_for_the_patient(page: Page, axe: Any) -> None:
    """At check-in the nurse enters the patient's PHQ-9 for them, item by item."""
    page.get_by_role("link", name="Enter the patient's answers to the PHQ-9").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PHQ-9: the patient's answers")
    axe(page)
    questions = page.get_by_role("group")
    expect(questions).to_have_count(10)  # nine items, then the closing "how difficult" question
    for number in range(9):
        questions.nth(number).get_by_label("Several days" if number < 3 else "Not at all").check()
    questions.nth(9).get_by_label("Somewhat difficult").check()
    page.get_by_role("button", name="Record answers").click()
    expect(page.get_by_role("status")).to_contain_text("PHQ-9 answers recorded (total 3).")
    expect(page.get_by_text("Answered: total 3 (minimal), entered by Nora Quinn for the patient")).to_be_visible()
    page.get_by_role("link", name="Enter the patient's answers to the GAD-7").click()
    questions = page.get_by_role("group")
    expect(questions).to_have_count(8)  # the closing question is optional: left out here
    for number in range(7):
        questions.nth(number).get_by_label("Not at all").check()
    page.get_by_role("button", name="Record answers").click()
    expect(page.get_by_role("status")).to_contain_text("GAD-7 answers recorded (total 0).")
