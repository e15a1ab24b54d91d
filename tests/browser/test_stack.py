"""The launcher of `make run` brings every process up with the sample data."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


def test_every_process_answers_and_the_sample_is_imported(live_stack):
    result = live_stack.gjj(
        "evaluate",
        "--id-number",
        "210102198803120158",
        "--contract-no",
        "SY202605180001234",
        "--bank",
        "CCB",
        "--card",
        "6217001376212461799",
        "--on",
        "2026-11-27",
    )
    verdict = json.loads(result.stdout)
    assert verdict["eligible"] is True and verdict["max_amount"] == "86420.50"
