"""Two requests with one Idempotency-Key at the same moment: one runs, the other gets its answer."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from gjj.api.models import IdempotencyRecord
from gjj.withdrawals.models import Material
from tests.gjj.api.conftest import YANG_ARCHIVE, YANG_CARD, YANG_LEI, bearer, jpeg_bytes
from tests.gjj.api.test_api import API, _fill, _post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (real concurrency; the suite's second run)")


def test_one_key_twice_at_once_uploads_once(loaded):
    client = Client()
    headers = bearer(YANG_LEI)
    app_id = _fill(client, headers, archive_no=YANG_ARCHIVE, bank="SJB", card_no=YANG_CARD)
    submitted = _post(client, f"{API}/applications/{app_id}/submit", **headers).json()
    kind = submitted["materials"]["required"][0]["kind"]
    data = jpeg_bytes()
    barrier = threading.Barrier(2)
    answers: list[object] = [None, None]

    def upload(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            answers[index] = Client().post(
                f"{API}/applications/{app_id}/materials/{kind}",
                {"file": SimpleUploadedFile("a.jpg", data, content_type="image/jpeg")},
                HTTP_IDEMPOTENCY_KEY="same-moment",
                **headers,
            )
        except Exception as exc:  # pragma: no cover - reported below
            answers[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = [getattr(a, "status_code", a) for a in answers]
    assert statuses == [200, 200], statuses
    assert answers[0].json() == answers[1].json()  # type: ignore[union-attr]
    assert Material.objects.filter(application_id=app_id).count() == 1
    assert IdempotencyRecord.objects.filter(key="same-moment").count() == 1
