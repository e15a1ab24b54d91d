"""One uploaded material from a member's page, with the problem in the member's words."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from gjj.policy.schema import Policy
from gjj.withdrawals import services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.materials import MaterialRejected
from gjj.withdrawals.models import Application


def material_upload_from_request(
    *, application: Application, kind: str, uploaded: UploadedFile | None, actor: Actor, policy: Policy
) -> str | None:
    """Store the file through the service; the problem in the member's words, or None."""
    if uploaded is None:
        return f"请选择{policy.material_names.get(kind, kind)}的文件后再上传"
    try:
        services.material_upload_file(application=application, kind=kind, uploaded=uploaded, actor=actor)
    except (MaterialRejected, ApplicationError) as exc:
        return exc.message
    return None
