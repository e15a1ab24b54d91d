"""One uploaded material from a member's request, for every page that takes one."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from gjj.policy.schema import Policy
from gjj.withdrawals import services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.materials import MaterialRejected, size_problem
from gjj.withdrawals.models import Application


def material_upload_from_request(
    *, application: Application, kind: str, uploaded: UploadedFile | None, actor: Actor, policy: Policy
) -> str | None:
    """Store the file through the service; the problem in the member's words, or None."""
    name = policy.material_names.get(kind, kind)
    if uploaded is None:
        return f"请选择{name}的文件后再上传"
    # Refused before reading it: a file over the limit is not read into memory at all.
    too_big = size_problem(policy=policy, name=uploaded.name or kind, size=uploaded.size or 0)
    if too_big:
        return too_big
    try:
        services.material_upload(
            application=application, kind=kind, name=uploaded.name or kind, data=uploaded.read(), actor=actor
        )
    except (MaterialRejected, ApplicationError) as exc:
        return exc.message
    return None
