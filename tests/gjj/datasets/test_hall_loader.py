"""dataset_load_into_hall: upserts, opening balances as ledger entries, idempotent re-imports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gjj.datasets.hall_loader import HallLoadConflict, dataset_load_into_hall, statement_reference
from gjj.members.models import (
    Employer,
    FundAccount,
    LedgerEntry,
    LedgerEntryKind,
    Loan,
    Person,
    PriorWithdrawal,
    PriorWithdrawalReason,
)
from gjj.members.selectors import ledger_inconsistencies
from gjj.members.services import hold_place, ledger_post

pytestmark = pytest.mark.django_db

ZHANG_WEI = "210102198803120158"
LI_NA = "210103199007050241"
WANG_FANG = "21010419850101028X"


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the loader writes, to compare before and after."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Employer, Person, FundAccount, LedgerEntry, Loan, PriorWithdrawal)
    }


def account(account_no: str) -> FundAccount:
    return FundAccount.objects.get(account_no=account_no)


def test_the_named_members_load(named_document: dict[str, Any]) -> None:
    summary = dataset_load_into_hall(document=named_document)

    assert (Employer.objects.count(), Person.objects.count(), FundAccount.objects.count()) == (2, 12, 11)
    assert (summary.people.created, summary.accounts.created, summary.opening_entries) == (12, 11, 11)
    zhang = account("210100000001")
    assert zhang.person.id_number == ZHANG_WEI
    assert zhang.employer.code == "210100000101"
    assert (zhang.status, zhang.balance_fen, zhang.frozen_fen) == ("normal", 8642050, 0)
    assert (zhang.monthly_deposit_fen, zhang.paid_through, zhang.consecutive_months) == (
        240000,
        "2026-10",
        48,
    )
    assert str(zhang.opened_on) == "2016-07-01"
    assert account("210100000006").balance_fen == 12050080
    assert account("210100000003").status == "sealed"


def test_opening_balances_are_ledger_entries(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)

    entry = LedgerEntry.objects.get(account__account_no="210100000001")
    assert (entry.sequence, entry.kind, entry.amount_fen, entry.balance_after_fen) == (
        1,
        LedgerEntryKind.OPENING,
        8642050,
        8642050,
    )
    assert entry.reference == statement_reference(
        account_no="210100000001", as_of="2026-11-27", balance_fen=8642050
    )
    assert entry.reference.startswith("import:210100000001:20261127:")
    assert LedgerEntry.objects.count() == 11
    assert ledger_inconsistencies() == []


def test_a_zero_balance_opens_without_an_entry(named_document: dict[str, Any]) -> None:
    named_document["accounts"][0]["balance"] = "0.00"

    dataset_load_into_hall(document=named_document)

    assert account("210100000001").balance_fen == 0
    assert not LedgerEntry.objects.filter(account__account_no="210100000001").exists()
    assert ledger_inconsistencies() == []


def test_spouses_are_linked_both_ways(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)

    zhang, li = Person.objects.get(id_number=ZHANG_WEI), Person.objects.get(id_number=LI_NA)
    assert zhang.spouse == li
    assert li.spouse == zhang
    assert Person.objects.filter(spouse__isnull=False).count() == 2


def test_loans_and_prior_withdrawals_load(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)

    loan = Loan.objects.get()
    assert (loan.person.id_number, loan.status, loan.overdue_months) == ("210105198405150190", "overdue", 3)
    # Keyed by the hall's person id and the position, never by the 身份证号 in clear.
    assert loan.source_key == f"p{loan.person_id}#1"
    withdrawal = PriorWithdrawal.objects.get()
    assert (withdrawal.person.id_number, withdrawal.house_key, withdrawal.amount_fen) == (
        "210105199202020913",
        "SY202603150007777",
        25000000,
    )
    assert str(withdrawal.paid_on) == "2026-04-20"


def test_a_second_load_of_the_same_document_changes_nothing(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)
    before = snapshot()

    summary = dataset_load_into_hall(document=named_document)

    assert snapshot() == before
    assert not summary.changed
    assert summary.people.unchanged == 12
    assert summary.accounts.unchanged == 11
    assert "大厅数据没有变化" in summary.lines()


def test_a_changed_balance_is_booked_as_an_adjustment(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)
    named_document["as_of"] = "2026-12-31"
    named_document["accounts"][0]["balance"] = "90000.00"

    summary = dataset_load_into_hall(document=named_document)

    zhang = account("210100000001")
    assert zhang.balance_fen == 9000000
    adjustment = zhang.entries.get(sequence=2)
    assert (adjustment.kind, adjustment.amount_fen, adjustment.balance_after_fen) == (
        LedgerEntryKind.ADJUSTMENT,
        9000000 - 8642050,
        9000000,
    )
    assert summary.adjustment_entries == 1
    assert ledger_inconsistencies() == []
    # and that statement, too, is booked once only
    before = snapshot()
    dataset_load_into_hall(document=named_document)
    assert snapshot() == before


def test_a_corrected_balance_for_the_same_day_is_booked(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)
    named_document["accounts"][1]["balance"] = "44000.00"

    dataset_load_into_hall(document=named_document)

    assert account("210100000002").balance_fen == 4400000
    assert account("210100000002").entries.count() == 2
    assert ledger_inconsistencies() == []


def test_a_statement_older_than_the_last_import_is_ignored(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)
    named_document["as_of"] = "2026-01-31"
    named_document["accounts"][0]["balance"] = "1.00"

    summary = dataset_load_into_hall(document=named_document)

    assert account("210100000001").balance_fen == 8642050
    assert summary.stale_statements == 11 - 0  # every existing account's statement is older
    assert summary.adjustment_entries == 0


def test_the_halls_own_bookings_survive_a_re_import(named_document: dict[str, Any]) -> None:
    """A payout made by the hall after an import is not undone by importing a newer extract
    that still carries the old balance."""
    dataset_load_into_hall(document=named_document)
    zhang = account("210100000001")
    ledger_post(account=zhang, kind=LedgerEntryKind.WITHDRAWAL, amount_fen=-1000000, reference="TQ1")

    dataset_load_into_hall(document=named_document)
    named_document["as_of"] = "2026-12-01"
    dataset_load_into_hall(document=named_document)

    assert account("210100000001").balance_fen == 8642050 - 1000000
    assert ledger_inconsistencies() == []


def test_changed_people_and_accounts_are_updated(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)
    named_document["people"][2]["phone"] = "13904001003"
    named_document["accounts"][2]["status"] = "normal"
    named_document["accounts"][2]["employer_code"] = "210100000202"
    named_document["employers"][0]["name"] = "辽宁北方装备集团"
    named_document["loans"][0] = {"id_number": "210105198405150190", "status": "active", "overdue_months": 0}

    summary = dataset_load_into_hall(document=named_document)

    assert Person.objects.get(id_number=WANG_FANG).phone == "13904001003"
    wang = account("210100000003")
    assert (wang.status, wang.employer.code) == ("normal", "210100000202")
    assert Employer.objects.get(code="210100000101").name == "辽宁北方装备集团"
    assert Loan.objects.get().status == "active"
    assert (
        summary.people.updated,
        summary.accounts.updated,
        summary.employers.updated,
        summary.loans.updated,
    ) == (
        1,
        1,
        1,
        1,
    )
    assert account("210100000003").balance_fen == 3021000


def test_a_new_marriage_replaces_the_old_one_on_both_sides(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)
    people = {person["id_number"]: person for person in named_document["people"]}
    people[ZHANG_WEI]["spouse_id_number"] = WANG_FANG
    people[WANG_FANG]["spouse_id_number"] = ZHANG_WEI
    people[LI_NA]["spouse_id_number"] = None

    dataset_load_into_hall(document=named_document)

    zhang, li, wang = (Person.objects.get(id_number=n) for n in (ZHANG_WEI, LI_NA, WANG_FANG))
    assert (zhang.spouse, wang.spouse, li.spouse) == (wang, zhang, None)


def test_someone_outside_the_document_loses_a_stale_spouse_link(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)
    Person.objects.filter(id_number__in=[ZHANG_WEI, LI_NA]).update(spouse=None)
    li = Person.objects.get(id_number=LI_NA)
    outsider = Person.objects.create(
        id_number="11010519491231002X", name="外人", phone="13800000000", spouse=li
    )
    Person.objects.filter(pk=li.pk).update(spouse=outsider)

    dataset_load_into_hall(document=named_document)

    outsider.refresh_from_db()
    assert outsider.spouse is None
    assert Person.objects.get(id_number=LI_NA).spouse.id_number == ZHANG_WEI


def test_a_second_account_for_a_person_is_refused_and_nothing_is_written(
    named_document: dict[str, Any],
) -> None:
    dataset_load_into_hall(document=named_document)
    before = snapshot()
    named_document["accounts"][0]["account_no"] = "210199999999"  # 张伟 already has 210100000001

    with pytest.raises(HallLoadConflict, match="多个个人账户"):
        dataset_load_into_hall(document=named_document)

    assert snapshot() == before


def test_a_balance_below_the_frozen_amount_is_refused(named_document: dict[str, Any]) -> None:
    dataset_load_into_hall(document=named_document)
    hold_place(account=account("210100000001"), amount_fen=5000000, reference="TQ2")
    before = snapshot()
    named_document["as_of"] = "2026-12-31"
    named_document["accounts"][0]["balance"] = "100.00"

    with pytest.raises(HallLoadConflict, match="冻结"):
        dataset_load_into_hall(document=named_document)

    assert snapshot() == before


def test_a_generated_document_loads_consistently() -> None:
    import datetime as dt

    from gjj.datasets.generator import dataset_generate

    document = dataset_generate(people=400, seed=11, as_of=dt.date(2026, 11, 27))

    dataset_load_into_hall(document=document)

    assert Person.objects.count() == 400
    assert FundAccount.objects.count() == len(document["accounts"])
    assert ledger_inconsistencies() == []
    spouses = dict(Person.objects.filter(spouse__isnull=False).values_list("id", "spouse_id"))
    assert all(spouses[spouse] == person for person, spouse in spouses.items())
    before = snapshot()
    dataset_load_into_hall(document=document)
    assert snapshot() == before


# -- the other withdrawal reasons (data/sample-reasons.json after the sample) -------------------------

HAN_MEI = "210102196503150524"
CAO_YANG = "210104199609090351"
DENG_CHAO = "210105196407010176"


def test_the_reasons_sample_loads_after_the_sample(
    named_document: dict[str, Any], reasons_document: dict[str, Any]
) -> None:
    dataset_load_into_hall(document=named_document)

    summary = dataset_load_into_hall(document=reasons_document)

    assert (summary.people.created, summary.accounts.created, summary.prior_withdrawals.created) == (3, 3, 1)
    assert summary.employers.unchanged == 2  # the sample's employers, named again
    assert Person.objects.get(id_number=HAN_MEI).retired_on == dt.date(2025, 3, 31)
    assert Person.objects.get(id_number=DENG_CHAO).retired_on == dt.date(2024, 7, 31)
    assert Person.objects.get(id_number=CAO_YANG).retired_on is None
    assert Person.objects.get(id_number=ZHANG_WEI).retired_on is None
    han = FundAccount.objects.get(person__id_number=HAN_MEI)
    assert (han.status, han.balance_fen) == ("sealed", 15630025)
    assert Loan.objects.get(person__id_number=DENG_CHAO).status == "active"
    rent = PriorWithdrawal.objects.get(person__id_number=CAO_YANG)
    assert (rent.reason, rent.house_key, rent.amount_fen, rent.paid_on) == (
        PriorWithdrawalReason.RENT,
        "",
        300000,
        dt.date(2026, 8, 20),
    )
    # The sample's purchase withdrawal is still a purchase of its house.
    purchase = PriorWithdrawal.objects.get(person__id_number="210105199202020913")
    assert (purchase.reason, purchase.house_key) == (PriorWithdrawalReason.PURCHASE, "SY202603150007777")
    assert ledger_inconsistencies() == []


def test_a_second_load_of_the_reasons_sample_changes_nothing(
    named_document: dict[str, Any], reasons_document: dict[str, Any]
) -> None:
    dataset_load_into_hall(document=named_document)
    dataset_load_into_hall(document=reasons_document)
    before = snapshot()

    summary = dataset_load_into_hall(document=reasons_document)

    assert snapshot() == before
    assert not summary.changed
    assert (summary.people.unchanged, summary.prior_withdrawals.unchanged) == (3, 1)


def test_a_changed_retirement_date_is_updated_and_a_removed_one_cleared(
    reasons_document: dict[str, Any],
) -> None:
    dataset_load_into_hall(document=reasons_document)
    reasons_document["people"][0]["retired_on"] = "2025-04-30"
    del reasons_document["people"][2]["retired_on"]
    reasons_document["people"][1]["retired_on"] = "2026-09-30"

    summary = dataset_load_into_hall(document=reasons_document)

    assert summary.people.updated == 3
    assert Person.objects.get(id_number=HAN_MEI).retired_on == dt.date(2025, 4, 30)
    assert Person.objects.get(id_number=DENG_CHAO).retired_on is None
    assert Person.objects.get(id_number=CAO_YANG).retired_on == dt.date(2026, 9, 30)


def test_withdrawals_that_differ_only_by_reason_are_two(reasons_document: dict[str, Any]) -> None:
    retirement = {**reasons_document["prior_withdrawals"][0], "reason": "retirement"}
    reasons_document["prior_withdrawals"].append(retirement)

    summary = dataset_load_into_hall(document=reasons_document)

    assert summary.prior_withdrawals.created == 2
    assert sorted(PriorWithdrawal.objects.values_list("reason", flat=True)) == ["rent", "retirement"]
