"""Writes of the withdrawal lifecycle: the import facade over the services, split by subject.

- ``drafts``: the member's draft (start, house, what was typed, 承诺书) and 撤回;
- ``submission``: 提交申请 (every rule), the final submission with the materials (秒批), another
  card after a refused payout;
- ``material_services``: 影像上传 (upload, replace, remove), what is missing, expiry;
- ``review``: 领取, 放弃领取, 通过 (初审 → 复审), 不予通过, 退回补正;
- ``payouts``: approval's payout, paying through the bank, reconciling.

Every state change goes through ``lifecycle.application_transition``. Callers import from here
(``from gjj.withdrawals import services``) or from the subject's module; both are the same functions.
``today_shanghai`` is read here by the submissions, so replacing it here fixes the day."""

from __future__ import annotations

from gjj.core.timeutil import today_shanghai
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.drafts import (
    application_accept_declaration,
    application_cancel,
    application_draft_for_form,
    application_lookup_house,
    application_start,
    application_update_draft,
)
from gjj.withdrawals.eligibility import records_facts
from gjj.withdrawals.errors import ApplicationError, ApplicationRefused
from gjj.withdrawals.lifecycle import (
    ALLOWED_TRANSITIONS,
    CANCELLABLE_STATES,
    EDITABLE_STATES,
    application_transition,
)
from gjj.withdrawals.material_services import (
    applications_expire,
    material_remove,
    material_upload,
    material_upload_file,
    missing_material_kinds,
    required_material_kinds,
)
from gjj.withdrawals.payouts import approval_grant
from gjj.withdrawals.review import (
    STAGE_NAMES,
    STAGE_ROLES,
    application_approve,
    application_claim,
    application_reject,
    application_release,
    application_return,
)
from gjj.withdrawals.submission import (
    application_change_payout_card,
    application_final_submit,
    application_submit,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "CANCELLABLE_STATES",
    "EDITABLE_STATES",
    "STAGE_NAMES",
    "STAGE_ROLES",
    "Actor",
    "ApplicationError",
    "ApplicationRefused",
    "application_accept_declaration",
    "application_approve",
    "application_cancel",
    "application_change_payout_card",
    "application_claim",
    "application_draft_for_form",
    "application_final_submit",
    "application_lookup_house",
    "application_reject",
    "application_release",
    "application_return",
    "application_start",
    "application_submit",
    "application_transition",
    "application_update_draft",
    "applications_expire",
    "approval_grant",
    "material_remove",
    "material_upload",
    "material_upload_file",
    "missing_material_kinds",
    "records_facts",
    "required_material_kinds",
    "today_shanghai",
]
