"""The launcher of `make run` brings every process up with the sample data."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


def test_every_process_answers_and_the_sample_is_imported(live_stack):
    result = live_stack.gjj(
        "evaluate",
        "--id-number",
        "210105198405150190",  # 黄强: nothing the other browser tests do changes his verdict
        "--contract-no",
        "SY202608300004321",
        "--bank",
        "CCB",
        "--card",
        "6212848194943347205",
        "--on",
        "2026-11-27",
    )
    verdict = json.loads(result.stdout)
    failed = {check["rule"] for check in verdict["checks"] if not check["passed"]}
    assert failed == {"loan_overdue"}  # his house (registry) and card (bank) were found and fit
    assert (verdict["relation"], verdict["max_amount"]) == ("buyer", "52000.00")
