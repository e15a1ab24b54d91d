"""Fixtures every part of the hall's tests shares."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gjj.datasets.hall_loader import dataset_load_into_hall
from gjj.members.models import Employer, FundAccount, Person
from tests.support.sims import REPO_ROOT

SAMPLE_REASONS = REPO_ROOT / "data" / "sample-reasons.json"


@pytest.fixture
def loaded_reasons(sims, sample_dataset) -> dict[str, Any]:
    """The sample, then the other reasons' sample (韩梅, 曹阳, 邓超), in the hall and the simulators,
    as DATASET.md says to import them."""
    reasons = json.loads(SAMPLE_REASONS.read_text(encoding="utf-8"))
    for document in (sample_dataset, reasons):
        sims.load_dataset(document)
        dataset_load_into_hall(document=document)
    return reasons


def funded_member() -> Person:
    """张伟 with a normal account of 1,000,000.00 元 and nothing else: for tests of the records alone."""
    employer = Employer.objects.create(code="E0001", name="辽宁省测试单位")
    person = Person.objects.create(id_number="210102198803120158", name="张伟", phone="13800000001")
    FundAccount.objects.create(
        account_no="A0001",
        person=person,
        employer=employer,
        status="normal",
        balance_fen=100_000_000,
        opened_on=dt.date(2015, 1, 1),
        paid_through="2026-10",
        consecutive_months=60,
    )
    return person
