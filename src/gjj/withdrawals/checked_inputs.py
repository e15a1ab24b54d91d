"""What an evaluation was made on, so that what is committed (and later paid) is what was checked.

A submission asks the registry and the bank before its transaction opens; a draft save in another
tab or an API PATCH can land meanwhile. ``submitted_inputs`` is read with the draft before the
outside calls, and again from the locked row: when the two differ the submission is refused, never
stored. ``evaluated_inputs_record`` is what is kept with the evaluation; the card is kept as a keyed
digest only (no second clear copy of a card number).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.crypto import salted_hmac

from gjj.withdrawals.lifecycle import SETTLED_INPUT_STATES
from gjj.withdrawals.models import Application, Payout, PayoutState, State

CHANGED_DURING_SUBMISSION = "提交期间申请内容已被修改（例如在另一个窗口或设备上），请核对后重新提交"
_CARD_DIGEST_SALT = "gjj.withdrawals.evaluated-card"


@dataclass(frozen=True)
class SubmittedInputs:
    reason: str  # another reason chosen meanwhile (the draft turned into it) is another evaluation
    lookup_field: str
    house_key: str
    bank: str
    card_no: str
    amount_fen: int | None

    def __repr__(self) -> str:  # never print a card number, not even in a traceback
        return (
            f"SubmittedInputs(reason={self.reason!r}, house_key={self.house_key!r}, bank={self.bank!r}, "
            f"amount_fen={self.amount_fen!r})"
        )


def submitted_inputs(application: Application) -> SubmittedInputs:
    return SubmittedInputs(
        reason=application.reason,
        lookup_field=application.lookup_field,
        house_key=application.house_key,
        bank=application.bank,
        card_no=application.card_no,
        amount_fen=application.amount_fen,
    )


def card_digest(card_no: str) -> str:
    return salted_hmac(_CARD_DIGEST_SALT, card_no, algorithm="sha256").hexdigest()


def evaluated_inputs_record(application: Application, *, max_amount_fen: int | None) -> dict[str, object]:
    """What the stored evaluation covers, from the row as it is being stored."""
    return {
        "lookup_field": application.lookup_field,
        "house_key": application.house_key,
        "bank": application.bank,
        "card_digest": card_digest(application.card_no),
        "amount_fen": application.amount_fen,
        "max_amount_fen": max_amount_fen,
    }


def evaluated_inputs_mismatches(application: Application) -> list[str]:
    """The parts of ``application`` that differ from what its evaluation was made on (Chinese)."""
    record = application.evaluated_inputs
    if not record:
        return ["没有核验时的申请内容记录"]
    problems = []
    if (record.get("lookup_field"), record.get("house_key")) != (
        application.lookup_field,
        application.house_key,
    ):
        problems.append("房屋与核验时不同")
    if record.get("bank") != application.bank or record.get("card_digest") != card_digest(
        application.card_no
    ):
        problems.append("收款银行或银行卡与核验时不同")
    if record.get("amount_fen") != application.amount_fen:
        problems.append("提取金额与核验时不同")
    maximum = record.get("max_amount_fen")
    if application.amount_fen is not None and (maximum is None or application.amount_fen > maximum):
        problems.append("提取金额超过核验时的可提取额度")
    return problems


def applications_inconsistencies() -> list[str]:
    """Applications past the draft whose stored evaluation does not cover exactly their amount,
    card and house, or whose payouts are not what was approved. Empty when all is right."""
    problems: list[str] = []
    applications = (
        Application.objects.filter(state__in=SETTLED_INPUT_STATES)
        .only("pk", "business_no", "state", *_INPUT_FIELDS, "evaluated_inputs", "rule_results")
        .order_by("pk")
    )
    payouts_by_application: dict[int, list[Payout]] = {}
    for payout in Payout.objects.filter(application__state__in=SETTLED_INPUT_STATES).order_by("pk"):
        payouts_by_application.setdefault(payout.application_id, []).append(payout)
    for application in applications.iterator(chunk_size=2000):
        label = f"业务流水号 {application.business_no or application.pk}"
        if not application.rule_results:
            problems.append(f"{label}：没有规则核验结果")
        problems.extend(f"{label}：{problem}" for problem in evaluated_inputs_mismatches(application))
        payouts = payouts_by_application.get(application.pk, [])
        problems.extend(f"{label}：{problem}" for problem in _payout_problems(application, payouts))
    return problems


_INPUT_FIELDS = ("lookup_field", "house_key", "bank", "card_no", "amount_fen")


def _payout_problems(application: Application, payouts: list[Payout]) -> list[str]:
    problems = []
    for payout in payouts:
        if payout.amount_fen != application.amount_fen:
            problems.append(
                f"支付 {payout.serial} 的金额 {payout.amount_fen} 分与审批金额 {application.amount_fen} 分不符"
            )
    done = [payout for payout in payouts if payout.state == PayoutState.DONE]
    if len(done) > 1:
        problems.append(f"有 {len(done)} 笔支付成功（应至多 1 笔）")
    if (application.state == State.PAID) != bool(done):
        problems.append(f"状态为“{application.get_state_display()}”，支付成功 {len(done)} 笔")
    for payout in done:
        if (payout.bank, payout.card_no) != (application.bank, application.card_no):
            problems.append(f"支付 {payout.serial} 的收款卡与申请的收款卡不同")
    return problems
