"""Concurrent submissions on PostgreSQL (real row locks): only the allowed outcomes."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection, connections

from gjj.withdrawals.errors import ApplicationRefused
from gjj.withdrawals.models import Application, State
from tests.gjj.withdrawals.conftest import LI_CARD, LI_NA, ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (the suite's second run)")


def _run_together(*calls):
    """Start every call at the same moment on its own connection; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_submits_of_one_draft_at_once_make_one_submission(loaded, both_read_before_either_writes):
    zhang = member(ZHANG_WEI)
    application = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)
    results = _run_together(lambda: zhang.submit(application), lambda: zhang.submit(application))
    assert all(isinstance(r, Application) for r in results), results
    assert {r.business_no for r in results} == {Application.objects.get(pk=application.pk).business_no}
    assert application.transitions.count() == 1


@pytest.fixture
def both_read_before_either_writes(monkeypatch):
    """Widen the race: each submission, having read the hall's facts, waits (bounded) for the other
    to have read them too. With the locks in place the second cannot read until the first has
    committed, so the wait runs out and the outcome is the serial one; without them both read the
    same state and both would pass."""
    from gjj.withdrawals import submission

    rendezvous = threading.Barrier(2, timeout=3)
    original = submission.records_facts

    def records_facts_then_wait(**kwargs):
        facts = original(**kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            rendezvous.wait()
        return facts

    monkeypatch.setattr(submission, "records_facts", records_facts_then_wait)


def test_two_spouses_on_one_house_never_exceed_its_price(
    loaded, sims, sample_dataset, both_read_before_either_writes
):
    # A cheaper house bought by 张伟: together the spouses' balances exceed what is left of its price.
    doc = {**sample_dataset}
    doc["houses"] = [
        {**house, "total_price": "100000.00"} if house["contract_no"] == ZHANG_HOUSE else house
        for house in sample_dataset["houses"]
    ]
    sims.load_dataset(doc)
    zhang, li = member(ZHANG_WEI), member(LI_NA)
    zhang_app = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD, amount_fen=8_000_000)
    li_app = li.fill(contract_no=ZHANG_HOUSE, bank="ICBC", card_no=LI_CARD, amount_fen=4_000_000)

    results = _run_together(lambda: zhang.submit(zhang_app), lambda: li.submit(li_app))
    passed = [r for r in results if isinstance(r, Application)]
    refused = [r for r in results if isinstance(r, ApplicationRefused)]
    assert len(passed) == 1 and len(refused) == 1, results
    assert {r.rule for r in refused[0].evaluation.failures} == {"amount"}
    claimed = sum(
        a.amount_fen
        for a in Application.objects.filter(house_key=ZHANG_HOUSE, state=State.AWAITING_MATERIALS)
    )
    assert claimed <= 10_000_000


def test_two_spouses_within_the_price_both_pass(loaded):
    zhang, li = member(ZHANG_WEI), member(LI_NA)
    zhang_app = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)
    li_app = li.fill(contract_no=ZHANG_HOUSE, bank="ICBC", card_no=LI_CARD)
    results = _run_together(lambda: zhang.submit(zhang_app), lambda: li.submit(li_app))
    assert all(isinstance(r, Application) and r.state == State.AWAITING_MATERIALS for r in results), results
    assert len({r.business_no for r in results}) == 2
