"""The template-source check that every browser test runs, shown to fail on what it looks for."""

from __future__ import annotations

import pytest

from tests.support.browser import TEMPLATE_SOURCE_SEEN

pytestmark = pytest.mark.browser


def test_a_page_showing_template_source_is_caught(live_stack, page):
    page.goto(f"{live_stack.hall}/")
    page.evaluate("() => document.body.insertAdjacentText('beforeend', '{# a comment that leaked #}')")

    page.reload()  # a load: the check reads the page again (clean now)
    page.evaluate("() => document.body.insertAdjacentText('beforeend', '{{ member.name }}')")
    page.context.close()  # and once more when its context closes

    seen = list(TEMPLATE_SOURCE_SEEN)
    TEMPLATE_SOURCE_SEEN.clear()  # expected here; anywhere else it fails the test
    assert len(seen) == 1 and seen[0].endswith(": {{")
