"""One 购房提取 through the JSON API, as the app makes it (tests/browser/test_api_flow.py): start,
house lookup, card check, the declaration, the draft, submit, the five images, final submit.

Written once as a generator of requests (it yields each request and is sent back the answer's
status and JSON), so that the load client (httpx) and the in-process count (django.test.Client)
make exactly the same calls."""

from __future__ import annotations

import io
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from bench.members import Member

API = "/api/v1"
# 秒批: approved at final submission and paid at once (or on its way).
INSTANT_STATES = frozenset({"approved", "paying", "paid"})
FINAL_STATES = frozenset({"paid", "payout_failed", "rejected", "cancelled", "expired"})


@dataclass
class Step:
    name: str
    method: str
    path: str
    json: dict[str, Any] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Answer:
    status: int
    body: Any


class FlowFailed(Exception):
    pass


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def _ok(answer: Answer, step: Step) -> Any:
    if answer.status != 200:
        raise FlowFailed(f"{step.method} {step.path} → {answer.status}: {str(answer.body)[:300]}")
    return answer.body


def application(member: Member, image: bytes) -> Generator[Step, Answer, dict[str, Any]]:
    """The requests of one application; returns the final submission's answer."""
    step = Step("start", "POST", f"{API}/applications")
    app_id = _ok((yield step), step)["id"]
    step = Step("house_lookup", "POST", f"{API}/houses/lookup", json={"contract_no": member.contract_no})
    _ok((yield step), step)
    step = Step(
        "card_check", "POST", f"{API}/cards/check", json={"bank": member.bank, "card_no": member.card_no}
    )
    if not _ok((yield step), step)["passed"]:
        raise FlowFailed("card check did not pass")
    step = Step("declaration", "GET", f"{API}/declaration")
    version = _ok((yield step), step)["version"]
    step = Step(
        "draft",
        "PATCH",
        f"{API}/applications/{app_id}",
        json={
            "contract_no": member.contract_no,
            "bank": member.bank,
            "card_no": member.card_no,
            "declaration_accepted": True,
            "declaration_version": version,
        },
    )
    _ok((yield step), step)
    step = Step("submit", "POST", f"{API}/applications/{app_id}/submit")
    body = _ok((yield step), step)
    if body["state"] != "awaiting_materials":
        raise FlowFailed(f"submitted into {body['state']}")
    for material in body["materials"]["required"]:
        kind = material["kind"]
        step = Step(
            "upload",
            "POST",
            f"{API}/applications/{app_id}/materials/{kind}",
            files={"file": (f"{kind}.jpg", image, "image/jpeg")},
        )
        _ok((yield step), step)
    step = Step("final_submit", "POST", f"{API}/applications/{app_id}/final-submit")
    final = _ok((yield step), step)
    if final["state"] not in INSTANT_STATES:
        raise FlowFailed(f"final submission left it {final['state']} (not 秒批)")
    return final
