"""What is committed is what was checked: a change that lands while a submission asks the registry
and the bank (another tab's draft save, an API PATCH, a material removed) is never committed with
the evaluation made before it; ``gjj check-applications`` proves the invariant afterwards.

The concurrent change runs on its own database connection, in the window between the outside calls
and the locked transaction — exactly where a slow registry or bank leaves it room."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command

from gjj.members.selectors import ledger_inconsistencies
from gjj.withdrawals import services, submission
from gjj.withdrawals.checked_inputs import CHANGED_DURING_SUBMISSION, applications_inconsistencies
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.models import Application, Payout, PayoutState, State
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member, on_another_connection

pytestmark = pytest.mark.django_db(transaction=True)

ZHAO_MIN_CLASS_II_CARD = "6212260122184678383"


@pytest.fixture
def during_outside_calls(monkeypatch):
    """``during_outside_calls(change)``: the next submission runs ``change`` on another connection
    once the registry and the bank have answered, before its transaction opens."""
    pending: list[Callable[[], object]] = []
    original = submission._gather_for

    def gather_then_let_the_change_land(application, *, policy):
        gathered = original(application, policy=policy)
        while pending:
            on_another_connection(pending.pop(0))
        return gathered

    monkeypatch.setattr(submission, "_gather_for", gather_then_let_the_change_land)
    return pending.append


def _state(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def test_a_draft_saved_in_another_tab_during_submit_is_not_committed_with_the_old_evaluation(
    loaded, during_outside_calls
):
    zhang = member(ZHANG_WEI)
    application = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD, amount_fen=5_000_000)
    during_outside_calls(
        lambda: services.application_update_draft(
            application=application,
            actor=zhang.actor,
            bank="ICBC",
            card_no=ZHAO_MIN_CLASS_II_CARD,
            amount_fen=8_000_000,
        )
    )

    with pytest.raises(ApplicationError) as refused:
        zhang.submit(application)

    assert str(refused.value) == CHANGED_DURING_SUBMISSION
    stored = _state(application)
    assert stored.state == State.DRAFT
    assert (stored.bank, stored.card_no, stored.amount_fen) == ("ICBC", ZHAO_MIN_CLASS_II_CARD, 8_000_000)
    assert stored.business_no is None and stored.rule_results is None and stored.evaluated_inputs is None
    assert not stored.transitions.exists()


def test_after_the_refusal_a_new_submit_checks_what_the_draft_now_holds(loaded, during_outside_calls):
    zhang = member(ZHANG_WEI)
    application = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD, amount_fen=5_000_000)
    during_outside_calls(
        lambda: services.application_update_draft(
            application=application, actor=zhang.actor, bank="ICBC", card_no=ZHAO_MIN_CLASS_II_CARD
        )
    )
    with pytest.raises(ApplicationError):
        zhang.submit(application)

    with pytest.raises(services.ApplicationRefused) as refused:
        zhang.submit(_state(application))

    failed = {result.rule for result in refused.value.evaluation.failures}
    assert {"card_class", "card_holder"} <= failed
    assert _state(application).state == State.DRAFT


def test_an_amount_raised_during_submit_is_not_committed(loaded, during_outside_calls):
    zhang = member(ZHANG_WEI)
    application = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD, amount_fen=5_000_000)
    during_outside_calls(
        lambda: services.application_update_draft(
            application=application, actor=zhang.actor, amount_fen=8_642_050
        )
    )

    with pytest.raises(ApplicationError, match="提交期间申请内容已被修改"):
        zhang.submit(application)

    assert _state(application).state == State.DRAFT


def test_a_material_removed_during_final_submit_is_not_approved(loaded, during_outside_calls):
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    kind = services.required_material_kinds(application)[0]
    during_outside_calls(
        lambda: services.material_remove(application=application, kind=kind, actor=zhang.actor)
    )

    with pytest.raises(ApplicationError, match="请先上传以下材料"):
        zhang.final_submit(application)

    stored = _state(application)
    assert stored.state == State.AWAITING_MATERIALS
    assert not stored.instant_approved and not Payout.objects.filter(application=stored).exists()


def test_a_whole_application_is_consistent_and_the_checkers_say_so(loaded):
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    paid = zhang.final_submit(application)

    assert _state(paid).state == State.PAID
    assert applications_inconsistencies() == []
    out = io.StringIO()
    call_command("check_applications", stdout=out)
    assert "提取申请核对一致" in out.getvalue()
    record = _state(paid).evaluated_inputs
    assert record["amount_fen"] == 8_642_050 and record["max_amount_fen"] == 8_642_050
    assert ZHANG_CARD not in str(record)  # the card only as a keyed digest


@pytest.mark.parametrize(
    ("change", "found"),
    [
        ({"amount_fen": 8_000_000}, "提取金额与核验时不同"),
        ({"card_no": "6217001376212461781"}, "收款银行或银行卡与核验时不同"),
        ({"bank": "ICBC"}, "收款银行或银行卡与核验时不同"),
        ({"house_key": "SY202606060002468"}, "房屋与核验时不同"),
    ],
)
def test_the_checker_finds_an_application_changed_behind_the_evaluations_back(loaded, change, found):
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    Application.objects.filter(pk=application.pk).update(**change)

    problems = applications_inconsistencies()

    assert problems == [f"业务流水号 {application.business_no}：{found}"]
    with pytest.raises(CommandError, match="发现 1 处不一致"):
        call_command("check_applications", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_checker_finds_a_payout_other_than_what_was_approved(loaded):
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    zhang.final_submit(application)
    payout = Payout.objects.get(application=application, state=PayoutState.DONE)
    Payout.objects.filter(pk=payout.pk).update(amount_fen=payout.amount_fen + 1)

    assert applications_inconsistencies() == [
        f"业务流水号 {application.business_no}：支付 {payout.serial} 的金额 {payout.amount_fen + 1} 分"
        f"与审批金额 {payout.amount_fen} 分不符"
    ]


def test_the_submit_race_fifty_times_leaves_applications_and_ledger_consistent(loaded, during_outside_calls):
    zhang = member(ZHANG_WEI)
    for round_ in range(50):
        application = zhang.fill(
            contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD, amount_fen=1_000_000
        )
        during_outside_calls(
            lambda application=application, round_=round_: services.application_update_draft(
                application=application, actor=zhang.actor, amount_fen=1_000_000 + round_ + 1
            )
        )
        with pytest.raises(ApplicationError, match="提交期间申请内容已被修改"):
            zhang.submit(application)
        services.application_cancel(application=_state(application), actor=zhang.actor)

    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    assert _state(zhang.final_submit(application)).state == State.PAID
    assert applications_inconsistencies() == []
    assert ledger_inconsistencies() == []
