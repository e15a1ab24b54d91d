"""Fixtures every part of the hall's tests shares."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gjj.datasets.hall_loader import dataset_load_into_hall
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
