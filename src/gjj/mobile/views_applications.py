"""The H5's 我的业务 and 账户查询: the list, the detail with its timeline and the state's next step,
撤回, 退回补正 (修改并重新提交, then the named materials again on the 影像上传 screen), 更换收款银行卡
after 支付失败, 办理回执 (a page that WeChat's browser shows, and the PDF), the account and its
ledger, and 退出.

The same services, selectors, forms and presenters (gjj.applications) as the desktop's, in the
phone's layout; the channel is the H5's (微信 or APP, ``channel_for``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from gjj.applications import forms
from gjj.applications.account import member_account_detail, member_ledger_page
from gjj.applications.forms import CARD_FORM_FIELDS, FormErrors
from gjj.applications.presenters import application_detail_context
from gjj.applications.responses import receipt_file
from gjj.core.origin import origin_of
from gjj.mobile.views import logged_in_member, member_actor, mobile_member_required, owned_application
from gjj.policy.active import active_policy
from gjj.policy.reasons import declaration_for
from gjj.withdrawals import selectors, services
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.models import Application, State
from gjj.withdrawals.receipts import receipt_content


def _detail(
    application: Application, *, notice: str = "", request: HttpRequest | None = None
) -> HttpResponse:
    """Back to the detail screen, with a one-time line at its top. The line travels in Django's
    message cookie, not in the session: a request of the same page still under way (the card check
    as the member types) saves the session it read before, and would drop a line kept there."""
    if request is not None and notice:
        messages.info(request, notice)
    return redirect("mobile:application_detail", business_no=application.business_no)


def _notice(request: HttpRequest) -> str:
    return " ".join(str(message) for message in messages.get_messages(request))


# --- 我的业务 ---------------------------------------------------------------------------------------


@mobile_member_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.applications_for_member(person=logged_in_member(request).person)
    return render(request, "mobile/applications.html", {"rows": rows, "notice": _notice(request)})


@mobile_member_required
@require_GET
def application_detail(request: HttpRequest, business_no: str) -> HttpResponse:
    context = application_detail_context(owned_application(request, business_no))
    return render(request, "mobile/application_detail.html", {**context, "notice": _notice(request)})


@mobile_member_required
@require_http_methods(["GET", "POST"])
def application_cancel(request: HttpRequest, business_no: str) -> HttpResponse:
    """撤回: a confirmation screen, then the POST."""
    application = owned_application(request, business_no)
    if request.method == "POST":
        try:
            services.application_cancel(
                application=application, actor=member_actor(request, application.person)
            )
        except ApplicationError as exc:
            return _detail(application, notice=exc.message, request=request)
        return _detail(application, notice="申请已撤回。", request=request)
    if application.state not in services.CANCELLABLE_STATES:
        notice = f"申请当前状态为“{application.get_state_display()}”，已进入审核或支付，不能撤回"
        return _detail(application, notice=notice, request=request)
    return render(
        request,
        "mobile/application_cancel.html",
        {"application": application, "facts": selectors.application_facts(application=application)},
    )


@mobile_member_required
@require_http_methods(["GET", "POST"])
def application_resubmit(request: HttpRequest, business_no: str) -> HttpResponse:
    """退回补正: the fields the reviewer named, the 承诺书 again and every rule again; then the
    materials to photograph again on the 影像上传 screen."""
    application = owned_application(request, business_no)
    if application.state == State.AWAITING_MATERIALS:
        return redirect("mobile:materials", business_no=business_no)
    if application.state != State.RETURNED:
        notice = f"申请当前状态为“{application.get_state_display()}”，不需要补正"
        return _detail(application, notice=notice, request=request)
    policy = active_policy()
    errors = FormErrors(fields_shown=CARD_FORM_FIELDS)
    values = forms.resubmit_initial(application)
    if request.method == "POST":
        values = forms.resubmit_read(request.POST)
        errors = forms.application_resubmit_form(
            application=application,
            values=values,
            actor=member_actor(request, application.person),
            origin=origin_of(request),
        )
        if not errors:
            return redirect("mobile:materials", business_no=business_no)
    return render(
        request,
        "mobile/application_resubmit.html",
        {
            "application": application,
            "facts": selectors.application_facts(application=application, policy=policy),
            "fix_items": selectors.fix_items(application=application, policy=policy),
            "values": values,
            "errors": errors,
            "banks": list(policy.allowed_banks.items()),
            "policy": policy,
            "declaration": declaration_for(policy, application.reason),
            "available_fen": application.account.available_fen,
        },
        status=422 if errors else 200,
    )


@mobile_member_required
@require_http_methods(["GET", "POST"])
def application_change_card(request: HttpRequest, business_no: str) -> HttpResponse:
    """支付失败: another class-I card of the member's, and the centre pays again."""
    application = owned_application(request, business_no)
    if application.state != State.PAYOUT_FAILED:
        notice = f"申请当前状态为“{application.get_state_display()}”，不能更换收款银行卡"
        return _detail(application, notice=notice if request.method == "POST" else "", request=request)
    policy = active_policy()
    errors = FormErrors()
    values = forms.change_card_initial(application)
    if request.method == "POST":
        values = forms.change_card_read(request.POST)
        errors = forms.application_change_card_form(
            application=application, values=values, actor=member_actor(request, application.person)
        )
        if not errors:
            return _detail(
                application, notice="已更换收款银行卡，中心将向新的银行卡重新支付。", request=request
            )
    payout = selectors.latest_payout(application=application)
    return render(
        request,
        "mobile/application_card.html",
        {
            "application": application,
            "facts": selectors.application_facts(application=application, policy=policy),
            "bank_message": payout.bank_message if payout is not None else "",
            "values": values,
            "errors": errors,
            "banks": list(policy.allowed_banks.items()),
        },
        status=422 if errors else 200,
    )


# --- 办理回执 ---------------------------------------------------------------------------------------


def _with_receipt(request: HttpRequest, business_no: str) -> Application:
    application = owned_application(request, business_no)
    if not selectors.has_receipt(application):
        raise Http404("该申请尚未提交，没有办理回执")
    return application


@mobile_member_required
@require_GET
def application_receipt(request: HttpRequest, business_no: str) -> HttpResponse:
    """办理回执 as a page: WeChat's browser on Android does not show PDFs, so the receipt's content
    is shown here, with the PDF to save or print."""
    application = _with_receipt(request, business_no)
    return render(
        request,
        "mobile/application_receipt.html",
        {"application": application, "receipt": receipt_content(application=application)},
    )


@mobile_member_required
@require_GET
def application_receipt_pdf(request: HttpRequest, business_no: str) -> HttpResponseBase:
    return receipt_file(_with_receipt(request, business_no))


# --- 账户查询 and 退出 -------------------------------------------------------------------------------


@mobile_member_required
@require_GET
def account_query(request: HttpRequest) -> HttpResponse:
    member = logged_in_member(request)
    return render(
        request,
        "mobile/account.html",
        {
            "account": member_account_detail(member=member),
            "ledger": member_ledger_page(member=member, page=request.GET.get("page")),
        },
    )


@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "mobile/logged_out.html", {"login_url": reverse("mobile:login")})
