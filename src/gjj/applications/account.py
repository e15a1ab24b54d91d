"""The member's fund account as the member's pages show it (the desktop's and the H5's 账户查询, the
summary above the withdrawal forms). Personal data leaves here already masked: a template never
sees a full ID number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator

from gjj.core.masking import mask_id_number
from gjj.core.timeutil import to_shanghai
from gjj.identity.models import MemberLogin
from gjj.members.models import AccountStatus, FundAccount, LedgerEntry, LedgerEntryKind


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


# --- 账户查询 -------------------------------------------------------------------------------------

LEDGER_PAGE_SIZE = 20


@dataclass(frozen=True)
class AccountDetail:
    """The member's fund account for 账户查询."""

    name: str
    masked_id_number: str
    account_no: str
    employer_name: str
    status_label: str
    balance_fen: int
    frozen_fen: int
    available_fen: int
    paid_through_label: str
    consecutive_months: int
    monthly_deposit_fen: int
    closed: bool = False  # 已销户 (after 离退休提取): no balance, nothing more to withdraw


def _month_label(paid_through: str) -> str:
    """``2026-10`` → ``2026年10月``; anything else as stored."""
    year, _, month = (paid_through or "").partition("-")
    if year.isdigit() and month.isdigit():
        return f"{int(year)}年{int(month)}月"
    return paid_through


def member_account_detail(*, member: MemberLogin) -> AccountDetail:
    person = member.person
    account = FundAccount.objects.select_related("employer").get(person=person)
    return AccountDetail(
        name=member.display_name,
        masked_id_number=mask_id_number(person.id_number),
        account_no=account.account_no,
        employer_name=account.employer.name,
        status_label=AccountStatus(account.status).label,
        balance_fen=account.balance_fen,
        frozen_fen=account.frozen_fen,
        available_fen=account.available_fen,
        paid_through_label=_month_label(account.paid_through),
        consecutive_months=account.consecutive_months,
        monthly_deposit_fen=account.monthly_deposit_fen,
        closed=account.status == AccountStatus.CLOSED,
    )


def _yuan_number(fen: int, *, signed: bool = False) -> str:
    """``240000`` → ``2,400.00``; signed: ``+2,400.00`` / ``-86,420.50``."""
    sign = "-" if fen < 0 else ("+" if signed and fen > 0 else "")
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


@dataclass(frozen=True)
class LedgerLine:
    day: dt.date  # the booking date in Asia/Shanghai
    memo: str
    amount_fen: int
    balance_after_fen: int

    @property
    def amount_label(self) -> str:
        return _yuan_number(self.amount_fen, signed=True)

    @property
    def balance_label(self) -> str:
        return _yuan_number(self.balance_after_fen)


@dataclass(frozen=True)
class LedgerPage:
    lines: list[LedgerLine]
    number: int
    num_pages: int
    count: int
    page_range: list[int | str]  # page numbers, "…" where pages are left out

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def member_ledger_page(*, member: MemberLogin, page: str | int | None) -> LedgerPage:
    """账户明细, newest first, ``LEDGER_PAGE_SIZE`` a page. A page number out of range or not a
    number gives the nearest page (Paginator.get_page)."""
    entries = LedgerEntry.objects.filter(account__person=member.person).order_by("-sequence", "-id")
    paginator = Paginator(entries, LEDGER_PAGE_SIZE)
    current = paginator.get_page(page)
    lines = [
        LedgerLine(
            day=to_shanghai(entry.occurred_at).date(),
            memo=entry.memo or LedgerEntryKind(entry.kind).label,
            amount_fen=entry.amount_fen,
            balance_after_fen=entry.balance_after_fen,
        )
        for entry in current.object_list
    ]
    page_range = list(paginator.get_elided_page_range(current.number, on_each_side=2, on_ends=1))
    return LedgerPage(
        lines=lines,
        number=current.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        page_range=[p if isinstance(p, int) else "…" for p in page_range],
    )
