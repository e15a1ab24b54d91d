"""A 提取 form page reads the member's applications once: the draft, the one waiting for its
materials and the open one come from one query (four cost the page a third of its CPU, by the
profile in docs/benchmarks.md)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.gjj.hall.test_withdrawal_form import login
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member

pytestmark = pytest.mark.django_db


def _application_reads(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response
    reads = [
        q
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "withdrawals_application"' in q["sql"]
    ]
    return len(reads), response.content.decode()


# (租房提取's form also evaluates the member's records for its maximum: those reads are the rules'.)
@pytest.mark.parametrize("url", ["/hall/withdrawals/purchase/", "/m/withdrawals/purchase/notice/"])
def test_a_form_page_reads_the_members_applications_once(loaded_reasons, client, url):
    login(client, ZHANG_WEI)

    reads, _ = _application_reads(client, url)

    assert reads == 1


def test_the_one_read_still_finds_the_open_application_and_the_draft(loaded_reasons, client):
    walk = member(ZHANG_WEI)
    walk.upload_all(walk.submit(walk.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)))
    login(client, ZHANG_WEI)

    # Waiting for its materials: the form sends the member to the upload step, on both channels.
    assert client.get("/hall/withdrawals/purchase/")["Location"].endswith("/materials/")
    assert client.get("/m/withdrawals/purchase/notice/")["Location"].endswith("/materials/")
