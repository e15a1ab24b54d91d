"""One lookup of the house and one check of the card per submission: 提交申请 decides on the house's
echo, and the final submission on what 提交申请 was told, while those answers are recent
(gjj.withdrawals.eligibility.kept_answers); older, or not favourable, they are asked again."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from gjj.withdrawals import eligibility
from gjj.withdrawals.checked_inputs import card_digest
from gjj.withdrawals.eligibility import kept_answers
from gjj.withdrawals.models import State
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(monkeypatch) -> Counter:
    """How often the registry was asked about a house and the bank about a card."""
    calls: Counter = Counter()

    def counting(factory, method: str, name: str):
        def make():
            client = factory()
            original = getattr(client, method)

            def call(**kwargs):
                calls[name] += 1
                return original(**kwargs)

            setattr(client, method, call)
            return client

        return make

    monkeypatch.setattr(
        eligibility,
        "get_registry_client",
        counting(eligibility.get_registry_client, "find_house", "registry"),
    )
    monkeypatch.setattr(
        eligibility, "get_bank_client", counting(eligibility.get_bank_client, "verify_card", "bank")
    )
    return calls


def _paid_through(walk, asked: Counter) -> list[tuple[int, int]]:
    """(registry, bank) calls after the echo, 提交申请 and the final submission."""
    seen = []
    application = walk.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)
    seen.append((asked["registry"], asked["bank"]))
    application = walk.submit(application)
    seen.append((asked["registry"], asked["bank"]))
    walk.upload_all(application)
    application = walk.final_submit(application)
    seen.append((asked["registry"], asked["bank"]))
    assert application.state == State.APPROVED  # 秒批, decided on the kept answers
    assert application.machine_verified
    return seen


def test_one_lookup_of_the_house_and_one_check_of_the_card_per_submission(loaded, asked):
    assert _paid_through(member(ZHANG_WEI), asked) == [(1, 0), (1, 1), (1, 1)]


def test_answers_older_than_the_reuse_window_are_asked_again(loaded, asked, settings):
    settings.GJJ_OUTSIDE_ANSWERS_REUSE_SECONDS = 0

    assert _paid_through(member(ZHANG_WEI), asked) == [(1, 0), (2, 1), (3, 2)]


def test_the_final_submission_keeps_the_times_the_outside_systems_answered(loaded):
    walk = member(ZHANG_WEI)
    application = walk.submit(walk.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    looked_up_at, verified_at = application.house_looked_up_at, application.card_verified_at
    walk.upload_all(application)

    application = walk.final_submit(application)

    # Not asked again: the row still says when the registry and the bank answered.
    assert (application.house_looked_up_at, application.card_verified_at) == (looked_up_at, verified_at)


def _submitted(loaded_walk):
    return loaded_walk.submit(loaded_walk.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))


def test_only_recent_favourable_answers_about_the_rows_own_inputs_are_kept(loaded):
    application = _submitted(member(ZHANG_WEI))
    recent = application.card_verified_at - dt.timedelta(seconds=1)

    kept = kept_answers(application, since=recent)
    assert kept.house is not None and kept.house.key == ZHANG_HOUSE and kept.house.relation == "buyer"
    assert kept.card is not None and kept.card.bank_holder_id_number == ZHANG_WEI
    assert kept.card.bank_status == "normal"

    later = timezone.now() + dt.timedelta(seconds=1)
    assert kept_answers(application, since=later).house is None
    assert kept_answers(application, since=later).card is None

    application.evaluated_inputs = {
        **application.evaluated_inputs,
        "card_digest": card_digest("6217000000000000"),
    }
    assert kept_answers(application, since=recent).card is None  # the answer was about another card
    application.card_verification = {**application.card_verification, "holder_matches": False}
    application.evaluated_inputs["card_digest"] = card_digest(application.card_no)
    assert kept_answers(application, since=recent).card is None  # a refusal is never reused

    application.house_key = "SY209912310000001"
    assert kept_answers(application, since=recent).house is None  # the snapshot is of another house
