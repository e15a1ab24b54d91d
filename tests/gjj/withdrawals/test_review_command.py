"""gjj review: the operator's command goes through the review services."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gjj.withdrawals.models import State
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member
from tests.gjj.withdrawals.test_review import no_instant_approval  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _review(*args: str) -> str:
    out = io.StringIO()
    call_command("review", *args, stdout=out)
    return out.getvalue()


def test_return_then_refuse_an_unknown_reviewer(loaded, no_instant_approval, reviewers):  # noqa: F811
    first, _ = reviewers
    first.is_staff = True
    first.save(update_fields=["is_staff"])
    walk = member(ZHANG_WEI)
    application = walk.submit(walk.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    walk.upload_all(application)
    application = walk.final_submit(application)
    assert application.state == State.SUBMITTED

    with pytest.raises(CommandError, match="工作人员"):
        _review("--business-no", application.business_no, "--reviewer", "nobody", "--approve")
    out = _review(
        "--business-no",
        application.business_no,
        "--reviewer",
        first.username,
        "--return",
        "--fix",
        "purchase_invoice",
        "--reason",
        "购房发票不清晰",
    )
    assert "退回补正" in out
    application.refresh_from_db()
    assert application.state == State.RETURNED and application.what_to_fix == ["purchase_invoice"]
    with pytest.raises(CommandError, match="不能审批"):
        _review("--business-no", application.business_no, "--reviewer", first.username, "--approve")
