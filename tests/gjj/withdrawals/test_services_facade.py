"""``gjj.withdrawals.services`` is the import facade over the services split by subject: the same
functions, and the day the submissions use is read through it."""

from __future__ import annotations

import datetime as dt

from gjj.withdrawals import drafts, lifecycle, material_services, payouts, review, services, submission


def test_the_facade_exports_the_subject_modules_own_functions():
    assert services.application_start is drafts.application_start
    assert services.application_cancel is drafts.application_cancel
    assert services.application_submit is submission.application_submit
    assert services.application_final_submit is submission.application_final_submit
    assert services.application_change_payout_card is submission.application_change_payout_card
    assert services.material_upload is material_services.material_upload
    assert services.required_material_kinds is material_services.required_material_kinds
    assert services.applications_expire is material_services.applications_expire
    assert services.application_claim is review.application_claim
    assert services.application_approve is review.application_approve
    assert services.approval_grant is payouts.approval_grant
    assert services.application_transition is lifecycle.application_transition
    assert services.CANCELLABLE_STATES is lifecycle.CANCELLABLE_STATES
    assert all(hasattr(services, name) for name in services.__all__)


def test_fixing_the_day_on_the_facade_fixes_it_for_the_submissions(monkeypatch):
    day = dt.date(2026, 11, 27)
    monkeypatch.setattr("gjj.withdrawals.services.today_shanghai", lambda: day)
    assert submission._today() == day
