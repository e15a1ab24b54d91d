"""Writes of the materials (影像上传): upload, replace and remove, checked by their content
(``gjj.withdrawals.materials``); what an application still lacks; and the applications whose
materials never came (expired)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from gjj.policy.active import active_policy
from gjj.policy.reasons import reason_for
from gjj.policy.schema import Policy
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.lifecycle import application_locked, application_transition, require_owner
from gjj.withdrawals.materials import MaterialRejected, material_clean, size_problem
from gjj.withdrawals.models import Application, Material, State
from gjj.withdrawals.selectors import materials_to_replace


def required_material_kinds(application: Application, policy: Policy | None = None) -> tuple[str, ...]:
    """The materials the application's reason asks for (for a purchase: by the house kind and the
    applicant's relation to the house)."""
    policy = policy or active_policy()
    kind = (application.house_snapshot or {}).get("kind", "")
    return reason_for(application.reason).materials(policy, kind, application.relation or None)


def material_upload(*, application: Application, kind: str, name: str, data: bytes, actor: Actor) -> Material:
    """Upload or replace one material (影像上传). The file is checked by its content."""
    require_owner(application, actor)
    policy = active_policy()
    if application.state != State.AWAITING_MATERIALS:
        raise ApplicationError(f"申请当前状态为“{application.get_state_display()}”，不能上传材料")
    if kind not in required_material_kinds(application, policy):
        raise ApplicationError(f"本申请不需要上传“{policy.material_names.get(kind, kind)}”", field=kind)
    clean = material_clean(policy=policy, name=name, data=data)
    with transaction.atomic():
        locked = application_locked(application)
        if locked.state != State.AWAITING_MATERIALS:
            raise ApplicationError(f"申请当前状态为“{locked.get_state_display()}”，不能上传材料")
        uploads = Material.objects.filter(application=locked, kind=kind).count()
        if uploads >= policy.material_max_uploads:
            raise ApplicationError(
                f"“{policy.material_names.get(kind, kind)}”已上传 {uploads} 次，达到上限；如需更换请联系中心",
                field=kind,
            )
        _supersede_current(locked, kind)
        material = Material(
            application=locked,
            kind=kind,
            content_type=clean.content_type,
            size=len(clean.content),
            sha256=clean.sha256,
            original_name=name[:200],
            uploaded_at=timezone.now(),
            uploaded_via=actor.channel,
        )
        material.file.save(
            f"{locked.business_no}-{kind}.{clean.extension}", ContentFile(clean.content), save=False
        )
        material.save()
    return material


def _supersede_current(application: Application, kind: str) -> None:
    """The current upload of ``kind`` stops being current. Its file is deleted (after commit) when
    no reviewer can have seen it — uploaded since the last submission — and kept otherwise; the
    row, with its hash, size and time, stays for the record either way."""
    previous = Material.objects.filter(application=application, kind=kind, is_current=True).first()
    if previous is None:
        return
    previous.is_current = False
    fields = ["is_current"]
    never_submitted = application.submitted_at is None or previous.uploaded_at > application.submitted_at
    if never_submitted and previous.file and previous.file.name:
        storage, path = previous.file.storage, previous.file.name
        transaction.on_commit(lambda: storage.delete(path))
        previous.file = None  # type: ignore[assignment]
        fields.append("file")
    previous.save(update_fields=fields)


def material_upload_file(
    *, application: Application, kind: str, uploaded: UploadedFile, actor: Actor
) -> Material:
    """An uploaded file from any channel: one over the policy's size limit is refused before it is
    read into memory; the rest goes through ``material_upload``."""
    name = uploaded.name or kind
    too_big = size_problem(policy=active_policy(), name=name, size=uploaded.size or 0)
    if too_big:
        raise MaterialRejected(too_big)
    return material_upload(application=application, kind=kind, name=name, data=uploaded.read(), actor=actor)


def material_remove(*, application: Application, kind: str, actor: Actor) -> None:
    require_owner(application, actor)
    with transaction.atomic():
        locked = application_locked(application)
        if locked.state != State.AWAITING_MATERIALS:
            raise ApplicationError(f"申请当前状态为“{locked.get_state_display()}”，不能删除材料")
        _supersede_current(locked, kind)


def missing_material_kinds(application: Application, policy: Policy | None = None) -> list[str]:
    present = set(application.materials.filter(is_current=True).values_list("kind", flat=True))
    return [kind for kind in required_material_kinds(application, policy) if kind not in present]


def require_all_materials(application: Application, policy: Policy) -> None:
    """Every required material is present; after 退回补正, the named ones uploaded again."""
    missing = missing_material_kinds(application, policy)
    if missing:
        names = "、".join(policy.material_names.get(kind, kind) for kind in missing)
        raise ApplicationError(f"请先上传以下材料：{names}", field="materials")
    # After 退回补正 the materials the reviewer named must be new uploads, on every channel.
    to_replace = materials_to_replace(application=application, policy=policy)
    if to_replace:
        names = "、".join(policy.material_names.get(kind, kind) for kind in to_replace)
        raise ApplicationError(f"请重新上传需补正的材料：{names}", field="materials")


def applications_expire(*, now: dt.datetime | None = None) -> int:
    """Applications left without materials past their due time expire. Returns how many."""
    now = now or timezone.now()
    expired = 0
    due = Application.objects.filter(state=State.AWAITING_MATERIALS, materials_due_at__lt=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=pk)
            if (
                locked.state != State.AWAITING_MATERIALS
                or not locked.materials_due_at
                or locked.materials_due_at >= now
            ):
                continue
            application_transition(
                application=locked,
                to_state=State.EXPIRED,
                actor=Actor.system(),
                reason=f"超过材料上传期限（{locked.materials_due_at:%Y-%m-%d %H:%M} UTC）未上传影像材料，申请已过期",
            )
            expired += 1
    return expired
