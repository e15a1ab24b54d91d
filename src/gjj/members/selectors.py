"""Reads of members and their money."""

from __future__ import annotations

from django.db.models import Sum

from gjj.members.models import FundAccount, FundHold, HoldStatus, LedgerEntry, Person


def person_by_id_number(*, id_number: str) -> Person | None:
    return (
        Person.objects.select_related("spouse", "account", "account__employer")
        .filter(id_number=id_number)
        .first()
    )


def account_for_person(*, person: Person) -> FundAccount | None:
    return FundAccount.objects.select_related("employer").filter(person=person).first()


def ledger_inconsistencies() -> list[str]:
    """Accounts whose balance is not the sum of their entries, or whose frozen amount is not the
    sum of their open holds. Empty when the books are right."""
    problems: list[str] = []
    sums = dict(LedgerEntry.objects.values_list("account_id").annotate(total=Sum("amount_fen")))
    held = dict(
        FundHold.objects.filter(status=HoldStatus.HELD)
        .values_list("account_id")
        .annotate(total=Sum("amount_fen"))
    )
    for account_id, account_no, balance, frozen in FundAccount.objects.values_list(
        "id", "account_no", "balance_fen", "frozen_fen"
    ):
        if sums.get(account_id, 0) != balance:
            problems.append(f"账户 {account_no} 余额 {balance} 分与明细合计 {sums.get(account_id, 0)} 分不符")
        if held.get(account_id, 0) != frozen:
            problems.append(
                f"账户 {account_no} 冻结金额 {frozen} 分与冻结记录合计 {held.get(account_id, 0)} 分不符"
            )
    return problems
