"""The hall's Content-Security-Policy as Chromium enforces it: what an injected inline script or
style would do is refused, and the watcher that fails every browser test on a violation sees it."""

from __future__ import annotations

import pytest

from tests.support.browser import CSP_VIOLATIONS

pytestmark = pytest.mark.browser

INJECT_SCRIPT = """() => {
    window.__ran = false;
    const script = document.createElement('script');
    script.textContent = 'window.__ran = true';
    document.body.appendChild(script);
}"""
INJECT_STYLE = """() => document.body.insertAdjacentHTML(
    'beforeend', '<p id="styled" style="color: rgb(255, 0, 0)">x</p>')"""


def _refused(message) -> bool:
    return "Content Security Policy" in message.text


def test_inline_script_and_style_injected_into_a_hall_page_are_refused(live_stack, page):
    page.goto(f"{live_stack.hall}/")

    with page.expect_console_message(_refused) as script_refusal:
        page.evaluate(INJECT_SCRIPT)
    with page.expect_console_message(_refused) as style_refusal:
        page.evaluate(INJECT_STYLE)

    assert page.evaluate("() => window.__ran") is False
    assert (
        page.evaluate("() => getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
    )
    assert "script-src" in script_refusal.value.text and "style-src" in style_refusal.value.text
    assert len(CSP_VIOLATIONS) == 2  # the watcher saw both
    CSP_VIOLATIONS.clear()  # expected here; any other test's violation fails that test
