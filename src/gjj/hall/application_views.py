"""我的业务 (the member's applications, the detail timeline, 撤回, 退回补正 fix-and-resubmit, the
card change after 支付失败, 办理回执) and 账户查询 (account and ledger).

Every view is for the logged-in member only and finds applications among their own: another
member's business number is a 404, like one that does not exist. Writes go through
``gjj.withdrawals.services``; POSTs are CSRF-protected by the middleware.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gjj.applications import forms
from gjj.applications.account import member_account_detail, member_ledger_page
from gjj.applications.forms import CARD_FORM_FIELDS, FormErrors
from gjj.applications.presenters import application_detail_context, material_rows, reason_amount
from gjj.applications.responses import receipt_file
from gjj.core.origin import origin_of
from gjj.hall.uploads import material_upload_from_request
from gjj.hall.withdrawal_views import withdrawal_form_url
from gjj.identity.decorators import current_member, member_required
from gjj.members.models import Person
from gjj.policy.active import active_policy
from gjj.policy.reasons import SUBJECT_HOUSE, declaration_for, reason_for
from gjj.policy.schema import Policy
from gjj.withdrawals import selectors as application_selectors
from gjj.withdrawals import services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.models import Application, Channel, State


def _person(request: HttpRequest) -> Person:
    return current_member(request).person


def _actor(request: HttpRequest) -> Actor:
    return Actor.member(_person(request), channel=Channel.WEB)


def _owned(request: HttpRequest, business_no: str) -> Application:
    application = application_selectors.application_for_member(
        person=_person(request), business_no=business_no
    )
    if application is None:
        raise Http404("没有这笔业务")
    return application


def _detail_url(application: Application) -> str:
    return reverse("hall:application_detail", args=[application.business_no])


def _materials_url(application: Application) -> str:
    return reverse("hall:application_materials", args=[application.business_no])


def _bank_choices(policy: Policy) -> list[tuple[str, str]]:
    return list(policy.allowed_banks.items())


# --- 我的业务 ---------------------------------------------------------------------------------------


@member_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    rows = application_selectors.applications_for_member(person=person)
    # 继续办理 of a draft goes to the form of its reason, which continues the member's draft.
    draft_reason = next((row.reason for row in rows if row.is_draft), None)
    return render(
        request,
        "hall/application_list.html",
        {
            "hall_nav": "applications",
            "rows": rows,
            "draft_form_url": withdrawal_form_url(draft_reason or "purchase"),
        },
    )


@member_required
@require_GET
def application_detail(request: HttpRequest, business_no: str) -> HttpResponse:
    application = _owned(request, business_no)
    context = application_detail_context(application)
    if not context["failed_rules"] and application.state not in (State.REJECTED, State.RETURNED):
        context["rule_lines"] = []  # the table of rules only when something did not pass
    return render(request, "hall/application_detail.html", {"hall_nav": "applications", **context})


@member_required
@require_http_methods(["GET", "POST"])
def application_cancel(request: HttpRequest, business_no: str) -> HttpResponse:
    """撤回: a confirmation page, then the POST."""
    application = _owned(request, business_no)
    if request.method == "POST":
        try:
            services.application_cancel(application=application, actor=_actor(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "申请已撤回。")
        return redirect(_detail_url(application))
    if application.state not in services.CANCELLABLE_STATES:
        messages.error(
            request, f"申请当前状态为“{application.get_state_display()}”，已进入审核或支付，不能撤回"
        )
        return redirect(_detail_url(application))
    return render(
        request,
        "hall/application_cancel.html",
        {
            "hall_nav": "applications",
            "application": application,
            "facts": application_selectors.application_facts(application=application),
        },
    )


# --- 退回补正: change, resubmit, replace materials, submit ----------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def application_resubmit(request: HttpRequest, business_no: str) -> HttpResponse:
    """修改并重新提交: the card and the amount may change; every rule is checked again."""
    application = _owned(request, business_no)
    if application.state == State.AWAITING_MATERIALS:
        return redirect(_materials_url(application))
    if application.state != State.RETURNED:
        messages.error(request, f"申请当前状态为“{application.get_state_display()}”，不需要补正")
        return redirect(_detail_url(application))
    policy = active_policy()
    errors = FormErrors(fields_shown=CARD_FORM_FIELDS)
    values = forms.resubmit_initial(application)
    if request.method == "POST":
        values = forms.resubmit_read(request.POST)
        errors = forms.application_resubmit_form(
            application=application,
            values=values,
            actor=_actor(request),
            origin=origin_of(request),
        )
        if not errors:
            messages.success(
                request, "已重新提交，全部条件核验通过。请上传需补正的影像材料，然后点击“提交申请”。"
            )
            return redirect(_materials_url(application))
    return render(
        request,
        "hall/application_resubmit.html",
        {
            "hall_nav": "applications",
            "application": application,
            "facts": application_selectors.application_facts(application=application, policy=policy),
            "fix_items": application_selectors.fix_items(application=application, policy=policy),
            "values": values,
            "errors": errors,
            "banks": _bank_choices(policy),
            "declaration": declaration_for(policy, application.reason),
            "available_fen": application.account.available_fen,
            # 离退休提取: the whole balance, shown read-only; 租房提取: its maximum beside the field.
            "amount_fixed": reason_for(application.reason).amount_fixed,
            "amount_max_fen": None
            if reason_for(application.reason).subject == SUBJECT_HOUSE
            else reason_amount(application, policy=policy).max_amount_fen,
        },
        status=422 if errors else 200,
    )


def _render_materials(
    request: HttpRequest,
    application: Application,
    *,
    upload_errors: dict[str, list[str]] | None = None,
    submit_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    policy = active_policy()
    return render(
        request,
        "hall/application_materials.html",
        {
            "hall_nav": "applications",
            "application": application,
            "facts": application_selectors.application_facts(application=application, policy=policy),
            "rows": material_rows(application, policy, upload_errors),
            "submit_errors": submit_errors or [],
            "accept": ",".join([".jpg", ".jpeg", ".png", ".pdf", *sorted(policy.material_content_types)]),
            "max_mb": f"{policy.material_max_bytes / (1024 * 1024):.0f}",
            "was_returned": application_selectors.latest_return(application=application) is not None,
        },
        status=status,
    )


@member_required
@require_http_methods(["GET", "POST"])
def application_materials(request: HttpRequest, business_no: str) -> HttpResponse:
    """影像上传 for an application awaiting materials: one form per material, the ones a reviewer
    asked to replace marked; then 提交申请."""
    application = _owned(request, business_no)
    if application.state != State.AWAITING_MATERIALS:
        if request.method == "POST":
            messages.error(request, f"申请当前状态为“{application.get_state_display()}”，不能上传材料")
        return redirect(_detail_url(application))
    if request.method == "GET":
        return _render_materials(request, application)

    policy = active_policy()
    kind = request.POST.get("kind", "")
    name = policy.material_names.get(kind, kind)
    if kind not in services.required_material_kinds(application, policy):
        problem: str | None = "请选择要上传的材料"
    else:
        problem = material_upload_from_request(
            application=application,
            kind=kind,
            uploaded=request.FILES.get("file"),
            actor=_actor(request),
            policy=policy,
        )
    if problem:
        return _render_materials(request, application, upload_errors={kind: [problem]}, status=422)
    messages.success(request, f"{name}已上传。")
    return redirect(f"{_materials_url(application)}#material-{kind}")


@member_required
@require_POST
def application_final_submit(request: HttpRequest, business_no: str) -> HttpResponse:
    """提交申请 after the materials: every required material present, and each one the reviewer
    asked to replace uploaded again since the return."""
    application = _owned(request, business_no)
    if application.state != State.AWAITING_MATERIALS:
        return redirect(_detail_url(application))
    try:
        application = services.application_final_submit(application=application, actor=_actor(request))
    except ApplicationError as exc:
        return _render_materials(request, application, submit_errors=[exc.message], status=422)
    messages.success(
        request,
        f"提交成功。业务流水号 {application.business_no}，当前状态：{application.get_state_display()}。",
    )
    return redirect(_detail_url(application))


# --- 支付失败: another card -------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def application_change_card(request: HttpRequest, business_no: str) -> HttpResponse:
    application = _owned(request, business_no)
    if application.state != State.PAYOUT_FAILED:
        if request.method == "POST":
            messages.error(request, f"申请当前状态为“{application.get_state_display()}”，不能更换收款银行卡")
        return redirect(_detail_url(application))
    policy = active_policy()
    errors = FormErrors()
    values = forms.change_card_initial(application)
    if request.method == "POST":
        values = forms.change_card_read(request.POST)
        errors = forms.application_change_card_form(
            application=application, values=values, actor=_actor(request)
        )
        if not errors:
            messages.success(request, "已更换收款银行卡，中心将向新的银行卡重新支付。")
            return redirect(_detail_url(application))
    payout = application_selectors.latest_payout(application=application)
    return render(
        request,
        "hall/application_card.html",
        {
            "hall_nav": "applications",
            "application": application,
            "facts": application_selectors.application_facts(application=application, policy=policy),
            "bank_message": payout.bank_message if payout is not None else "",
            "values": values,
            "errors": errors,
            "banks": _bank_choices(policy),
        },
        status=422 if errors else 200,
    )


# --- 办理回执 ---------------------------------------------------------------------------------------


@member_required
@require_GET
def application_receipt(request: HttpRequest, business_no: str) -> HttpResponseBase:
    application = _owned(request, business_no)
    if not application_selectors.has_receipt(application):
        raise Http404("该申请尚未提交，没有办理回执")
    return receipt_file(application)


# --- 账户查询 ---------------------------------------------------------------------------------------


@member_required
@require_GET
def account_query(request: HttpRequest) -> HttpResponse:
    member = current_member(request)
    return render(
        request,
        "hall/account.html",
        {
            "hall_nav": "account",
            "account": member_account_detail(member=member),
            "ledger": member_ledger_page(member=member, page=request.GET.get("page")),
        },
    )
