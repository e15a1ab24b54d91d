"""Files the member's channels answer alike."""

from __future__ import annotations

import io

from django.http import FileResponse

from gjj.withdrawals.models import Application
from gjj.withdrawals.receipts import receipt_pdf


def receipt_file(application: Application) -> FileResponse:
    """办理回执 as a PDF, shown in the browser (not downloaded) where the browser can."""
    return FileResponse(
        io.BytesIO(receipt_pdf(application=application)),
        content_type="application/pdf",
        as_attachment=False,
        filename=f"办理回执-{application.business_no}.pdf",
    )
