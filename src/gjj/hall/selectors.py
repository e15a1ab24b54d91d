"""Reads for the 个人网厅 pages. Personal data leaves here already masked: a template never sees a
full ID number."""

from __future__ import annotations

from dataclasses import dataclass

from gjj.core.masking import mask_id_number
from gjj.identity.models import MemberLogin
from gjj.members.models import AccountStatus


@dataclass(frozen=True)
class MemberAccountSummary:
    name: str
    masked_id_number: str
    account_no: str
    status_label: str
    balance_fen: int
    available_fen: int


def member_account_summary(*, member: MemberLogin) -> MemberAccountSummary:
    person = member.person
    # A member login only exists for a person with a fund account (gjj.identity.backends).
    account = person.account
    return MemberAccountSummary(
        name=member.display_name,
        masked_id_number=mask_id_number(person.id_number),
        account_no=account.account_no,
        status_label=AccountStatus(account.status).label,
        balance_fen=account.balance_fen,
        available_fen=account.available_fen,
    )
