"""财务: the bank's daily statement imported (fetched from the bank or uploaded) and its report."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gjj.audit.models import AuditAction
from gjj.audit.services import audit_record_request
from gjj.backoffice.access import FINANCE, FINANCE_READERS, staff_user, staff_view
from gjj.clients.bank import BankUnavailable
from gjj.core.origin import origin_of
from gjj.core.timeutil import today_shanghai
from gjj.reconciliation.matching import MAX_BYTES
from gjj.reconciliation.models import StatementImport
from gjj.reconciliation.selectors import statement_imports, statement_report, statement_report_csv
from gjj.reconciliation.services import StatementRejected, statement_fetch_and_import, statement_import
from gjj.staff.roles import StaffRole, user_has_role


@staff_view(FINANCE_READERS)
def statements(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/reconciliation_list.html",
        {
            "imports": statement_imports(),
            "yesterday": today_shanghai() - dt.timedelta(days=1),
            "can_import": user_has_role(request.user, StaffRole.FINANCE),
        },
    )


@require_POST
@staff_view(FINANCE)
def statement_import_view(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("day", "").strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        messages.error(request, f"对账日期“{text}”不是有效日期（格式 YYYY-MM-DD）")
        return redirect("backoffice:reconciliation")
    if day > today_shanghai():
        messages.error(request, f"{day.isoformat()} 尚未到来，不能导入该日对账单")
        return redirect("backoffice:reconciliation")
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            if (upload.size or 0) > MAX_BYTES:  # refused before it is read into memory
                raise StatementRejected(
                    [f"文件 {upload.name} 超过 {MAX_BYTES // (1024 * 1024)} MB，不是对账单"]
                )
            statement = statement_import(
                day=day,
                content=upload.read(),
                source=(upload.name or "上传文件")[:200],
                actor=staff_user(request),
                origin=origin_of(request),
            )
        else:
            statement = statement_fetch_and_import(
                day=day, actor=staff_user(request), origin=origin_of(request)
            )
    except StatementRejected as refused:
        messages.error(request, refused.message)
        return redirect("backoffice:reconciliation")
    except BankUnavailable as down:
        messages.error(request, f"{down.message}，未能下载对账单，请稍后再试或上传文件")
        return redirect("backoffice:reconciliation")
    messages.success(
        request,
        f"{day.isoformat()} 对账单已导入：{statement.line_count} 行，{statement.problem_count} 项差异",
    )
    return redirect("backoffice:statement_report", import_id=statement.pk)


def _import_or_404(import_id: int) -> StatementImport:
    statement = StatementImport.objects.select_related("imported_by").filter(pk=import_id).first()
    if statement is None:
        raise Http404("没有这份对账报告")
    return statement


@staff_view(FINANCE_READERS)
def report(request: HttpRequest, import_id: int) -> HttpResponse:
    statement = _import_or_404(import_id)
    return render(
        request,
        "backoffice/reconciliation_report.html",
        {"report": statement_report(statement_import=statement), "statement": statement},
    )


@staff_view(FINANCE_READERS)
def export(request: HttpRequest, import_id: int) -> HttpResponse:
    statement = _import_or_404(import_id)
    audit_record_request(
        request,
        action=AuditAction.STATEMENT_EXPORT,
        summary=f"导出 {statement.day.isoformat()} 对账报告",
        target_type="statement",
        target_id=str(statement.pk),
    )
    body = "\ufeff" + statement_report_csv(statement_import=statement)
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="reconciliation-{statement.day.isoformat()}-{statement.pk}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
