"""The run's proof, read from the hall's records and the bank's own (run under the fleet's production
settings: ``python -m chaos.verify <run file>``; prints one JSON object).

The hall's database is the run's alone (made fresh), so every application in it is looked at, not
only those whose final answer reached the driver:

- missing: a business number the driver was given that the hall does not have;
- stuck: an application past 提交申请 that is neither paid nor waiting for 财务 (需人工处理, its
  money still held), or whose transfer the bank still has in hand;
- doubled: an application the bank paid more than once or more than the hall approved (the bank's
  transfer table against the hall's payouts, by serial), one with more than one paid payout, or a
  card that received from the bank other than what the hall paid to it;
- bank transfers the hall has no payout for;
- the ledger invariant, ``check-applications`` and the audit chain;
- every day's bank statement since the run began, imported and reconciled with nothing unmatched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

# The sims' bank (sims.bank.models.TransferResult).
BANK_DONE, BANK_PROCESSING = 0, 2


def _bank_transfers() -> list[tuple[str, str, int, int]]:
    """(serial, card_no, amount_fen, result) of every transfer the bank simulator holds."""
    import psycopg

    with psycopg.connect(os.environ["SIMS_DATABASE_URL"]) as connection:
        return connection.execute("SELECT serial, card_no, amount_fen, result FROM bank_transfer").fetchall()


def standing(business_nos: list[str]) -> dict[str, Any]:
    """Where every application stands: what the settle loop waits on."""
    from gjj.withdrawals.lifecycle import FINAL_STATES
    from gjj.withdrawals.models import OPEN_PAYOUT_STATES, Application, Payout, State

    submitted = Application.objects.exclude(business_no__isnull=True).exclude(business_no="")
    known = set(submitted.values_list("business_no", flat=True))
    open_payouts: dict[int, list[Payout]] = defaultdict(list)
    for payout in Payout.objects.filter(state__in=OPEN_PAYOUT_STATES):
        open_payouts[payout.application_id].append(payout)
    bank_in_hand = {serial for serial, _, _, result in _bank_transfers() if result == BANK_PROCESSING}
    stuck, waiting_for_staff = [], []
    for application in submitted.exclude(state__in=[State.DRAFT, State.AWAITING_MATERIALS]):
        payouts = open_payouts.get(application.pk, [])
        in_hand = [p.serial for p in payouts if p.serial in bank_in_hand]
        if application.state in FINAL_STATES and not payouts:
            continue
        if payouts and all(p.needs_manual for p in payouts) and not in_hand:
            waiting_for_staff.append(application.business_no)
            continue
        stuck.append(f"{application.business_no}: {application.state} / {[p.state for p in payouts]}")
    return {
        "missing": sorted(set(business_nos) - known),
        "stuck": stuck,
        "waiting_for_staff": waiting_for_staff,
    }


def verify(business_nos: list[str], *, since: dt.date) -> dict[str, Any]:
    from django.db.models import Count, Q

    from gjj.audit.selectors import audit_chain_check
    from gjj.core.timeutil import today_shanghai
    from gjj.members.selectors import ledger_inconsistencies
    from gjj.reconciliation import services as reconciliation
    from gjj.reconciliation.matching import BUCKET_ORDER
    from gjj.withdrawals.checked_inputs import applications_inconsistencies
    from gjj.withdrawals.models import Application, Payout, PayoutState

    applications = list(
        Application.objects.exclude(business_no__isnull=True)
        .exclude(business_no="")
        .annotate(paid_payouts=Count("payouts", filter=Q(payouts__state=PayoutState.DONE)))
    )
    payouts = list(Payout.objects.all())
    serials_by_application: dict[int, list[str]] = defaultdict(list)
    hall_paid_by_card: Counter[str] = Counter()
    for payout in payouts:
        serials_by_application[payout.application_id].append(payout.serial)
        if payout.state == PayoutState.DONE:
            hall_paid_by_card[payout.card_no] += payout.amount_fen

    bank = _bank_transfers()
    bank_by_serial = {serial: (amount, result) for serial, _, amount, result in bank}
    bank_paid_by_card: Counter[str] = Counter()
    for _, card_no, amount, result in bank:
        if result in (BANK_DONE, BANK_PROCESSING):
            bank_paid_by_card[card_no] += amount
    doubled = []
    for application in applications:
        moved = [
            bank_by_serial[serial][0]
            for serial in serials_by_application.get(application.pk, [])
            if serial in bank_by_serial and bank_by_serial[serial][1] in (BANK_DONE, BANK_PROCESSING)
        ]
        if application.paid_payouts > 1 or len(moved) > 1 or sum(moved) > (application.amount_fen or 0):
            doubled.append(
                f"{application.business_no}: hall paid {application.paid_payouts}, bank moved {moved}"
            )
    cards_differing = sorted(
        card[-4:]
        for card in set(bank_paid_by_card) | set(hall_paid_by_card)
        if bank_paid_by_card[card] != hall_paid_by_card[card]
    )
    hall_serials = {payout.serial for payout in payouts}
    unknown_to_hall = sorted(serial for serial, *_ in bank if serial not in hall_serials)

    reconciled = []
    day = since
    while day <= today_shanghai():
        try:
            statement = reconciliation.statement_fetch_and_import(day=day, actor=None)
        except reconciliation.StatementAlreadyImported as exc:
            statement = exc.existing
        reconciled.append(
            {
                "day": day.isoformat(),
                "lines": statement.line_count,
                "buckets": {bucket.value: statement.count_of(bucket) for bucket in BUCKET_ORDER},
                "unmatched": statement.problem_count,
            }
        )
        day += dt.timedelta(days=1)

    return {
        **standing(business_nos),
        "applications": len(applications),
        "states": dict(Counter(a.state for a in applications)),
        "payout_states": dict(Counter(p.state for p in payouts)),
        "doubled": doubled,
        "cards_paid_differently": cards_differing,
        "bank_transfers_unknown_to_hall": unknown_to_hall,
        "ledger": ledger_inconsistencies(),
        "check_applications": [str(p) for p in applications_inconsistencies()],
        "audit": [str(p) for p in audit_chain_check()],
        "reconciliation": reconciled,
    }


def main() -> None:
    import django

    django.setup()
    run = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if "--standing" in sys.argv[2:]:
        result = standing(run["business_nos"])
    else:
        result = verify(run["business_nos"], since=dt.date.fromisoformat(run["since"]))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
