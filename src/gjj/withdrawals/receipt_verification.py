"""核验回执: anyone holding a printed or downloaded 办理回执 (a bank, a developer, the member)
checks it against the centre's records by its 业务流水号 and 校验码 — typed in, or by scanning the
QR code printed on it, which opens the verification page with both filled in.

The answer says only what the receipt itself says, with the name masked: that this business number
and code belong together, the reason, when it was submitted and where it stands now."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from gjj.core.masking import mask_name
from gjj.core.timeutil import to_shanghai
from gjj.withdrawals.models import Application
from gjj.withdrawals.receipts import receipt_verification_check
from gjj.withdrawals.selectors import application_facts, has_receipt

BUSINESS_NO = re.compile(r"^TQ\d{14}$")
CODE = re.compile(r"^[0-9A-F]{12}$")


@dataclass(frozen=True)
class VerifiedReceipt:
    business_no: str
    applicant: str  # masked
    reason_name: str
    submitted_at: dt.datetime | None
    state_label: str


def receipt_verify_input_problem(business_no: str, code: str) -> str | None:
    """What is wrong with what was typed, in the member's words; None when it can be looked up."""
    if not business_no:
        return "请填写回执上的业务流水号"
    if not BUSINESS_NO.match(business_no):
        return "业务流水号应为 TQ 加 14 位数字，请核对回执"
    if not code:
        return "请填写回执上的校验码"
    if not CODE.match(code):
        return "校验码应为 12 位数字或字母 A–F，请核对回执"
    return None


def verified_receipt(*, business_no: str, code: str) -> VerifiedReceipt | None:
    """The receipt's record when the business number and the code belong together; None otherwise
    (a wrong code and an unknown number are not told apart)."""
    if receipt_verify_input_problem(business_no, code) or not receipt_verification_check(business_no, code):
        return None
    application = (
        Application.objects.select_related("person", "account").filter(business_no=business_no).first()
    )
    if application is None or not has_receipt(application):
        return None
    facts = application_facts(application=application)
    return VerifiedReceipt(
        business_no=facts.business_no,
        applicant=mask_name(facts.applicant_name),
        reason_name=facts.reason_name,
        submitted_at=to_shanghai(facts.submitted_at) if facts.submitted_at else None,
        state_label=facts.state_label,
    )


def receipt_verify_clean(text: str | None) -> str:
    """What was typed or scanned, without spaces, in capitals."""
    return "".join((text or "").split()).upper()
