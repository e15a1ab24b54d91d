"""The member pages: 登录, 注册账号, 忘记密码 (找回密码) and the 帮助手册. Views only read the
request, call a service and choose the page; the rules live in services and forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gjj.core.masking import mask_phone
from govsso.accounts.forms import (
    LoginForm,
    NewPasswordForm,
    PhoneForm,
    RecoveryIdentityForm,
    RegistrationForm,
)
from govsso.accounts.redirects import safe_next_url, url_with_next
from govsso.accounts.services import (
    IdNumberTaken,
    PhoneTaken,
    natural_person_password_reset,
    natural_person_register,
    password_recovery_code_request,
    registration_code_request,
)
from govsso.sms import SmsDeliveryFailed
from govsso.verification.services import (
    CodeCheckFailed,
    CodeRequestRefused,
    CodeRequestTooSoon,
)

LOGIN_FAILED_MESSAGE = "身份证号/手机号或密码错误"
ID_NUMBER_TAKEN_MESSAGE = "身份证被占用"
PHONE_TAKEN_MESSAGE = "该手机号已被其他账户使用，请更换手机号；如是您本人的账户，请直接登录或找回密码"
SMS_FAILED_MESSAGE = "短信发送失败，请稍后重试"
RECOVERY_CODE_SENT_MESSAGE = "如信息正确，验证码已发送至该手机"
RECOVERY_CODE_FAILED_MESSAGE = "短信验证码错误或已失效，请核对后重新输入或重新获取"
RECOVERY_SESSION_KEY = "govsso_password_recovery"

SENSITIVE_FIELDS = ("password", "password_confirm", "new_password", "new_password_confirm")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html")


# 登录 ------------------------------------------------------------------------------------------


@sensitive_post_parameters(*SENSITIVE_FIELDS)
@never_cache
@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_url(request)
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        person = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if person is not None:
            login(request, person)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        # One message for an unknown account and a wrong password alike.
        form.add_error(None, LOGIN_FAILED_MESSAGE)
    return render(request, "accounts/login.html", {"form": form, "touch": _asks_for_touch(next_url)})


def _asks_for_touch(next_url: str) -> bool:
    """An authorization request with ``display=touch`` (the hall's H5: WeChat and the APP), whose
    login page offers neither registration nor password recovery (they happen on the full site)."""
    query = parse_qs(urlsplit(next_url).query)
    return query.get("display", [""])[0] == "touch"


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a page, not a bare status."""
    return render(request, "accounts/locked_out.html", status=settings.AXES_HTTP_RESPONSE_CODE)


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:home")


# 注册账号 --------------------------------------------------------------------------------------


@require_GET
def register_choice(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_choice.html")


@require_GET
def register_legal_person(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_legal_person.html")


@sensitive_post_parameters(*SENSITIVE_FIELDS)
@never_cache
@require_http_methods(["GET", "POST"])
def register_natural(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    id_number_taken = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            natural_person_register(
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                password=data["password"],
                verification_code=data["verification_code"],
            )
        except CodeCheckFailed as exc:
            form.add_error("verification_code", exc.message)
        except IdNumberTaken:
            id_number_taken = True
            form.add_error("id_number", ID_NUMBER_TAKEN_MESSAGE)
        except PhoneTaken:
            form.add_error("phone", PHONE_TAKEN_MESSAGE)
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            return redirect(url_with_next(reverse("accounts:register-done"), safe_next_url(request)))
    return render(
        request, "accounts/register_natural.html", {"form": form, "id_number_taken": id_number_taken}
    )


@dataclass(frozen=True)
class CodeRequestAnswer:
    """How a 获取验证码 request ended, for the page (next to ``field``) or for the script."""

    ok: bool
    field: str
    message: str
    retry_after_seconds: int = 0

    def as_json(self) -> JsonResponse:
        status = 200 if self.ok else (429 if self.retry_after_seconds else 400)
        return JsonResponse(
            {
                "ok": self.ok,
                "field": self.field,
                "message": self.message,
                "retry_after_seconds": self.retry_after_seconds,
            },
            status=status,
        )


def _refused_answer(exc: CodeRequestRefused) -> CodeRequestAnswer:
    retry_after = exc.seconds_left if isinstance(exc, CodeRequestTooSoon) else 0
    return CodeRequestAnswer(
        ok=False, field="verification_code", message=exc.message, retry_after_seconds=retry_after
    )


def _wants_json(request: HttpRequest) -> bool:
    """The progressive-enhancement script asks for JSON; a plain form post gets the page."""
    return "application/json" in request.headers.get("Accept", "")


@sensitive_post_parameters(*SENSITIVE_FIELDS)
@never_cache
@require_POST
def register_natural_code(request: HttpRequest) -> HttpResponse:
    """获取验证码 on the registration page. Without script, the whole form is posted here and
    shown again with what was typed (passwords excepted) and the answer next to its field."""
    phone_form = PhoneForm(request.POST)
    if not phone_form.is_valid():
        answer = CodeRequestAnswer(ok=False, field="phone", message=phone_form.errors["phone"][0])
    else:
        phone = phone_form.cleaned_data["phone"]
        try:
            registration_code_request(phone=phone)
        except CodeRequestRefused as exc:
            answer = _refused_answer(exc)
        except SmsDeliveryFailed:
            answer = CodeRequestAnswer(ok=False, field="verification_code", message=SMS_FAILED_MESSAGE)
        else:
            answer = CodeRequestAnswer(
                ok=True,
                field="verification_code",
                message=f"验证码已发送至 {mask_phone(phone)}，5 分钟内有效",
                retry_after_seconds=60,
            )
    if _wants_json(request):
        return answer.as_json()
    form = RegistrationForm(
        initial={name: request.POST.get(name, "") for name in RegistrationForm.KEPT_FIELDS}
    )
    _mark_field_answer(form, answer)
    return render(
        request,
        "accounts/register_natural.html",
        {"form": form, "code_answer": answer},
        status=200 if answer.ok else 400,
    )


@require_GET
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html")


def _mark_field_answer(form: Any, answer: CodeRequestAnswer) -> None:
    """An unbound form re-shown after a code request: the field the answer is about points to it
    for screen readers, as Django does for a bound field's own errors."""
    widget = form.fields[answer.field].widget
    widget.attrs["aria-describedby"] = f"id_{answer.field}_helptext id_{answer.field}_answer"
    if not answer.ok:
        widget.attrs["aria-invalid"] = "true"


# 忘记密码 / 找回密码 ---------------------------------------------------------------------------


@require_GET
def password_forgot(request: HttpRequest) -> HttpResponse:
    user_type = request.GET.get("user_type")
    if user_type == "natural":
        return redirect(url_with_next(reverse("accounts:password-forgot-natural"), safe_next_url(request)))
    if user_type == "legal_person":
        return redirect(
            url_with_next(reverse("accounts:password-forgot-legal-person"), safe_next_url(request))
        )
    return render(
        request,
        "accounts/password_forgot_choice.html",
        {"choice_error": "请选择用户类型" if user_type is not None else ""},
        status=400 if user_type is not None else 200,
    )


@require_GET
def password_forgot_legal_person(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_forgot_legal_person.html")


@never_cache
@require_http_methods(["GET", "POST"])
def password_forgot_natural(request: HttpRequest) -> HttpResponse:
    """Step 1 of recovery for a natural person: 身份证号, 姓名, 手机号."""
    form = RecoveryIdentityForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        identity = {key: form.cleaned_data[key] for key in ("id_number", "name", "phone")}
        try:
            password_recovery_code_request(**identity)
        except CodeRequestRefused as exc:
            form.add_error("phone", exc.message)
        else:
            request.session[RECOVERY_SESSION_KEY] = identity
            return redirect(url_with_next(reverse("accounts:password-forgot-reset"), safe_next_url(request)))
    return render(request, "accounts/password_forgot_natural.html", {"form": form})


def _recovery_identity(request: HttpRequest) -> dict[str, str] | None:
    identity = request.session.get(RECOVERY_SESSION_KEY)
    return identity if isinstance(identity, dict) else None


@sensitive_post_parameters(*SENSITIVE_FIELDS)
@never_cache
@require_http_methods(["GET", "POST"])
def password_forgot_reset(request: HttpRequest) -> HttpResponse:
    """Step 2: the SMS code and the new password."""
    identity = _recovery_identity(request)
    if identity is None:
        return redirect(url_with_next(reverse("accounts:password-forgot-natural"), safe_next_url(request)))
    form = NewPasswordForm(
        request.POST if request.method == "POST" else None,
        id_number=identity["id_number"],
        phone=identity["phone"],
    )
    if form.is_valid():
        try:
            natural_person_password_reset(
                **identity,
                verification_code=form.cleaned_data["verification_code"],
                new_password=form.cleaned_data["new_password"],
            )
        except CodeCheckFailed:
            # One message whatever the cause: "expired" would tell that a code had been sent.
            form.add_error("verification_code", RECOVERY_CODE_FAILED_MESSAGE)
        except ValidationError as exc:
            form.add_error("new_password", exc)
        else:
            del request.session[RECOVERY_SESSION_KEY]
            return redirect(url_with_next(reverse("accounts:password-forgot-done"), safe_next_url(request)))
    return render(request, "accounts/password_forgot_reset.html", _reset_context(identity, form))


@sensitive_post_parameters(*SENSITIVE_FIELDS)
@never_cache
@require_POST
def password_forgot_code(request: HttpRequest) -> HttpResponse:
    """重新获取验证码 on step 2; answers exactly as step 1 does, whether or not the details
    match an account."""
    identity = _recovery_identity(request)
    if identity is None:
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "field": "verification_code", "message": "请重新填写找回密码信息"}, status=400
            )
        return redirect(url_with_next(reverse("accounts:password-forgot-natural"), safe_next_url(request)))
    try:
        password_recovery_code_request(**identity)
    except CodeRequestRefused as exc:
        answer = _refused_answer(exc)
    else:
        answer = CodeRequestAnswer(
            ok=True,
            field="verification_code",
            message=f"{RECOVERY_CODE_SENT_MESSAGE}（{mask_phone(identity['phone'])}），5 分钟内有效",
            retry_after_seconds=60,
        )
    if _wants_json(request):
        return answer.as_json()
    form = NewPasswordForm(
        initial={"verification_code": request.POST.get("verification_code", "")},
        id_number=identity["id_number"],
        phone=identity["phone"],
    )
    _mark_field_answer(form, answer)
    return render(
        request,
        "accounts/password_forgot_reset.html",
        {**_reset_context(identity, form), "code_answer": answer},
        status=200 if answer.ok else 400,
    )


def _reset_context(identity: dict[str, str], form: NewPasswordForm) -> dict[str, Any]:
    return {
        "form": form,
        "masked_phone": mask_phone(identity["phone"]),
        "code_sent_message": RECOVERY_CODE_SENT_MESSAGE,
    }


@require_GET
def password_forgot_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_forgot_done.html")


# 帮助手册 --------------------------------------------------------------------------------------


@require_GET
def help_index(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/help_index.html")


@require_GET
def help_register(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/help_register.html")


@require_GET
def help_password(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/help_password.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that is too old (or from elsewhere): say so in plain words."""
    return render(request, "accounts/csrf_failure.html", status=403)
