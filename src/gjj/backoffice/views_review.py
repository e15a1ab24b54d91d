"""The review console: the queue, the case screen, the materials viewer and the decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gjj.audit.models import AuditAction
from gjj.audit.services import audit_record_request
from gjj.backoffice.access import CASE_READERS, REVIEWERS, staff_user, staff_view
from gjj.backoffice.selectors import (
    QUEUE_PAGE_SIZE,
    CaseFile,
    QueueCursor,
    QueueFilters,
    case_file,
    fix_choices,
    material_for_staff,
    reason_choices,
    reject_reasons_for,
    review_queue,
    visible_stages,
)
from gjj.core.origin import Origin, origin_of
from gjj.policy.active import active_policy
from gjj.staff.roles import user_has_role
from gjj.withdrawals import services
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.models import Application, Channel, State
from gjj.withdrawals.selectors import HOUSE_KIND_NAMES, RELATION_NAMES

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@staff_view(REVIEWERS)
def queue(request: HttpRequest) -> HttpResponse:
    filters, problems = QueueFilters.from_query(request.GET.dict())
    after = _cursor(request, "after", problems)
    before = _cursor(request, "before", problems) if after is None else None
    found = review_queue(
        user=staff_user(request), filters=filters, after=after, before=before, page_size=QUEUE_PAGE_SIZE
    )
    # The filters as they came, for the pager's links (which add their own position).
    query = request.GET.copy()
    for position in ("after", "before", "page"):
        query.pop(position, None)
    return render(
        request,
        "backoffice/queue.html",
        {
            "page": found,
            "total": found.total,
            "overdue_count": found.overdue_count,
            "next_token": found.next_cursor.token if found.next_cursor else "",
            "previous_token": found.previous_cursor.token if found.previous_cursor else "",
            "filters": filters,
            "problems": problems,
            "query": query.urlencode(),
            "stages": visible_stages(staff_user(request)),
            "channels": [
                (c.value, c.label) for c in Channel if c not in (Channel.BACKOFFICE, Channel.SYSTEM)
            ],
            "reasons": reason_choices(),
            "house_kinds": list(HOUSE_KIND_NAMES.items()),
            "relations": list(RELATION_NAMES.items()),
            "states": [
                (State.SUBMITTED.value, State.SUBMITTED.label),
                (State.UNDER_REVIEW.value, State.UNDER_REVIEW.label),
            ],
            "decision_limit_days": active_policy().decision_limit_days,
        },
    )


def _cursor(request: HttpRequest, name: str, problems: list[str]) -> QueueCursor | None:
    """The pager's position; one that cannot be read starts the queue from its head."""
    token = request.GET.get(name, "")
    if not token:
        return None
    cursor = QueueCursor.parse(token)
    if cursor is None:
        problems.append("翻页位置无法识别，已从队列开头显示")
    return cursor


def _case_or_404(request: HttpRequest, business_no: str) -> CaseFile:
    case = case_file(business_no=business_no, user=staff_user(request))
    if case is None:
        raise Http404("没有这笔申请")
    return case


@staff_view(CASE_READERS)
def case(request: HttpRequest, business_no: str) -> HttpResponse:
    case = _case_or_404(request, business_no)
    audit_record_request(
        request,
        action=AuditAction.CASE_VIEW,
        summary=f"查看申请 {case.business_no}（申请人 {case.applicant_name}）的个人信息与材料清单",
        target_type="application",
        target_id=case.business_no,
    )
    policy = active_policy()
    can_review = user_has_role(request.user, *REVIEWERS)
    return render(
        request,
        "backoffice/case.html",
        {
            "case": case,
            "can_review": can_review,
            "reviewable": case.application.state in (State.SUBMITTED, State.UNDER_REVIEW),
            "reject_reasons": reject_reasons_for(application=case.application, policy=policy),
            "fix_choices": fix_choices(application=case.application, policy=policy),
            "four_eyes_threshold_fen": policy.four_eyes_threshold_fen,
        },
    )


@staff_view(CASE_READERS)
def material_file(request: HttpRequest, business_no: str, material_id: int) -> FileResponse:
    material = material_for_staff(business_no=business_no, material_id=material_id)
    if material is None:
        raise Http404("没有这份材料")
    policy = active_policy()
    audit_record_request(
        request,
        action=AuditAction.MATERIAL_VIEW,
        summary=f"查看申请 {business_no} 的材料：{policy.material_names.get(material.kind, material.kind)}",
        target_type="material",
        target_id=f"{business_no}/{material.pk}",
        details={"kind": material.kind, "sha256": material.sha256, "current": material.is_current},
    )
    response = FileResponse(material.file.open("rb"), content_type=material.content_type)
    response["Content-Disposition"] = f'inline; filename="{business_no}-{material.kind}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@dataclass(frozen=True)
class _Done:
    message: str
    to_queue: bool = True  # back to the queue; otherwise stay on the case


def _review_action(
    request: HttpRequest, business_no: str, act: Callable[[Application, User, Origin], _Done]
) -> HttpResponse:
    """One reviewer action on a case: its confirmation, or the refusal shown on the case screen."""
    application = Application.objects.filter(business_no=business_no).first()
    if application is None:
        raise Http404("没有这笔申请")
    try:
        done = act(application, staff_user(request), origin_of(request))
    except ApplicationError as refused:
        messages.error(request, refused.message)
        return redirect("backoffice:case", business_no=business_no)
    messages.success(request, done.message)
    if done.to_queue:
        return redirect("backoffice:queue")
    return redirect("backoffice:case", business_no=business_no)


@require_POST
@staff_view(REVIEWERS)
def claim(request: HttpRequest, business_no: str) -> HttpResponse:
    def act(application: Application, reviewer: User, origin: Origin) -> _Done:
        services.application_claim(application=application, reviewer=reviewer, origin=origin)
        return _Done(f"已领取 {business_no}，请审核后作出决定", to_queue=False)

    return _review_action(request, business_no, act)


@require_POST
@staff_view(REVIEWERS)
def release(request: HttpRequest, business_no: str) -> HttpResponse:
    def act(application: Application, reviewer: User, origin: Origin) -> _Done:
        services.application_release(application=application, reviewer=reviewer, origin=origin)
        return _Done(f"已放弃领取 {business_no}，申请已回到审核队列")

    return _review_action(request, business_no, act)


@require_POST
@staff_view(REVIEWERS)
def approve(request: HttpRequest, business_no: str) -> HttpResponse:
    def act(application: Application, reviewer: User, origin: Origin) -> _Done:
        after = services.application_approve(
            application=application, reviewer=reviewer, reason=request.POST.get("opinion", ""), origin=origin
        )
        if after.state == State.APPROVED:
            return _Done(f"{business_no} 审核通过，已交付支付")
        return _Done(f"{business_no} 初审通过，金额达到复审标准，已转复审")

    return _review_action(request, business_no, act)


@require_POST
@staff_view(REVIEWERS)
def reject(request: HttpRequest, business_no: str) -> HttpResponse:
    def act(application: Application, reviewer: User, origin: Origin) -> _Done:
        standard = request.POST.get("standard_reason", "").strip()
        if standard not in reject_reasons_for(application=application):
            raise ApplicationError("请从列表中选择不予通过的原因", field="standard_reason")
        detail = request.POST.get("detail", "").strip()
        reason = f"{standard}：{detail}" if detail else standard
        services.application_reject(application=application, reviewer=reviewer, reason=reason, origin=origin)
        return _Done(f"{business_no} 不予通过，已短信通知申请人")

    return _review_action(request, business_no, act)


@require_POST
@staff_view(REVIEWERS)
def return_for_correction(request: HttpRequest, business_no: str) -> HttpResponse:
    def act(application: Application, reviewer: User, origin: Origin) -> _Done:
        services.application_return(
            application=application,
            reviewer=reviewer,
            what_to_fix=request.POST.getlist("fix"),
            reason=request.POST.get("return_reason", ""),
            origin=origin,
        )
        return _Done(f"{business_no} 已退回补正，已短信通知申请人")

    return _review_action(request, business_no, act)
