"""Documents for the dataset tests: the committed named demo members and small variations."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

# The other withdrawal reasons (shared/data/sample-reasons.json): 韩梅, 曹阳, 邓超, imported after the sample.
from tests.gjj.conftest import SAMPLE_REASONS

REPO_ROOT = Path(__file__).resolve().parents[3]
NAMED_MEMBERS = REPO_ROOT / "data" / "named-members.json"
# Members born before 沈阳's district codes existed (1983), in the demo data beside the sample.
OLDER_MEMBERS = REPO_ROOT / "data" / "older-members.json"
DEMO_DATASET = REPO_ROOT / "data" / "demo-dataset.json"

_NAMED = json.loads(NAMED_MEMBERS.read_text(encoding="utf-8"))
_REASONS = json.loads(SAMPLE_REASONS.read_text(encoding="utf-8"))


@pytest.fixture
def named_document() -> dict[str, Any]:
    """A fresh deep copy of data/named-members.json (the shared sample), safe to change."""
    return copy.deepcopy(_NAMED)


@pytest.fixture
def reasons_document() -> dict[str, Any]:
    """A fresh deep copy of data/sample-reasons.json (the shared one), safe to change."""
    return copy.deepcopy(_REASONS)


def write_document(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
