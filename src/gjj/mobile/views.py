"""The mobile H5 (WeChat and the installed APP): 业务办理 home, the H5 立即登录 page and the
购房提取 wizard, one step a screen, over the same services, rules and draft as the desktop.

Channel rule: a request is 微信 when its user agent contains "MicroMessenger" or the member came in
through a WeChat link (``?wx=``, remembered in the session by ``gjj.mobile.middleware``); every other H5
request (the installed app, a phone browser) is APP. The draft is the member's one draft
(``application_start``), so a draft started on the desktop continues here and vice versa.
"""

from __future__ import annotations

import io
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from PIL import Image

from gjj.applications.account import member_account_summary
from gjj.applications.forms import (
    AMOUNT_MISSING,
    BANK_MISSING,
    CARD_MISSING,
    DECLARATION_MISSING,
    FormErrors,
    draft_input,
    draft_save,
    house_choice,
)
from gjj.applications.presenters import (
    LOOKUP_LABELS,
    MATERIAL_ACCEPT,
    field_for_rule,
    house_context,
    material_rows,
    result_context,
)
from gjj.core.masking import mask_card_number
from gjj.core.money import fen_to_yuan
from gjj.core.origin import inside_wechat, origin_of
from gjj.identity.models import MemberLogin
from gjj.identity.redirects import safe_next_path
from gjj.identity.selectors import member_for_request
from gjj.identity.views import login_start_url
from gjj.members.models import Person
from gjj.mobile.middleware import WECHAT_SESSION_KEY
from gjj.policy.active import active_policy
from gjj.wechat.services import (
    wechat_binding_confirm,
    wechat_binding_decline,
    wechat_binding_pending,
    wechat_binding_unlink,
    wechat_openid_of,
)
from gjj.withdrawals import form_selectors as selectors
from gjj.withdrawals import selectors as application_selectors
from gjj.withdrawals import services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError, ApplicationRefused
from gjj.withdrawals.inputs import MAX_CARD_LENGTH, card_number_clean
from gjj.withdrawals.materials import MaterialRejected
from gjj.withdrawals.models import Application, Channel, State

REFUSAL_SESSION_KEY = "mobile_refusal"

# (slug, title) in order; 影像上传, 提交申请 and the result follow once a business number exists.
STEPS = (
    ("notice", "温馨提示"),
    ("person", "个人基本信息"),
    ("house", "房屋信息"),
    ("account", "收款账户信息"),
    ("declaration", "承诺书"),
)
ALL_STEP_TITLES = [title for _, title in STEPS] + ["影像上传", "提交结果"]
# The step of each form field (gjj.applications.presenters.field_for_rule); a rule of no field (the
# member's own account, loans, open applications, the reason's own facts) is the person's.
FIELD_STEPS = {None: "person", "house": "house", "bank": "account", "card_no": "account", "amount": "account"}


def step_for_rule(rule: str) -> str:
    """Where a failed rule sends the member back to."""
    return FIELD_STEPS.get(field_for_rule(rule), "declaration")


def channel_for(request: HttpRequest) -> str:
    if inside_wechat(request) or request.session.get(WECHAT_SESSION_KEY):
        return Channel.WECHAT
    return Channel.APP


def _actor(request: HttpRequest, person: Person) -> Actor:
    return Actor.member(person, channel=channel_for(request))


def mobile_member_required(view):  # type: ignore[no-untyped-def]
    """Like ``member_required``, but a visitor goes to the H5 login page."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if member_for_request(request) is None:
            return redirect(f"{reverse('mobile:login')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return never_cache(guarded)


def _member(request: HttpRequest) -> MemberLogin:
    member = member_for_request(request)
    assert member is not None
    return member


def govsso_site_url() -> str:
    parts = urlsplit(settings.GJJ_OIDC_ISSUER)
    return f"{parts.scheme}://{parts.netloc}/"


def _mobile_next(request: HttpRequest, candidate: object) -> str:
    path = safe_next_path(request, candidate)
    return path if path.startswith("/m/") else reverse("mobile:home")


# --- home and login ---------------------------------------------------------------------------------

# (name, the URL name of a tile that works, or "" for 暂未开放): the same tiles as the desktop.
TILES = (
    ("购房提取", "mobile:purchase"),
    ("建造翻建大修提取", ""),
    ("离退休提取", ""),
    ("偿还购房贷款本息提取", ""),
    ("租房提取", ""),
    ("我的业务", "mobile:applications"),
    ("账户查询", "mobile:account"),
)


@require_GET
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    member = member_for_request(request)
    tiles = [(name, reverse(url_name) if url_name else "") for name, url_name in TILES]
    return render(
        request, "mobile/home.html", {"tiles": tiles, "member_name": member.display_name if member else ""}
    )


@require_GET
@never_cache
def login_page(request: HttpRequest) -> HttpResponse:
    """立即登录 (H5): no registration or password recovery here; they happen on the
    government-service site."""
    next_path = _mobile_next(request, request.GET.get("next"))
    done = f"{reverse('mobile:login_done')}?{urlencode({'next': next_path})}"
    return render(
        request,
        "mobile/login.html",
        {"login_url": login_start_url(next_path=done), "govsso_url": govsso_site_url()},
    )


@mobile_member_required
@require_GET
def login_done(request: HttpRequest) -> HttpResponse:
    """After the SSO: a member who came by a WeChat link is asked whether to bind this WeChat
    account (nothing is bound by logging in), then goes on."""
    next_path = _mobile_next(request, request.GET.get("next"))
    if wechat_binding_pending(request, _member(request).person) is not None:
        return redirect(f"{reverse('mobile:wechat_bind')}?{urlencode({'next': next_path})}")
    return redirect(next_path)


@mobile_member_required
@require_http_methods(["GET", "POST"])
def wechat_bind(request: HttpRequest) -> HttpResponse:
    """将此微信号与您的公积金账户绑定: shown inside WeChat only; only 确认绑定 binds."""
    next_path = _mobile_next(request, request.GET.get("next") or request.POST.get("next"))
    if wechat_binding_pending(request, _member(request).person) is None:
        return redirect(next_path)
    if not inside_wechat(request):
        wechat_binding_decline(request)  # a WeChat link opened elsewhere binds nothing
        return redirect(next_path)
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            bound = wechat_binding_confirm(request, _member(request).person) is not None
            return render(request, "mobile/wechat_bound.html", {"bound": bound, "next": next_path})
        wechat_binding_decline(request)
        return redirect(next_path)
    member = _member(request)
    return render(request, "mobile/wechat_bind.html", {"member_name": member.display_name, "next": next_path})


@mobile_member_required
@require_http_methods(["GET", "POST"])
def wechat_binding(request: HttpRequest) -> HttpResponse:
    """The member's WeChat binding, and 解除绑定."""
    person = _member(request).person
    unbound = request.method == "POST" and wechat_binding_unlink(person=person)
    return render(
        request,
        "mobile/wechat_binding.html",
        {"bound": wechat_openid_of(person) is not None, "unbound": unbound},
    )


# --- the wizard --------------------------------------------------------------------------------------


def _draft(request: HttpRequest) -> tuple[Application | None, HttpResponse | None]:
    person = _member(request).person
    waiting = selectors.member_awaiting_materials(person=person)
    if waiting is not None:
        return None, redirect("mobile:materials", business_no=waiting.business_no)
    try:
        application = services.application_start(person=person, actor=_actor(request, person))
    except ApplicationError as exc:
        return None, render(request, "mobile/unavailable.html", {"message": exc.message}, status=409)
    return application, None


@mobile_member_required
@require_GET
def purchase_start(request: HttpRequest) -> HttpResponse:
    return redirect("mobile:step", step="notice")


def _steps(current: int) -> list[dict[str, object]]:
    return [
        {"number": i + 1, "title": title, "current": i == current, "done": i < current}
        for i, title in enumerate(ALL_STEP_TITLES)
    ]


def _step_context(
    request: HttpRequest, application: Application, step: str, errors: list[str], values: dict[str, str]
) -> dict[str, object]:
    policy = active_policy()
    member = _member(request)
    slugs = [slug for slug, _ in STEPS]
    index = slugs.index(step)
    context: dict[str, object] = {
        "step": step,
        "title": STEPS[index][1],
        "steps": _steps(index),
        "previous": slugs[index - 1] if index else None,
        "errors": errors,
        "values": values,
        "policy": policy,
        "application": application,
        "summary": member_account_summary(member=member),
    }
    if step == "house":
        context.update(house_context(application))
        context["lookup_labels"] = LOOKUP_LABELS
    if step == "account":
        context["banks"] = list(policy.allowed_banks.items())
        context["saved_card_masked"] = mask_card_number(application.card_no)
        check = selectors.draft_house_check(application)
        max_amount_fen = check.max_amount_fen if check else None
        context["max_amount_fen"] = max_amount_fen
        if not values.get("amount") and max_amount_fen:
            # As on the desktop: the maximum is filled in, and the member may lower it.
            context["values"] = {**values, "amount": fen_to_yuan(max_amount_fen)}
    if step == "declaration":
        context["bank_name"] = policy.bank_name(application.bank)
        context["card_masked"] = mask_card_number(application.card_no)
        context["house_address"] = (application.house_snapshot or {}).get("address", "")
        context["amount_fen"] = application.amount_fen
        context["declaration_checked"] = bool(
            application.declaration_accepted_at
            and application.declaration_version == policy.declaration_version
        )
    return context


def _values(application: Application) -> dict[str, str]:
    field = application.lookup_field or "contract_no"
    return {
        "contract_no": application.house_key if field == "contract_no" else "",
        "archive_no": application.house_key if field == "archive_no" else "",
        "bank": application.bank,
        "amount": fen_to_yuan(application.amount_fen) if application.amount_fen else "",
    }


@mobile_member_required
@require_http_methods(["GET", "POST"])
def purchase_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in dict(STEPS):
        raise Http404("没有这一步")
    application, elsewhere = _draft(request)
    if elsewhere is not None:
        return elsewhere
    assert application is not None
    values = _values(application)
    errors: list[str] = []
    submission_failed = False
    if request.method == "GET":
        refusal = request.session.get(REFUSAL_SESSION_KEY)
        if refusal and refusal.get("step") == step:
            errors = list(refusal.get("reasons", []))
            submission_failed = True
            del request.session[REFUSAL_SESSION_KEY]
    else:
        handler = STEP_HANDLERS[step]
        outcome = handler(request, application, values)
        if isinstance(outcome, HttpResponse):
            return outcome
        errors = outcome
        application.refresh_from_db()
    status = 400 if errors and request.method == "POST" else 200
    context = _step_context(request, application, step, errors, values)
    context["submission_failed"] = submission_failed
    return render(request, "mobile/step.html", context, status=status)


def _next(step: str) -> HttpResponse:
    slugs = [slug for slug, _ in STEPS]
    return redirect("mobile:step", step=slugs[slugs.index(step) + 1])


def _post_notice(request: HttpRequest, application: Application, values: dict[str, str]):  # type: ignore[no-untyped-def]
    return _next("notice")


def _post_person(request: HttpRequest, application: Application, values: dict[str, str]):  # type: ignore[no-untyped-def]
    """个人基本信息: the member's own rules (account, months, loans, open applications) first."""
    evaluation = selectors.draft_evaluation(application)
    reasons = [r.reason for r in evaluation.failures if step_for_rule(r.rule) == "person"]
    return reasons or _next("person")


def _post_house(request: HttpRequest, application: Application, values: dict[str, str]):  # type: ignore[no-untyped-def]
    data = draft_input(request.POST)
    values.update(contract_no=data.contract_no, archive_no=data.archive_no)
    field, key, problem = house_choice(data)
    if problem:
        return [problem]
    assert field is not None
    person = application.person
    changed = (field, key) != (application.lookup_field, application.house_key)
    try:
        services.application_lookup_house(
            application=application, lookup_field=field, key=key, actor=_actor(request, person)
        )
    except ApplicationError as exc:
        return [exc.message]
    application.refresh_from_db()
    if changed and application.amount_fen:
        services.application_update_draft(
            application=application,
            actor=_actor(request, person),
            clear_amount=True,  # type: ignore[arg-type]
        )
        application.refresh_from_db()
    house = house_context(application)
    if house["house_refusal"]:
        return [str(house["house_refusal"])]
    if house["house_problems"]:
        return list(house["house_problems"])  # type: ignore[call-overload]
    if request.POST.get("action") == "lookup":
        return redirect(reverse("mobile:step", args=["house"]) + "#house-echo")
    return _next("house")


def _post_account(request: HttpRequest, application: Application, values: dict[str, str]):  # type: ignore[no-untyped-def]
    """收款账户信息: the bank, the card and the amount kept as on the desktop (``draft_save``), then
    what this step needs before the next one: a bank, a card, and the card's own checks."""
    policy = active_policy()
    data = draft_input(request.POST)
    values.update(bank=data.bank or "", amount=data.amount_text or "")
    errors = FormErrors()
    if not data.bank:
        errors.add("bank", BANK_MISSING)
    if not data.card_no and not application.card_no:
        errors.add("card_no", CARD_MISSING)
    draft_save(application=application, actor=_actor(request, application.person), data=data, errors=errors)
    application.refresh_from_db()
    bank = data.bank or ""
    if application.card_no and bank in policy.allowed_banks and not errors.has("card_no"):
        check = selectors.card_precheck(bank=bank, card_no=application.card_no, policy=policy)
        for failure in (check.bank_failure, check.card_failure):
            if failure is not None:
                errors.add(field_for_rule(failure.rule), failure.reason)
    if not errors and application.amount_fen is None:
        house_check = selectors.draft_house_check(application)
        if house_check and house_check.max_amount_fen:
            services.application_update_draft(
                application=application,
                actor=_actor(request, application.person),
                amount_fen=house_check.max_amount_fen,
            )
        else:
            errors.add("amount", AMOUNT_MISSING)
    return errors.messages or _next("account")


def _post_declaration(request: HttpRequest, application: Application, values: dict[str, str]):  # type: ignore[no-untyped-def]
    """承诺书 + 提交申请: every rule; a refusal goes back to the step of the first failed rule."""
    person = application.person
    if not request.POST.get("declaration"):
        return [DECLARATION_MISSING]
    actor = _actor(request, person)
    try:
        services.application_accept_declaration(
            application=application,
            actor=actor,
            version=request.POST.get("declaration_version", ""),
            client_ip=origin_of(request).ip,
            user_agent=origin_of(request).user_agent,
        )
    except ApplicationError as exc:
        return [exc.message]
    application.refresh_from_db()
    try:
        submitted = services.application_submit(application=application, actor=actor)
    except ApplicationRefused as exc:
        failures = list(exc.evaluation.failures)
        step = step_for_rule(failures[0].rule) if failures else "declaration"
        reasons = [f.reason for f in failures if step_for_rule(f.rule) == step]
        others = [f.reason for f in failures if step_for_rule(f.rule) != step]
        request.session[REFUSAL_SESSION_KEY] = {"step": step, "reasons": reasons + others}
        return redirect("mobile:step", step=step)
    except ApplicationError as exc:
        return [exc.message]
    if submitted.state == State.AWAITING_MATERIALS:
        return redirect("mobile:materials", business_no=submitted.business_no)
    return redirect("mobile:result", business_no=submitted.business_no)


STEP_HANDLERS = {
    "notice": _post_notice,
    "person": _post_person,
    "house": _post_house,
    "account": _post_account,
    "declaration": _post_declaration,
}


@mobile_member_required
@require_POST
def card_check(request: HttpRequest) -> JsonResponse:
    """The card checked as typed (wizard.js): number, check digit, bin against the chosen bank."""
    bank = request.POST.get("bank", "")
    card_no = card_number_clean(request.POST.get("card_no"))
    if not card_no:
        return JsonResponse({"ok": False, "message": ""})
    check = selectors.card_precheck(bank=bank, card_no=card_no[: MAX_CARD_LENGTH + 1])
    failure = check.card_failure or (check.bank_failure if bank else None)
    if failure is not None:
        return JsonResponse({"ok": False, "message": failure.reason})
    issuer = f"（{check.issuer_bank_name}借记卡）" if check.issuer_bank_name else ""
    return JsonResponse({"ok": True, "message": f"卡号格式正确{issuer}"})


# --- 影像上传, 提交申请, result -------------------------------------------------------------------------


def _owned(request: HttpRequest, business_no: str) -> Application:
    application = selectors.application_for_member(person=_member(request).person, business_no=business_no)
    if application is None:
        raise Http404("没有这笔业务")
    return application


def _image_size(material) -> tuple[int | None, int | None]:  # type: ignore[no-untyped-def]
    if material is None or not material.content_type.startswith("image/"):
        return None, None
    try:
        with material.file.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as image:
            return image.size
    except (OSError, ValueError):
        return None, None


def _materials_page(request: HttpRequest, application: Application, *, error: str = "", status: int = 200):  # type: ignore[no-untyped-def]
    policy = active_policy()
    # After 退回补正: the materials the reviewer named, until they are photographed again.
    to_replace = set(application_selectors.materials_to_replace(application=application, policy=policy))
    rows = []
    for row in material_rows(application, policy):
        width, height = _image_size(row.material)
        rows.append({"row": row, "width": width, "height": height, "to_replace": row.kind in to_replace})
    return render(
        request,
        "mobile/materials.html",
        {
            "application": application,
            "rows": rows,
            "accept": MATERIAL_ACCEPT,
            "error": error,
            "steps": _steps(len(STEPS)),
            "was_returned": application_selectors.latest_return(application=application) is not None,
            "max_mb": f"{policy.material_max_bytes / (1024 * 1024):.0f}",
        },
        status=status,
    )


@mobile_member_required
@require_GET
def materials(request: HttpRequest, business_no: str) -> HttpResponse:
    application = _owned(request, business_no)
    if application.state != State.AWAITING_MATERIALS:
        return redirect("mobile:result", business_no=business_no)
    return _materials_page(request, application)


@mobile_member_required
@require_POST
def material_upload(request: HttpRequest, business_no: str, kind: str) -> JsonResponse:
    """One material (wizard.js posts it with XMLHttpRequest, after shrinking a photo): JSON back."""
    application = _owned(request, business_no)
    if application.state != State.AWAITING_MATERIALS:
        return JsonResponse({"ok": False, "error": "该申请已不在影像上传阶段"}, status=409)
    policy = active_policy()
    if kind not in services.required_material_kinds(application, policy):
        raise Http404("本申请不需要这项材料")
    name = policy.material_names.get(kind, kind)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return JsonResponse({"ok": False, "error": f"请选择{name}的文件后再上传"}, status=400)
    try:
        material = services.material_upload_file(
            application=application, kind=kind, uploaded=uploaded, actor=_actor(request, application.person)
        )
    except (MaterialRejected, ApplicationError) as exc:
        return JsonResponse({"ok": False, "error": exc.message}, status=400)
    width, height = _image_size(material)
    return JsonResponse(
        {
            "ok": True,
            "kind": kind,
            "name": name,
            "size": material.size,
            "content_type": material.content_type,
            "width": width,
            "height": height,
            "missing": services.missing_material_kinds(application, policy),
        }
    )


@mobile_member_required
@require_POST
def final_submit(request: HttpRequest, business_no: str) -> HttpResponse:
    application = _owned(request, business_no)
    if application.state != State.AWAITING_MATERIALS:
        return redirect("mobile:result", business_no=business_no)
    try:
        application = services.application_final_submit(
            application=application, actor=_actor(request, application.person)
        )
    except ApplicationError as exc:
        return _materials_page(request, application, error=exc.message, status=400)
    return redirect("mobile:result", business_no=business_no)


@mobile_member_required
@require_GET
def result(request: HttpRequest, business_no: str) -> HttpResponse:
    application = _owned(request, business_no)
    if application.state == State.AWAITING_MATERIALS:
        return redirect("mobile:materials", business_no=business_no)
    context = result_context(application)
    context["steps"] = _steps(len(ALL_STEP_TITLES) - 1)
    return render(request, "mobile/result.html", context)
