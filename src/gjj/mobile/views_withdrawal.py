"""The H5 wizard of every withdrawal reason (购房提取, 租房提取, 离退休提取 — the registry's list), one
step a screen, over the same services, forms and presenters as the desktop (gjj.applications):
温馨提示 → 个人基本信息 → 房屋信息 (a reason about a house only) → 收款账户信息 → 承诺书 (提交申请) →
影像上传 (提交申请) → the result.

``/m/withdrawals/<reason>/`` starts (or continues) the member's one draft of that reason; choosing
another reason turns the draft into it (``application_start``). The draft is the member's on every
channel, so a draft started on the desktop continues here and vice versa.
"""

from __future__ import annotations

import io

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from PIL import ExifTags, Image

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
    reason_amount,
    result_context,
)
from gjj.core.masking import mask_card_number
from gjj.core.money import fen_to_yuan
from gjj.core.origin import origin_of
from gjj.mobile.views import logged_in_member, member_actor, mobile_member_required, owned_application
from gjj.policy.active import active_policy
from gjj.policy.reasons import SUBJECT_HOUSE, declaration_for, reason_for, reason_name
from gjj.policy.rules import reason_short_name
from gjj.policy.schema import Policy
from gjj.withdrawals import form_selectors as selectors
from gjj.withdrawals import selectors as application_selectors
from gjj.withdrawals import services
from gjj.withdrawals.errors import ApplicationError, ApplicationRefused
from gjj.withdrawals.inputs import MAX_CARD_LENGTH, card_number_clean
from gjj.withdrawals.materials import MaterialRejected
from gjj.withdrawals.models import Application, State

REFUSAL_SESSION_KEY = "mobile_refusal"

# (slug, title) in order; 影像上传, 提交申请 and the result follow once a business number exists. A
# reason whose subject is not a house has no 房屋信息 step.
STEPS = (
    ("notice", "温馨提示"),
    ("person", "个人基本信息"),
    ("house", "房屋信息"),
    ("account", "收款账户信息"),
    ("declaration", "承诺书"),
)
AFTER_STEPS = ("影像上传", "提交结果")
# The step of each form field (gjj.applications.presenters.field_for_rule); a rule of no field (the
# member's own account, loans, open applications, the reason's own facts) is the person's.
FIELD_STEPS = {None: "person", "house": "house", "bank": "account", "card_no": "account", "amount": "account"}


def step_for_rule(rule: str) -> str:
    """Where a failed rule sends the member back to."""
    return FIELD_STEPS.get(field_for_rule(rule), "declaration")


def reason_steps(reason: str) -> tuple[tuple[str, str], ...]:
    has_house = reason_for(reason).subject == SUBJECT_HOUSE
    return tuple((slug, title) for slug, title in STEPS if has_house or slug != "house")


def _step_bar(reason: str, current: int) -> list[dict[str, object]]:
    titles = [title for _, title in reason_steps(reason)] + list(AFTER_STEPS)
    return [
        {"number": i + 1, "title": title, "current": i == current, "done": i < current}
        for i, title in enumerate(titles)
    ]


def _step_url(reason: str, step: str) -> str:
    return reverse("mobile:step", kwargs={"reason": reason, "step": step})


def _reason_context(reason: str, policy: Policy) -> dict[str, object]:
    """The reason's names for the titles and its subject's template of the 温馨提示 step."""
    entry = reason_for(reason)
    return {
        "reason": reason,
        "reason_short_name": reason_short_name(policy, reason),
        "reason_name": reason_name(policy, reason),
        "has_house": entry.subject == SUBJECT_HOUSE,
        "subject_notice": f"mobile/subjects/{entry.subject}_notice.html",
        "bank_names": "、".join(policy.allowed_banks.values()),
    }


# --- the steps ----------------------------------------------------------------------------------


def _draft(request: HttpRequest, reason: str) -> tuple[Application | None, HttpResponse | None]:
    person = logged_in_member(request).person
    actor = member_actor(request, person)
    if request.method == "GET":
        # A GET only shows a step: the draft is stored when the member first posts one. The
        # member's applications are read once for both questions.
        in_progress = selectors.member_applications_in_progress(person=person)
        waiting = in_progress.awaiting_materials
    else:
        waiting = selectors.member_awaiting_materials(person=person)
    if waiting is not None:
        return None, redirect("mobile:materials", business_no=waiting.business_no)
    try:
        if request.method == "GET":
            application = services.application_draft_for_form(
                person=person, actor=actor, reason=reason, draft=in_progress.draft
            )
        else:
            application = services.application_start(person=person, actor=actor, reason=reason)
    except ApplicationError as exc:
        return None, render(request, "mobile/unavailable.html", {"message": exc.message}, status=409)
    return application, None


@mobile_member_required
@require_GET
def reason_start(request: HttpRequest, reason: str) -> HttpResponse:
    return redirect(_step_url(reason, "notice"))


def _max_amount_fen(application: Application, *, policy: Policy) -> int | None:
    """The most the member may withdraw: the house's (after its lookup) or the reason's own."""
    if reason_for(application.reason).subject == SUBJECT_HOUSE:
        check = selectors.draft_house_check(application)
        return check.max_amount_fen if check else None
    return reason_amount(application, policy=policy).max_amount_fen


def _step_context(
    request: HttpRequest, application: Application, step: str, errors: list[str], values: dict[str, str]
) -> dict[str, object]:
    policy = active_policy()
    member = logged_in_member(request)
    reason = application.reason
    steps = reason_steps(reason)
    slugs = [slug for slug, _ in steps]
    index = slugs.index(step)
    context: dict[str, object] = {
        "step": step,
        "title": steps[index][1],
        "steps": _step_bar(reason, index),
        "previous": slugs[index - 1] if index else None,
        "errors": errors,
        "values": values,
        "policy": policy,
        "application": application,
        "summary": member_account_summary(member=member),
        **_reason_context(reason, policy),
    }
    if step == "notice":
        kinds = reason_for(reason).materials(policy, None, None)
        context["material_names"] = "、".join(policy.material_names.get(k, k) for k in kinds)
    if step == "house":
        context.update(house_context(application))
        context["lookup_labels"] = LOOKUP_LABELS
    if step == "account":
        context["banks"] = list(policy.allowed_banks.items())
        context["saved_card_masked"] = mask_card_number(application.card_no)
        if context["has_house"]:
            max_amount_fen = _max_amount_fen(application, policy=policy)
        else:
            amount = reason_amount(application, policy=policy)
            context["reason_amount"], max_amount_fen = amount, amount.max_amount_fen
        context["max_amount_fen"] = max_amount_fen
        if not values.get("amount") and max_amount_fen:
            # As on the desktop: the maximum is filled in, and the member may lower it.
            context["values"] = {**values, "amount": fen_to_yuan(max_amount_fen)}
    if step == "declaration":
        context["bank_name"] = policy.bank_name(application.bank)
        context["card_masked"] = mask_card_number(application.card_no)
        context["house_address"] = (application.house_snapshot or {}).get("address", "")
        context["amount_fen"] = application.amount_fen
        context["closes_account"] = reason_for(reason).closes_account
        declaration = declaration_for(policy, reason)
        context["declaration"] = declaration
        context["declaration_checked"] = bool(
            application.declaration_accepted_at and application.declaration_version == declaration.version
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
def reason_step(request: HttpRequest, reason: str, step: str) -> HttpResponse:
    if step not in dict(reason_steps(reason)):
        raise Http404("没有这一步")
    application, elsewhere = _draft(request, reason)
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


def _next(application: Application, step: str) -> HttpResponse:
    slugs = [slug for slug, _ in reason_steps(application.reason)]
    return redirect(_step_url(application.reason, slugs[slugs.index(step) + 1]))


def _post_notice(request: HttpRequest, application: Application, values: dict[str, str]):  # type: ignore[no-untyped-def]
    return _next(application, "notice")


def _post_person(request: HttpRequest, application: Application, values: dict[str, str]):  # type: ignore[no-untyped-def]
    """个人基本信息: the member's own rules first (account, months, loans, open applications, and the
    reason's own facts: no house of their own for rent, retired and no unsettled loan for
    retirement)."""
    evaluation = selectors.draft_evaluation(application)
    reasons = [r.reason for r in evaluation.failures if step_for_rule(r.rule) == "person"]
    return reasons or _next(application, "person")


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
            application=application, lookup_field=field, key=key, actor=member_actor(request, person)
        )
    except ApplicationError as exc:
        return [exc.message]
    application.refresh_from_db()
    if changed and application.amount_fen:
        services.application_update_draft(
            application=application,
            actor=member_actor(request, person),
            clear_amount=True,
        )
        application.refresh_from_db()
    house = house_context(application)
    if house["house_refusal"]:
        return [str(house["house_refusal"])]
    if house["house_problems"]:
        return list(house["house_problems"])  # type: ignore[call-overload]
    if request.POST.get("action") == "lookup":
        return redirect(_step_url(application.reason, "house") + "#house-echo")
    return _next(application, "house")


def _post_account(request: HttpRequest, application: Application, values: dict[str, str]):  # type: ignore[no-untyped-def]
    """收款账户信息: the bank, the card and the amount kept as on the desktop (``draft_save``), then
    what this step needs before the next one: a bank, a card, the card's own checks and an amount
    (the maximum when left blank; the whole balance, not typed, for 离退休提取)."""
    policy = active_policy()
    fixed = reason_for(application.reason).amount_fixed
    posted = request.POST.copy()
    if fixed:
        posted.pop("amount", None)  # the whole balance: nothing the member types counts
    data = draft_input(posted)
    values.update(bank=data.bank or "", amount=data.amount_text or "")
    errors = FormErrors()
    if not data.bank:
        errors.add("bank", BANK_MISSING)
    if not data.card_no and not application.card_no:
        errors.add("card_no", CARD_MISSING)
    draft_save(
        application=application, actor=member_actor(request, application.person), data=data, errors=errors
    )
    application.refresh_from_db()
    bank = data.bank or ""
    if application.card_no and bank in policy.allowed_banks and not errors.has("card_no"):
        check = selectors.card_precheck(bank=bank, card_no=application.card_no, policy=policy)
        for failure in (check.bank_failure, check.card_failure):
            if failure is not None:
                errors.add(field_for_rule(failure.rule), failure.reason)
    if not errors and (fixed or application.amount_fen is None):
        max_amount_fen = _max_amount_fen(application, policy=policy)
        if max_amount_fen:
            services.application_update_draft(
                application=application,
                actor=member_actor(request, application.person),
                amount_fen=max_amount_fen,
            )
        elif not fixed:
            errors.add("amount", AMOUNT_MISSING)
        # 离退休提取 without a whole balance to pay (part of it frozen): 提交申请 says why.
    return errors.messages or _next(application, "account")


def _post_declaration(request: HttpRequest, application: Application, values: dict[str, str]):  # type: ignore[no-untyped-def]
    """承诺书 + 提交申请: every rule; a refusal goes back to the step of the first failed rule."""
    person = application.person
    if not request.POST.get("declaration"):
        return [DECLARATION_MISSING]
    actor = member_actor(request, person)
    origin = origin_of(request)
    try:
        services.application_accept_declaration(
            application=application,
            actor=actor,
            version=request.POST.get("declaration_version", ""),
            client_ip=origin.ip,
            user_agent=origin.user_agent,
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
        return redirect(_step_url(application.reason, step))
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


# A photo stored turned keeps its EXIF orientation (gjj.withdrawals.materials) and the browser shows
# it upright: for these the size as shown is the stored one's height by its width.
_SIDEWAYS_ORIENTATIONS = frozenset({5, 6, 7, 8})


def _image_size(material) -> tuple[int | None, int | None]:  # type: ignore[no-untyped-def]
    """The width and height of an image material as the member sees it."""
    if material is None or not material.content_type.startswith("image/"):
        return None, None
    try:
        with material.file.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as image:
            width, height = image.size
            if image.getexif().get(ExifTags.Base.Orientation) in _SIDEWAYS_ORIENTATIONS:
                return height, width
            return width, height
    except (OSError, ValueError):
        return None, None


def _materials_page(request: HttpRequest, application: Application, *, error: str = "", status: int = 200):  # type: ignore[no-untyped-def]
    policy = active_policy()
    rows = []
    for row in material_rows(application, policy):
        width, height = _image_size(row.material)
        # After 退回补正: the materials the reviewer named, until they are photographed again.
        rows.append({"row": row, "width": width, "height": height, "to_replace": row.still_to_replace})
    return render(
        request,
        "mobile/materials.html",
        {
            "application": application,
            "rows": rows,
            "accept": MATERIAL_ACCEPT,
            "error": error,
            "steps": _step_bar(application.reason, len(reason_steps(application.reason))),
            "was_returned": application_selectors.latest_return(application=application) is not None,
            "max_mb": f"{policy.material_max_bytes / (1024 * 1024):.0f}",
            **_reason_context(application.reason, policy),
        },
        status=status,
    )


@mobile_member_required
@require_GET
def materials(request: HttpRequest, business_no: str) -> HttpResponse:
    application = owned_application(request, business_no)
    if application.state != State.AWAITING_MATERIALS:
        return redirect("mobile:result", business_no=business_no)
    return _materials_page(request, application)


@mobile_member_required
@require_POST
def material_upload(request: HttpRequest, business_no: str, kind: str) -> JsonResponse:
    """One material (wizard.js posts it with XMLHttpRequest, after shrinking a photo): JSON back."""
    application = owned_application(request, business_no)
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
            application=application,
            kind=kind,
            uploaded=uploaded,
            actor=member_actor(request, application.person),
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
    application = owned_application(request, business_no)
    if application.state != State.AWAITING_MATERIALS:
        return redirect("mobile:result", business_no=business_no)
    try:
        application = services.application_final_submit(
            application=application, actor=member_actor(request, application.person)
        )
    except ApplicationError as exc:
        return _materials_page(request, application, error=exc.message, status=400)
    return redirect("mobile:result", business_no=business_no)


@mobile_member_required
@require_GET
def result(request: HttpRequest, business_no: str) -> HttpResponse:
    application = owned_application(request, business_no)
    if application.state == State.AWAITING_MATERIALS:
        return redirect("mobile:materials", business_no=business_no)
    policy = active_policy()
    context = result_context(application)
    context.update(_reason_context(application.reason, policy))
    context["closes_account"] = reason_for(application.reason).closes_account
    context["steps"] = _step_bar(application.reason, len(reason_steps(application.reason)) + 1)
    return render(request, "mobile/result.html", context)
