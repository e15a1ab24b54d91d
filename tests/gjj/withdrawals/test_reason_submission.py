"""租房提取 and 离退休提取 submitted through the services (gjj.withdrawals.submission) against the live
registry and bank simulators, with the members of data/sample-reasons.json: 曹阳 (rent: 3 months
since his last rent withdrawal of 2026-08-20, 26,000.00 元) and 韩梅 (retired 2025-03-31, a sealed
account of 156,300.25 元). The day of the application is the sample's, 2026-11-27."""

from __future__ import annotations

import datetime as dt

import pytest

from gjj.members.models import FundAccount, Person
from gjj.withdrawals import payouts, services, submission
from gjj.withdrawals.checked_inputs import CHANGED_DURING_SUBMISSION
from gjj.withdrawals.eligibility import last_rent_paid_on
from gjj.withdrawals.errors import ApplicationError, ApplicationRefused
from gjj.withdrawals.models import Application, State
from tests.gjj.withdrawals.conftest import (
    LI_CARD,
    LI_NA,
    ZHANG_CARD,
    ZHANG_WEI,
    Walk,
    jpeg_bytes,
    member,
    on_another_connection,
)

pytestmark = pytest.mark.django_db(transaction=True)

HAN_MEI, HAN_BANK, HAN_CARD = "210102196503150524", "CCB", "6217006362656765957"
CAO_YANG, CAO_BANK, CAO_CARD = "210104199609090351", "ICBC", "6222022952745110411"
HAN_BALANCE = 15_630_025
CAO_RENT = 450_000  # 1,500.00 元 × 3 whole months (2026-08-20 → 2026-11-27)

RENT_MATERIALS = ("id_card_front", "id_card_back", "bank_card")
RETIREMENT_MATERIALS = ("id_card_front", "id_card_back", "retirement_certificate", "bank_card")


def _draft(
    id_number: str, reason: str, *, bank: str, card_no: str, amount_fen: int | None = None
) -> Application:
    """A draft of ``reason`` with the card (and the amount when typed) and the 承诺书 accepted."""
    return member(id_number, reason=reason).fill(bank=bank, card_no=card_no, amount_fen=amount_fen)


def _submit(application: Application) -> Application:
    return Walk(person=application.person).submit(application)


def _upload_all(application: Application) -> None:
    Walk(person=application.person).upload_all(application)


def _paid(application: Application, capture) -> Application:
    """Materials, final submission, 秒批 and the bank's payment (the worker runs after commit)."""
    _upload_all(application)
    with capture(execute=True):
        Walk(person=application.person).final_submit(application)
    application.refresh_from_db()
    return application


def _failed(refused: pytest.ExceptionInfo[ApplicationRefused]) -> set[str]:
    return {result.rule for result in refused.value.evaluation.failures}


# -- 租房提取: 曹阳 -------------------------------------------------------------------------------


def test_cao_yang_submits_rent_and_is_paid(loaded_reasons, sims, django_capture_on_commit_callbacks):
    application = _submit(_draft(CAO_YANG, "rent", bank=CAO_BANK, card_no=CAO_CARD))

    assert application.state == State.AWAITING_MATERIALS
    assert (application.reason, application.reason_code) == ("rent", "07")
    assert application.amount_fen == CAO_RENT  # nothing typed: the rule's maximum
    assert application.business_no
    assert application.house_key == "" and application.house_snapshot is None and application.relation == ""
    results = {r["rule"]: r["passed"] for r in application.rule_results}
    assert results["owns_house"] and results["rent_interval"] and results["amount"]
    assert "house_found" not in results and "retired" not in results

    assert services.required_material_kinds(application) == RENT_MATERIALS
    assert set(services.missing_material_kinds(application)) == set(RENT_MATERIALS)

    application = _paid(application, django_capture_on_commit_callbacks)

    assert application.state == State.PAID and application.instant_approved
    transfers = sims.transfers(card_no=CAO_CARD)
    assert [(t["amount_fen"], t["result"]) for t in transfers] == [(CAO_RENT, 0)]
    account = FundAccount.objects.get(person__id_number=CAO_YANG)
    assert account.balance_fen == 2_600_000 - CAO_RENT and account.status == "normal"


def test_a_typed_rent_amount_over_the_monthly_limit_is_refused(loaded_reasons):
    application = _draft(CAO_YANG, "rent", bank=CAO_BANK, card_no=CAO_CARD, amount_fen=CAO_RENT + 1)

    with pytest.raises(ApplicationRefused) as refused:
        _submit(application)

    assert _failed(refused) == {"amount"}
    assert str(refused.value).startswith("不符合租房提取条件：")
    assert "每月 1,500.00 元 × 3 个月" in str(refused.value)


def test_a_paid_rent_application_counts_as_the_last_rent_withdrawal(
    loaded_reasons, django_capture_on_commit_callbacks
):
    cao = Person.objects.get(id_number=CAO_YANG)
    assert last_rent_paid_on(cao) == dt.date(2026, 8, 20)  # the prior withdrawal alone lets him apply
    paid = _paid(
        _submit(_draft(CAO_YANG, "rent", bank=CAO_BANK, card_no=CAO_CARD)), django_capture_on_commit_callbacks
    )
    assert paid.state == State.PAID
    # Paid at 01:00 on 2026-08-28 in Shenyang (17:00 UTC the day before): 2 whole months before
    # 2026-11-27, where the UTC day (08-27) would make 3.
    Application.objects.filter(pk=paid.pk).update(paid_at=dt.datetime(2026, 8, 27, 17, 0, tzinfo=dt.UTC))
    assert last_rent_paid_on(cao) == dt.date(2026, 8, 28)

    again = _draft(CAO_YANG, "rent", bank=CAO_BANK, card_no=CAO_CARD)
    assert again.pk != paid.pk
    with pytest.raises(ApplicationRefused) as refused:
        _submit(again)

    assert _failed(refused) == {"rent_interval"}
    reason = refused.value.evaluation.result("rent_interval").reason
    assert "2026-08-28" in reason and "距今 2 个月" in reason and "至少 3 个月" in reason
    assert str(refused.value) == f"不符合租房提取条件：{reason}"
    again.refresh_from_db()
    assert again.state == State.DRAFT and again.business_no is None


def test_a_rent_application_not_paid_does_not_count(loaded_reasons):
    """Only a paid rent application moves the last rent payment (a refused or open one does not)."""
    cao = Person.objects.get(id_number=CAO_YANG)
    submitted = _submit(_draft(CAO_YANG, "rent", bank=CAO_BANK, card_no=CAO_CARD))
    assert submitted.state == State.AWAITING_MATERIALS

    assert last_rent_paid_on(cao) == dt.date(2026, 8, 20)


def test_a_member_who_owns_a_house_is_refused_rent(loaded_reasons):
    # 张伟 is a buyer of SY202605180001234 in the sample.
    with pytest.raises(ApplicationRefused) as refused:
        _submit(_draft(ZHANG_WEI, "rent", bank="CCB", card_no=ZHANG_CARD))

    assert _failed(refused) == {"owns_house"}
    reason = refused.value.evaluation.result("owns_house").reason
    assert reason.startswith("您名下有住房（房屋编号 ") and "本人及配偶均无自有住房" in reason
    assert str(refused.value).startswith("不符合租房提取条件：您名下有住房")
    assert "购房提取" not in str(refused.value)


def test_a_member_whose_spouse_owns_a_house_is_refused_rent(loaded_reasons):
    # 李娜 is 张伟's spouse: his house is hers for this rule.
    with pytest.raises(ApplicationRefused) as refused:
        _submit(_draft(LI_NA, "rent", bank="ICBC", card_no=LI_CARD))

    assert "owns_house" in _failed(refused)
    assert refused.value.evaluation.result("owns_house").reason.startswith("您的配偶名下有住房")


# -- 离退休提取: 韩梅 -----------------------------------------------------------------------------


def test_han_mei_submits_retirement_for_her_whole_balance(loaded_reasons):
    application = _submit(_draft(HAN_MEI, "retirement", bank=HAN_BANK, card_no=HAN_CARD))

    assert application.state == State.AWAITING_MATERIALS
    assert (application.reason, application.reason_code) == ("retirement", "03")
    assert application.amount_fen == HAN_BALANCE  # the whole balance, 156,300.25 元
    results = {r["rule"]: r["passed"] for r in application.rule_results}
    assert results["retired"] and results["loan_active"] and results["account_status"]  # 封存 is allowed
    assert services.required_material_kinds(application) == RETIREMENT_MATERIALS
    assert "retirement_certificate" in services.missing_material_kinds(application)


def test_a_retirement_of_the_exact_whole_balance_typed_passes(loaded_reasons):
    application = _submit(
        _draft(HAN_MEI, "retirement", bank=HAN_BANK, card_no=HAN_CARD, amount_fen=HAN_BALANCE)
    )

    assert application.state == State.AWAITING_MATERIALS and application.amount_fen == HAN_BALANCE


@pytest.mark.parametrize("typed", [10_000_000, HAN_BALANCE - 1, HAN_BALANCE + 1])
def test_a_retirement_amount_other_than_the_whole_balance_is_refused(loaded_reasons, typed):
    application = _draft(HAN_MEI, "retirement", bank=HAN_BANK, card_no=HAN_CARD, amount_fen=typed)

    with pytest.raises(ApplicationRefused) as refused:
        _submit(application)

    assert _failed(refused) == {"amount"}
    reason = refused.value.evaluation.result("amount").reason
    assert reason.startswith("离退休提取须一次提取全部余额 156,300.25 元")
    assert str(refused.value) == f"不符合离退休提取条件：{reason}"
    application.refresh_from_db()
    assert application.state == State.DRAFT and application.business_no is None


def test_the_final_submission_needs_the_retirement_certificate(loaded_reasons):
    application = _submit(_draft(HAN_MEI, "retirement", bank=HAN_BANK, card_no=HAN_CARD))
    actor = Walk(person=application.person).actor
    for kind in ("id_card_front", "id_card_back", "bank_card"):
        services.material_upload(
            application=application, kind=kind, name=f"{kind}.jpg", data=jpeg_bytes(), actor=actor
        )

    with pytest.raises(ApplicationError, match="退休证明"):
        services.application_final_submit(application=application, actor=actor)

    application.refresh_from_db()
    assert application.state == State.AWAITING_MATERIALS
    assert services.missing_material_kinds(application) == ["retirement_certificate"]


# -- the reason is part of what was checked ---------------------------------------------------------


def test_a_reason_chosen_in_another_tab_during_submit_is_not_committed(loaded_reasons, monkeypatch):
    """曹阳 submits rent; while the registry and the bank answer, another tab turns his draft into a
    离退休提取 (same card, no amount, no house either way). The rent evaluation must not be
    committed on what is now a retirement application."""
    application = _draft(CAO_YANG, "rent", bank=CAO_BANK, card_no=CAO_CARD)
    person = application.person
    original = submission._gather_for

    def gather_then_choose_retirement(app, *, policy):
        gathered = original(app, policy=policy)
        on_another_connection(
            lambda: services.application_start(
                person=person, actor=Walk(person=person).actor, reason="retirement"
            )
        )
        return gathered

    monkeypatch.setattr(submission, "_gather_for", gather_then_choose_retirement)

    with pytest.raises(ApplicationError) as refused:
        _submit(application)

    assert str(refused.value) == CHANGED_DURING_SUBMISSION
    stored = Application.objects.get(pk=application.pk)
    assert (stored.reason, stored.reason_code, stored.state) == ("retirement", "03", State.DRAFT)
    assert stored.business_no is None and stored.rule_results is None and stored.amount_fen is None
    assert not stored.transitions.exists()


def test_a_rent_paid_during_another_rent_submission_is_seen_under_the_locks(loaded_reasons, monkeypatch):
    """曹阳's first rent application is approved, its payment under way (an open application): a
    second one is refused by open_application. If the bank confirms the first while the second asks
    the registry and the bank, the second must see it paid (rent_interval), not merely no longer
    open: the last rent payment is read again under the member's lock like the other records."""
    monkeypatch.setattr(payouts, "payout_enqueue_after_commit", lambda payout: None)
    first = _submit(_draft(CAO_YANG, "rent", bank=CAO_BANK, card_no=CAO_CARD))
    _upload_all(first)
    first = services.application_final_submit(application=first, actor=Walk(person=first.person).actor)
    assert first.state == State.APPROVED
    second = _draft(CAO_YANG, "rent", bank=CAO_BANK, card_no=CAO_CARD)
    assert second.pk != first.pk

    def bank_confirms_the_first() -> None:
        payouts.payout_execute(payout_id=first.payouts.get().pk)
        # Paid on 2026-10-27 in Shenyang: one whole month before the day of the second.
        Application.objects.filter(pk=first.pk, state=State.PAID).update(
            paid_at=dt.datetime(2026, 10, 27, 4, 0, tzinfo=dt.UTC)
        )

    original = submission._gather_for

    def gather_then_the_bank_confirms(app, *, policy):
        gathered = original(app, policy=policy)
        if app.pk == second.pk:
            on_another_connection(bank_confirms_the_first)
        return gathered

    monkeypatch.setattr(submission, "_gather_for", gather_then_the_bank_confirms)

    with pytest.raises(ApplicationRefused) as refused:
        _submit(second)

    assert Application.objects.get(pk=first.pk).state == State.PAID
    assert _failed(refused) == {"rent_interval"}
    assert "2026-10-27" in refused.value.evaluation.result("rent_interval").reason
    stored = Application.objects.get(pk=second.pk)
    assert stored.state == State.DRAFT and stored.business_no is None
