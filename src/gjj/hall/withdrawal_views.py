"""【提取】: the withdrawal reasons of the registry (gjj.policy.reasons) and the national ones not yet
open; the one-page form of each reason — 购买商品住房提取 (the house echoed from the registry), and
the reasons without a house, 租房提取 and 离退休提取 (the maximum from the member's records, the whole
balance of a retirement shown, not typed) — with the card checked as typed and the draft kept as the
member types; the 影像上传 dialog (and its no-JS page) and the result page, named by the reason.

The pages work without JavaScript: every control posts the form. With htmx, leaving a field saves
the draft and echoes the house or checks the card in place; withdrawal.js uploads materials with a
progress bar and keeps the upload dialog modal. Every page is rendered from the member's draft
(``application_start`` returns the same one on every channel), so a member who leaves and returns
continues where they stopped. Writes go through ``gjj.withdrawals.services`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from gjj.applications.account import member_account_summary
from gjj.applications.forms import (
    CARD_FORM_FIELDS,
    DECLARATION_MISSING,
    DraftInput,
    FormErrors,
    draft_input,
    draft_save,
    house_choice,
)
from gjj.applications.presenters import (
    MATERIAL_ACCEPT,
    REASONS_NOT_OPEN,
    RELATION_LABELS,
    house_context,
    material_rows,
    reason_amount,
    result_context,
)
from gjj.core.masking import mask_card_number
from gjj.core.money import fen_to_yuan
from gjj.core.origin import origin_of
from gjj.hall.uploads import material_upload_from_request
from gjj.identity.decorators import current_member, member_required
from gjj.identity.models import MemberLogin
from gjj.members.models import AccountStatus, Person
from gjj.policy.active import active_policy
from gjj.policy.reasons import REASONS, SUBJECT_HOUSE, declaration_for, reason_for, reason_name
from gjj.policy.schema import Policy
from gjj.withdrawals import form_selectors as selectors
from gjj.withdrawals import services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError, ApplicationNotEditable, ApplicationRefused
from gjj.withdrawals.form_selectors import ApplicationsInProgress
from gjj.withdrawals.models import Application, Channel, State
from gjj.withdrawals.selectors import draft_has_content


@dataclass(frozen=True)
class WithdrawalKind:
    name: str
    description: str
    url: str  # the reason's form; "" while 暂未开放


def withdrawal_form_url(reason: str) -> str:
    """The desktop form of a reason of the registry (``hall:withdrawal_<key>``, urls_withdrawal)."""
    return reverse(f"hall:withdrawal_{reason}")


def withdrawal_kinds_list(policy: Policy) -> list[WithdrawalKind]:
    """The registry's reasons in its order (each with its form), then those not yet open."""
    return [
        WithdrawalKind(reason_name(policy, key), reason.summary, withdrawal_form_url(key))
        for key, reason in REASONS.items()
    ] + [WithdrawalKind(name, summary, "") for name, _, summary in REASONS_NOT_OPEN]


# --- helpers ---------------------------------------------------------------------------------------


def _actor(person: Person) -> Actor:
    return Actor.member(person, channel=Channel.WEB)


def _is_xhr(request: HttpRequest) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def _materials_url(application: Application) -> str:
    return reverse("hall:withdrawal_materials", args=[application.business_no])


def _result_url(application: Application) -> str:
    return reverse("hall:withdrawal_result", args=[application.business_no])


def _form_urls(reason: str) -> dict[str, str]:
    """The form of a reason and its htmx helpers."""
    return {
        "form_url": withdrawal_form_url(reason),
        "card_url": reverse("hall:withdrawal_card", kwargs={"reason": reason}),
        "draft_url": reverse("hall:withdrawal_draft", kwargs={"reason": reason}),
    }


def _member_draft(person: Person) -> Application | None:
    return Application.objects.filter(person=person, state=State.DRAFT).first()


def _replaced_draft(draft: Application | None, reason: str, policy: Policy) -> str:
    """What the member is told when opening this reason's form turns their draft of another reason
    with a house or an amount into this one (both are dropped; the card is kept); else ""."""
    if draft is None or draft.reason == reason or not (draft.house_key or draft.amount_fen):
        return ""
    dropped = "房屋信息和提取金额" if draft.house_key else "提取金额"
    return (
        f"您之前填写的{reason_name(policy, draft.reason)}草稿已改为{reason_name(policy, reason)}："
        f"原草稿中的{dropped}已清除，已填写的收款银行卡保留。"
    )


def _owned(request: HttpRequest, business_no: str) -> Application:
    """The member's own application; another member's business number is a 404 like a missing one."""
    application = selectors.application_for_member(
        person=current_member(request).person, business_no=business_no
    )
    if application is None:
        raise Http404("没有这笔业务")
    return application


# --- 【提取】 -----------------------------------------------------------------------------------------


@member_required
def withdrawal_kinds(request: HttpRequest) -> HttpResponse:
    policy = active_policy()
    draft = _member_draft(current_member(request).person)
    return render(
        request,
        "hall/withdrawal_kinds.html",
        {
            "hall_nav": "withdrawals",
            "kinds": withdrawal_kinds_list(policy),
            # A draft the member typed into: 继续办理 goes to its reason's form.
            "draft_reason_name": reason_name(policy, draft.reason)
            if draft is not None and draft_has_content(draft)
            else "",
            "draft_url": withdrawal_form_url(draft.reason) if draft is not None else "",
        },
    )


# --- 购买商品住房提取: the form with the house ----------------------------------------------------


def _amount_value(application: Application, max_amount_fen: int | None) -> str:
    if application.amount_fen:
        return fen_to_yuan(application.amount_fen)
    if max_amount_fen:
        return fen_to_yuan(max_amount_fen)
    return ""


def _card_context(
    application: Application, policy: Policy, *, card_no: str | None = None, bank: str | None = None
) -> dict[str, object]:
    """The card checked as typed (no bank asked): the bank's and the number's problems, or what the
    number's bin says. Never the full number."""
    bank = application.bank if bank is None else bank
    card_no = card_no or application.card_no
    if not card_no:
        return {"card_check": None, "card_checked_masked": ""}
    return {
        "card_check": selectors.card_precheck(bank=bank, card_no=card_no, policy=policy),
        "card_checked_masked": mask_card_number(card_no),
    }


def _form_context(
    member: MemberLogin,
    application: Application,
    policy: Policy,
    *,
    data: DraftInput | None,
    errors: FormErrors,
    summary_title: str,
    replaced_notice: str,
    in_progress: ApplicationsInProgress | None = None,
) -> dict[str, object]:
    """What every reason's form shows alike: the member's account, an open application, the card
    as checked, the 承诺书, the errors; the reason's name and its form's URLs. ``in_progress``: the
    member's applications as the page has just read them."""
    declaration = declaration_for(policy, application.reason)
    if data is not None:
        declaration_checked = data.declaration
    else:
        declaration_checked = bool(
            application.declaration_accepted_at and application.declaration_version == declaration.version
        )
    card = (
        {"card_check": None, "card_checked_masked": ""}
        if errors.has("card_no") or errors.has("bank")
        else _card_context(application, policy)
    )
    return {
        "hall_nav": "withdrawals",
        "policy": policy,
        "reason": application.reason,
        "reason_name": reason_name(policy, application.reason),
        "replaced_notice": replaced_notice,
        "summary": member_account_summary(member=member),
        "application": application,
        "open_application": (
            in_progress.open_application
            if in_progress is not None
            else selectors.member_open_application(person=member.person)
        ),
        "banks": list(policy.allowed_banks.items()),
        "saved_card_masked": mask_card_number(application.card_no),
        "declaration": declaration,
        "declaration_checked": declaration_checked,
        "errors": errors,
        "field_errors": errors.field_errors,
        "summary_title": summary_title,
        **_form_urls(application.reason),
        # The subject's parts of the form (its lead, its fields, 提取金额): one template per subject.
        "subject_template": f"hall/_withdrawal_subject_{reason_for(application.reason).subject}.html",
        **card,
    }


def _purchase_context(
    request: HttpRequest,
    member: MemberLogin,
    application: Application,
    *,
    data: DraftInput | None = None,
    errors: FormErrors | None = None,
    house_problem: str | None = None,
    summary_title: str = "提交失败",
    replaced_notice: str = "",
    in_progress: ApplicationsInProgress | None = None,
) -> dict[str, object]:
    policy = active_policy()
    errors = errors if errors is not None else FormErrors()
    house = house_context(application, problem=house_problem)
    if errors.has("house"):
        # The reasons are next to the field already; the panel still shows a house that was found.
        house["house_refusal"] = None
        house["house_problems"] = []
    lookup_field = application.lookup_field or "contract_no"
    if data is not None:
        contract_no, archive_no = data.contract_no, data.archive_no
    else:
        contract_no = application.house_key if lookup_field == "contract_no" else ""
        archive_no = application.house_key if lookup_field == "archive_no" else ""
    if data is not None and data.amount_text is not None and errors.has("amount"):
        amount_value = data.amount_text
    else:
        amount_value = _amount_value(application, house["max_amount_fen"])  # type: ignore[arg-type]
    return {
        **_form_context(
            member,
            application,
            policy,
            data=data,
            errors=errors,
            summary_title=summary_title,
            replaced_notice=replaced_notice,
            in_progress=in_progress,
        ),
        "values": {
            "contract_no": contract_no,
            "archive_no": archive_no,
            "bank": application.bank if data is None or data.bank is None else data.bank,
            "amount": amount_value,
        },
        "house_control_id": errors.house_control_id,
        **house,
    }


def _render_form(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    """Every reason's form is one page (hall/withdrawal_form.html) with its subject's parts."""
    return render(request, "hall/withdrawal_form.html", context, status=status)


def _where_it_went(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A form's request (an autosave, 查询, 提交申请) that finds, under the row's lock, that another
    tab or request has meanwhile taken the draft on (``ApplicationNotEditable``) sends the member
    to where the application now is: its upload step, or 我的业务."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApplicationNotEditable:
            waiting = selectors.member_awaiting_materials(person=current_member(request).person)
            url = _materials_url(waiting) if waiting is not None else reverse("hall:applications")
            return _go(request, url)

    return guarded


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """To ``url``: the whole page when the request was htmx's, else a plain redirect."""
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)


def _start_draft(
    request: HttpRequest, reason: str = "purchase"
) -> tuple[MemberLogin, Application | None, HttpResponse | None, ApplicationsInProgress | None]:
    """The member's draft of ``reason`` (a draft of another reason turns into this one), or where
    they must go instead: to the upload step of an application that passed 提交申请, or to a page
    saying why they cannot apply. A GET only shows the form: it stores no new draft, and reads the
    member's applications once (``member_applications_in_progress``), returned for the page."""
    member = current_member(request)
    in_progress = None
    if request.method == "GET":
        in_progress = selectors.member_applications_in_progress(person=member.person)
        waiting = in_progress.awaiting_materials
    else:
        waiting = selectors.member_awaiting_materials(person=member.person)
    if waiting is not None:
        url = _materials_url(waiting)
        return (
            member,
            None,
            _go(request, url),
            in_progress,
        )
    try:
        if in_progress is not None:
            application = services.application_draft_for_form(
                person=member.person, actor=_actor(member.person), reason=reason, draft=in_progress.draft
            )
        else:
            application = services.application_start(
                person=member.person, actor=_actor(member.person), reason=reason
            )
    except ApplicationNotEditable:
        raise  # taken on meanwhile: not a reason to refuse the form (_where_it_went)
    except ApplicationError as exc:
        return (
            member,
            None,
            render(
                request,
                "hall/withdrawal_unavailable.html",
                {
                    "hall_nav": "withdrawals",
                    "message": exc.message,
                    "reason_name": reason_name(active_policy(), reason),
                },
                status=409,
            ),
            in_progress,
        )
    return member, application, None, in_progress


def _save_draft(
    application: Application, person: Person, data: DraftInput, errors: FormErrors, *, clear_amount: bool
) -> Application:
    return draft_save(
        application=application, actor=_actor(person), data=data, errors=errors, clear_amount=clear_amount
    )


def _accept_declaration(
    request: HttpRequest, application: Application, person: Person, data: DraftInput, errors: FormErrors
) -> None:
    if not data.declaration:
        errors.add("declaration", DECLARATION_MISSING)
        return
    try:
        services.application_accept_declaration(
            application=application,
            actor=_actor(person),
            version=data.declaration_version,
            client_ip=origin_of(request).ip,
            user_agent=origin_of(request).user_agent,
        )
    except ApplicationNotEditable:
        raise  # taken on meanwhile: not a field's error (_where_it_went)
    except ApplicationError as exc:
        errors.add("declaration", exc.message)


def _lookup(
    application: Application, person: Person, data: DraftInput, errors: FormErrors, *, force: bool
) -> Application:
    """Echo the house the member named (when it is a new one, or when they asked with 查询)."""
    field, key, problem = house_choice(data)
    if field:
        errors.house_control_id = f"id_{field}"
    if problem:
        errors.add("house", problem)
        return application
    assert field is not None
    if not force and application.lookup_field == field and application.house_key == key:
        return application
    try:
        services.application_lookup_house(
            application=application, lookup_field=field, key=key, actor=_actor(person)
        )
    except ApplicationNotEditable:
        raise  # taken on meanwhile: not a field's error (_where_it_went)
    except ApplicationError as exc:
        errors.add("house", exc.message)
    application.refresh_from_db()
    return application


def _house_changes(application: Application, data: DraftInput) -> bool:
    """A different house than the draft's: the amount goes back to that house's maximum."""
    field, key, problem = house_choice(data)
    return (
        problem is None
        and bool(application.house_key)
        and (field, key) != (application.lookup_field, application.house_key)
    )


@member_required
@require_http_methods(["GET", "POST"])
@_where_it_went
def withdrawal_purchase(request: HttpRequest) -> HttpResponse:
    """购买商品住房提取: GET renders the member's draft; POST is 查询 (action=lookup, the no-JS
    house lookup) or 提交申请."""
    member, application, elsewhere, in_progress = _start_draft(request, "purchase")
    if elsewhere is not None:
        return elsewhere
    assert application is not None
    if request.method == "GET":
        assert in_progress is not None
        replaced = _replaced_draft(in_progress.draft, "purchase", active_policy())
        return _render_form(
            request,
            _purchase_context(
                request, member, application, replaced_notice=replaced, in_progress=in_progress
            ),
        )
    data = draft_input(request.POST)
    if data.action == "lookup":
        return _purchase_lookup(request, member, application, data)
    return _purchase_submit(request, member, application, data)


def _purchase_lookup(
    request: HttpRequest, member: MemberLogin, application: Application, data: DraftInput
) -> HttpResponse:
    person = member.person
    errors = FormErrors()
    application = _save_draft(
        application, person, data, errors, clear_amount=_house_changes(application, data)
    )
    application = _lookup(application, person, data, errors, force=True)
    if errors:
        context = _purchase_context(
            request, member, application, data=data, errors=errors, summary_title="请修改以下内容"
        )
        return _render_form(request, context, status=400)
    return redirect(reverse("hall:withdrawal_purchase") + "#house-title")


def _submit_or_explain(
    application: Application, person: Person, errors: FormErrors, *, fields: tuple[str, ...]
) -> Application | None:
    """提交申请 once the form's own checks passed (the application as submitted, or None with the
    refusal in ``errors``); otherwise, what 提交申请 would also say (名下住房, 退休信息, the house…), all
    at once, beside what the form found in ``fields``."""
    if errors:
        skip = {name for name in fields if errors.has(name)}
        errors.add_failures(selectors.draft_evaluation(application).failures, skip=skip)
        return None
    try:
        return services.application_submit(application=application, actor=_actor(person))
    except ApplicationRefused as exc:
        errors.add_refusal(exc.evaluation)
    except ApplicationError as exc:
        errors.add_error(exc)
    return None


def _purchase_submit(
    request: HttpRequest, member: MemberLogin, application: Application, data: DraftInput
) -> HttpResponse:
    """提交申请: save the draft, echo a new house, accept the 承诺书, then every rule. A refusal keeps
    the draft as it was typed (the services keep nothing half-done) and shows every reason."""
    person = member.person
    errors = FormErrors()
    application = _save_draft(
        application, person, data, errors, clear_amount=_house_changes(application, data)
    )
    application = _lookup(application, person, data, errors, force=False)
    _accept_declaration(request, application, person, data, errors)
    application.refresh_from_db()
    submitted = _submit_or_explain(application, person, errors, fields=("house", "amount", "card_no", "bank"))
    if submitted is not None:
        if submitted.state == State.AWAITING_MATERIALS:
            return redirect(_materials_url(submitted))
        return redirect("hall:withdrawal_purchase")
    application.refresh_from_db()
    context = _purchase_context(request, member, application, data=data, errors=errors)
    return _render_form(request, context)


# --- 租房提取, 离退休提取: the form of a reason without a house -------------------------------------


def _reason_input(posted: QueryDict, reason: str) -> DraftInput:
    """The draft's form as posted; an amount the rules fix (the whole balance) is never read."""
    data = draft_input(posted)
    return replace(data, amount_text=None) if reason_for(reason).amount_fixed else data


def _reason_context(
    member: MemberLogin,
    application: Application,
    *,
    data: DraftInput | None = None,
    errors: FormErrors | None = None,
    summary_title: str = "提交失败",
    replaced_notice: str = "",
    in_progress: ApplicationsInProgress | None = None,
) -> dict[str, object]:
    policy = active_policy()
    reason = reason_for(application.reason)
    errors = errors if errors is not None else FormErrors(fields_shown=CARD_FORM_FIELDS)
    amount = reason_amount(application, policy=policy)
    if reason.amount_fixed:
        amount_value = fen_to_yuan(amount.max_amount_fen) if amount.max_amount_fen is not None else ""
    elif data is not None and data.amount_text is not None and errors.has("amount"):
        amount_value = data.amount_text
    else:
        amount_value = _amount_value(application, amount.max_amount_fen)
    return {
        **_form_context(
            member,
            application,
            policy,
            data=data,
            errors=errors,
            summary_title=summary_title,
            replaced_notice=replaced_notice,
            in_progress=in_progress,
        ),
        "values": {
            "bank": application.bank if data is None or data.bank is None else data.bank,
            "amount": amount_value,
        },
        "amount": amount,
        "max_amount_fen": amount.max_amount_fen,
    }


@member_required
@require_http_methods(["GET", "POST"])
@_where_it_went
def withdrawal_reason(request: HttpRequest, reason: str) -> HttpResponse:
    """The form of a reason without a house (租房提取, 离退休提取): GET renders the member's draft of
    that reason; POST is 提交申请. The same structure, labels and error summary as the purchase."""
    member, application, elsewhere, in_progress = _start_draft(request, reason)
    if elsewhere is not None:
        return elsewhere
    assert application is not None
    if request.method == "GET":
        assert in_progress is not None
        replaced = _replaced_draft(in_progress.draft, reason, active_policy())
        return _render_form(
            request, _reason_context(member, application, replaced_notice=replaced, in_progress=in_progress)
        )
    data = _reason_input(request.POST, reason)
    person = member.person
    errors = FormErrors(fields_shown=CARD_FORM_FIELDS)
    # A fixed amount is the whole balance as the submission finds it: a stale one is dropped.
    fixed = reason_for(reason).amount_fixed
    application = _save_draft(application, person, data, errors, clear_amount=fixed)
    _accept_declaration(request, application, person, data, errors)
    application.refresh_from_db()
    submitted = _submit_or_explain(application, person, errors, fields=("amount", "card_no", "bank"))
    if submitted is not None:
        if submitted.state == State.AWAITING_MATERIALS:
            return redirect(_materials_url(submitted))
        return redirect(withdrawal_form_url(reason))
    application.refresh_from_db()
    return _render_form(request, _reason_context(member, application, data=data, errors=errors))


# --- every reason's form: htmx while the member types -----------------------------------------------


def _draft_status_html() -> str:
    return render_to_string("hall/_withdrawal_draft_status.html", {"saved_at": timezone.now()})


def _oob(target_id: str, inner_html: str) -> str:
    return f'<div id="{target_id}" hx-swap-oob="innerHTML">{inner_html}</div>'


def _htmx_only(request: HttpRequest, reason: str = "purchase") -> HttpResponse | None:
    """The fragments are for htmx; a plain POST here (no JS) goes back to the reason's page."""
    if not getattr(request, "htmx", False):
        return redirect(withdrawal_form_url(reason))
    return None


def _posted(request: HttpRequest, reason: str) -> DraftInput:
    return draft_input(request.POST) if reason == "purchase" else _reason_input(request.POST, reason)


def _errors_for(reason: str) -> FormErrors:
    return FormErrors() if reason == "purchase" else FormErrors(fields_shown=CARD_FORM_FIELDS)


@member_required
@require_POST
@_where_it_went
def withdrawal_house(request: HttpRequest) -> HttpResponse:
    """The house echo (htmx): save the draft, look the house up, answer the panel (and the amount
    field pre-filled with the maximum, out of band)."""
    member, application, elsewhere, _ = _start_draft(request)
    if elsewhere is not None:
        return elsewhere
    assert application is not None
    data = draft_input(request.POST)
    errors = FormErrors()
    application = _save_draft(
        application, member.person, data, errors, clear_amount=_house_changes(application, data)
    )
    application = _lookup(application, member.person, data, errors, force=True)
    fallback = _htmx_only(request)
    if fallback is not None:
        return fallback
    problem = errors.get("house")[0] if errors.has("house") else None
    house = house_context(application, problem=problem)
    panel = render_to_string("applications/_house_echo.html", house, request=request)
    if errors.has("amount"):
        amount_value = data.amount_text or ""
    else:
        amount_value = _amount_value(application, house["max_amount_fen"])  # type: ignore[arg-type]
    amount = render_to_string(
        "hall/_withdrawal_amount.html",
        {
            "values": {"amount": amount_value},
            "max_amount_fen": house["max_amount_fen"],
            "field_errors": errors.field_errors,
            "oob": True,
            "draft_url": reverse("hall:withdrawal_draft", kwargs={"reason": "purchase"}),
        },
        request=request,
    )
    return HttpResponse(panel + amount + _oob("draft-status", _draft_status_html()))


@member_required
@require_POST
@_where_it_went
def withdrawal_card(request: HttpRequest, reason: str = "purchase") -> HttpResponse:
    """The card checked as typed (htmx): length, check digit, bin against the chosen bank, credit
    card; the bank itself is asked on 提交申请."""
    member, application, elsewhere, _ = _start_draft(request, reason)
    if elsewhere is not None:
        return elsewhere
    assert application is not None
    data = _posted(request, reason)
    errors = _errors_for(reason)
    application = _save_draft(application, member.person, data, errors, clear_amount=False)
    fallback = _htmx_only(request, reason)
    if fallback is not None:
        return fallback
    context: dict[str, object] = {"field_errors": errors.field_errors}
    if not errors.has("card_no") and not errors.has("bank"):
        context.update(_card_context(application, active_policy(), card_no=data.card_no or None))
    card = render_to_string("hall/_withdrawal_card_check.html", context, request=request)
    bank = render_to_string("hall/_withdrawal_bank_check.html", context, request=request)
    return HttpResponse(card + _oob("bank-feedback", bank) + _oob("draft-status", _draft_status_html()))


@member_required
@require_POST
@_where_it_went
def withdrawal_draft(request: HttpRequest, reason: str = "purchase") -> HttpResponse:
    """Keep the draft (htmx, on change of the amount or the 承诺书 tick)."""
    member, application, elsewhere, _ = _start_draft(request, reason)
    if elsewhere is not None:
        return elsewhere
    assert application is not None
    data = _posted(request, reason)
    errors = _errors_for(reason)
    application = _save_draft(application, member.person, data, errors, clear_amount=False)
    if data.declaration:
        _accept_declaration(request, application, member.person, data, errors)
    fallback = _htmx_only(request, reason)
    if fallback is not None:
        return fallback
    amount = render_to_string("hall/_withdrawal_field_errors.html", {"problems": errors.get("amount")})
    declaration = render_to_string(
        "hall/_withdrawal_field_errors.html", {"problems": errors.get("declaration")}
    )
    return HttpResponse(
        _draft_status_html() + _oob("amount-feedback", amount) + _oob("declaration-feedback", declaration)
    )


# --- 影像上传 ---------------------------------------------------------------------------------------


def _materials_context(
    request: HttpRequest,
    application: Application,
    *,
    errors: dict[str, list[str]] | None = None,
    submit_error: str | None = None,
    announce: str = "",
) -> dict[str, object]:
    policy = active_policy()
    rows = material_rows(application, policy, errors)
    missing = [row.name for row in rows if row.material is None]
    return {
        "hall_nav": "withdrawals",
        "application": application,
        "rows": rows,
        "missing": missing,
        "submit_error": submit_error,
        "announce": announce,
        "accept": MATERIAL_ACCEPT,
        "max_mb": f"{policy.material_max_bytes / (1024 * 1024):.0f}",
        "bank_name": policy.bank_name(application.bank),
        "card_masked": mask_card_number(application.card_no),
        "house_address": (application.house_snapshot or {}).get("address", ""),
        "relation_label": RELATION_LABELS.get(application.relation, ""),
        **_reason_names(application),
    }


def _reason_names(application: Application) -> dict[str, object]:
    """The application's reason as its pages name it: the name, a house or not, 销户 when paid."""
    reason = reason_for(application.reason)
    return {
        "reason_name": reason_name(active_policy(), application.reason),
        "reason_form_url": withdrawal_form_url(application.reason),
        "has_house": reason.subject == SUBJECT_HOUSE,
        "closes_account": reason.closes_account,
        "account_closed": application.account.status == AccountStatus.CLOSED,
    }


def _render_materials(
    request: HttpRequest,
    application: Application,
    *,
    errors: dict[str, list[str]] | None = None,
    submit_error: str | None = None,
    announce: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _materials_context(
        request, application, errors=errors, submit_error=submit_error, announce=announce
    )
    template = "hall/_withdrawal_materials.html" if _is_xhr(request) else "hall/withdrawal_materials.html"
    return render(request, template, context, status=status)


def _awaiting(request: HttpRequest, business_no: str) -> tuple[Application, HttpResponse | None]:
    application = _owned(request, business_no)
    if application.state != State.AWAITING_MATERIALS:
        return application, redirect(_result_url(application))
    return application, None


@member_required
@require_GET
def withdrawal_materials(request: HttpRequest, business_no: str) -> HttpResponse:
    """影像上传: the dialog over the application's summary (open without JS, modal with JS)."""
    application, elsewhere = _awaiting(request, business_no)
    if elsewhere is not None:
        return elsewhere
    return _render_materials(request, application)


@member_required
@require_POST
def withdrawal_material_upload(request: HttpRequest, business_no: str, kind: str) -> HttpResponse:
    """Upload or replace one material. withdrawal.js posts it with XMLHttpRequest (progress bar) and
    gets the dialog's content back; without JS the page is shown again."""
    application, elsewhere = _awaiting(request, business_no)
    if elsewhere is not None:
        return elsewhere
    policy = active_policy()
    if kind not in services.required_material_kinds(application, policy):
        raise Http404("本申请不需要这项材料")
    name = policy.material_names.get(kind, kind)
    problem = material_upload_from_request(
        application=application,
        kind=kind,
        uploaded=request.FILES.get("file"),
        actor=_actor(application.person),
        policy=policy,
    )
    if problem:
        return _render_materials(
            request, application, errors={kind: [problem]}, announce=f"{name}上传失败：{problem}", status=400
        )
    if _is_xhr(request):
        return _render_materials(request, application, announce=f"{name}已上传")
    return redirect(f"{_materials_url(application)}#material-{kind}")


@member_required
@require_POST
def withdrawal_material_remove(request: HttpRequest, business_no: str, kind: str) -> HttpResponse:
    application, elsewhere = _awaiting(request, business_no)
    if elsewhere is not None:
        return elsewhere
    policy = active_policy()
    if kind not in services.required_material_kinds(application, policy):
        raise Http404("本申请不需要这项材料")
    name = policy.material_names.get(kind, kind)
    try:
        services.material_remove(application=application, kind=kind, actor=_actor(application.person))
    except ApplicationError as exc:
        return _render_materials(request, application, errors={kind: [exc.message]}, status=400)
    if _is_xhr(request):
        return _render_materials(request, application, announce=f"{name}已删除")
    return redirect(f"{_materials_url(application)}#material-{kind}")


@member_required
@require_GET
def withdrawal_material_file(request: HttpRequest, business_no: str, kind: str) -> FileResponse:
    """The stored file of one current material, for its preview: the member's own only."""
    application = _owned(request, business_no)
    material = selectors.current_material(application, kind)
    if material is None:
        raise Http404("没有这项材料")
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(
        material.content_type, "bin"
    )
    response = FileResponse(
        material.file.open("rb"),
        content_type=material.content_type,
        as_attachment=False,
        filename=f"{kind}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
@require_POST
def withdrawal_final_submit(request: HttpRequest, business_no: str) -> HttpResponse:
    """The dialog's 提交申请: every material present (checked again by the service)."""
    application, elsewhere = _awaiting(request, business_no)
    if elsewhere is not None:
        return elsewhere
    try:
        application = services.application_final_submit(
            application=application, actor=_actor(application.person)
        )
    except ApplicationError as exc:
        return _render_materials(request, application, submit_error=exc.message, status=400)
    return redirect(_result_url(application))


# --- the result ------------------------------------------------------------------------------------


def _result_context(application: Application) -> dict[str, object]:
    return {"hall_nav": "withdrawals", **result_context(application), **_reason_names(application)}


@member_required
@require_GET
def withdrawal_result(request: HttpRequest, business_no: str) -> HttpResponse:
    application = _owned(request, business_no)
    if application.state == State.AWAITING_MATERIALS:
        return redirect(_materials_url(application))
    return render(request, "hall/withdrawal_result.html", _result_context(application))


@member_required
@require_GET
def withdrawal_status(request: HttpRequest, business_no: str) -> HttpResponse:
    """The payout's progress (htmx polls it every 2 s while the money is on its way)."""
    application = _owned(request, business_no)
    context = {**_result_context(application), "oob_state": bool(getattr(request, "htmx", False))}
    return render(request, "hall/_withdrawal_payout_status.html", context)
