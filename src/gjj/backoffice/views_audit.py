"""审计: search and export the audit log (both themselves audited)."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gjj.audit.models import AuditAction, AuditEntry
from gjj.audit.selectors import audit_csv, audit_search
from gjj.audit.services import audit_record_request
from gjj.backoffice.access import AUDITORS, staff_view

PAGE_SIZE = 100
# An export is a file of personal-data access records: bounded, and itself recorded.
EXPORT_LIMIT = 50_000


def _criteria(request: HttpRequest) -> tuple[dict[str, object], list[str]]:
    problems = []
    values: dict[str, object] = {
        "text": request.GET.get("text", "").strip()[:100],
        "action": request.GET.get("action", "")
        if request.GET.get("action", "") in AuditAction.values
        else "",
        "actor": request.GET.get("actor", "").strip()[:100],
        "target": request.GET.get("target", "").strip()[:64],
    }
    for name, label in (("date_from", "开始日期"), ("date_to", "结束日期")):
        text = request.GET.get(name, "").strip()
        values[name] = None
        if text:
            try:
                values[name] = dt.date.fromisoformat(text)
            except ValueError:
                problems.append(f"{label}“{text}”不是有效日期（格式 YYYY-MM-DD）")
    return values, problems


def _search(criteria: dict[str, object]) -> QuerySet[AuditEntry]:
    def day(name: str) -> dt.date | None:
        value = criteria.get(name)
        return value if isinstance(value, dt.date) else None

    return audit_search(
        text=str(criteria["text"]),
        action=str(criteria["action"]),
        actor=str(criteria["actor"]),
        target=str(criteria["target"]),
        date_from=day("date_from"),
        date_to=day("date_to"),
    )


def _describe(criteria: dict[str, object]) -> str:
    parts = [f"{key}={value}" for key, value in criteria.items() if value]
    return "，".join(parts) or "全部"


@staff_view(AUDITORS)
def audit_log(request: HttpRequest) -> HttpResponse:
    criteria, problems = _criteria(request)
    entries = _search(criteria)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    # The rows as they were when searched: the search's own entry (written next) is not among them.
    page.object_list = list(page.object_list)
    if request.GET:
        audit_record_request(
            request,
            action=AuditAction.AUDIT_SEARCH,
            summary=f"查询审计日志：{_describe(criteria)}",
            target_type="audit",
            details={key: str(value) for key, value in criteria.items() if value},
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/audit.html",
        {
            "page": page,
            "criteria": criteria,
            "problems": problems,
            "actions": [(a.value, a.label) for a in AuditAction],
            "query": query.urlencode(),
        },
    )


@staff_view(AUDITORS)
def audit_export(request: HttpRequest) -> HttpResponse:
    criteria, _problems = _criteria(request)
    entries = list(_search(criteria)[:EXPORT_LIMIT])
    audit_record_request(
        request,
        action=AuditAction.AUDIT_EXPORT,
        summary=f"导出审计日志 {len(entries)} 条：{_describe(criteria)}",
        target_type="audit",
        details={key: str(value) for key, value in criteria.items() if value},
    )
    response = HttpResponse(
        ("\ufeff" + audit_csv(entries)).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
