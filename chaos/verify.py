"""The run's proof, read from the hall's records and the bank's (run under the fleet's production
settings: ``python -m chaos.verify <business numbers file>``; prints one JSON object).

- every application the members submitted exists, and is final or in a consistent state: paid, or
  its payout waiting for 财务 (需人工处理) with the money still held; anything else is stuck;
- doubled: an application the bank paid more than once (its statement of today against the
  payouts: more than one completed transfer to the application's serials, or more money than the
  hall approved), or with more than one paid payout in the hall;
- the ledger invariant, ``check-applications`` and the audit chain;
- today's bank statement imported and reconciled with nothing unmatched.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any


def verify(business_nos: list[str], *, quick: bool = False) -> dict[str, Any]:
    """With ``quick``, only where each application stands (the settle loop's question)."""
    from django.db.models import Count, Q

    from gjj.audit.selectors import audit_chain_check
    from gjj.clients.bank import get_bank_client
    from gjj.core.timeutil import today_shanghai
    from gjj.members.selectors import ledger_inconsistencies
    from gjj.reconciliation import services as reconciliation
    from gjj.withdrawals.checked_inputs import applications_inconsistencies
    from gjj.withdrawals.models import OPEN_PAYOUT_STATES, Application, Payout, PayoutState, State

    applications = {
        a.business_no: a
        for a in Application.objects.filter(business_no__in=business_nos).annotate(
            paid_payouts=Count("payouts", filter=Q(payouts__state=PayoutState.DONE))
        )
    }
    payouts_by_application: dict[int, list[Payout]] = defaultdict(list)
    for payout in Payout.objects.filter(application__business_no__in=business_nos):
        payouts_by_application[payout.application_id].append(payout)

    missing = [no for no in business_nos if no not in applications]
    waiting_for_staff = []
    stuck = []
    for no, application in applications.items():
        payouts = payouts_by_application.get(application.pk, [])
        if application.state == State.PAID:
            continue
        if any(p.state in OPEN_PAYOUT_STATES and p.needs_manual for p in payouts):
            waiting_for_staff.append(no)
            continue
        stuck.append(f"{no}: {application.state} / {[p.state for p in payouts]}")

    standing = {"applications": len(business_nos), "missing": missing, "stuck": stuck}
    if quick:
        return standing

    day = today_shanghai()
    statement_csv = get_bank_client().daily_statement(day=day).decode("utf-8")
    bank_done: dict[str, list[int]] = defaultdict(list)
    for line in csv.DictReader(io.StringIO(statement_csv)):
        if line["result"] == "done":
            bank_done[line["serial"]].append(int(line["amount_fen"]))
    doubled = []
    for no, application in applications.items():
        serials = [p.serial for p in payouts_by_application.get(application.pk, [])]
        transfers = [amount for serial in serials for amount in bank_done.get(serial, [])]
        if (
            application.paid_payouts > 1
            or len(transfers) > 1
            or sum(transfers) > (application.amount_fen or 0)
        ):
            doubled.append(f"{no}: hall paid payouts {application.paid_payouts}, bank transfers {transfers}")
    unknown_serials = sorted(
        set(bank_done)
        - set(Payout.objects.filter(serial__in=list(bank_done)).values_list("serial", flat=True))
    )

    try:
        statement = reconciliation.statement_fetch_and_import(day=day, actor=None)
    except reconciliation.StatementAlreadyImported as exc:
        statement = exc.existing
    buckets = {bucket: statement.count_of(bucket) for bucket in _buckets()}

    return {
        **standing,
        "states": dict(Counter(a.state for a in applications.values())),
        "payout_states": dict(Counter(p.state for ps in payouts_by_application.values() for p in ps)),
        "waiting_for_staff": waiting_for_staff,
        "doubled": doubled,
        "bank_transfers_unknown_to_hall": unknown_serials,
        "ledger": ledger_inconsistencies(),
        "check_applications": [str(p) for p in applications_inconsistencies()],
        "audit": [str(p) for p in audit_chain_check()],
        "reconciliation": {
            "day": day.isoformat(),
            "lines": statement.line_count,
            "buckets": buckets,
            "unmatched": statement.problem_count,
        },
    }


def _buckets() -> list[str]:
    from gjj.reconciliation.matching import BUCKET_ORDER

    return [bucket.value for bucket in BUCKET_ORDER]


def main() -> None:
    import django

    django.setup()
    business_nos = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(json.dumps(verify(business_nos, quick="--quick" in sys.argv[2:]), ensure_ascii=False))


if __name__ == "__main__":
    main()
