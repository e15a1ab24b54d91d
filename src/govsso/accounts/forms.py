"""Forms of the member pages. Every message names the field and the problem, in Chinese; the
forms keep what was typed when re-shown, except passwords."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from gjj.core.identity_numbers import id_number_normalize, id_number_problem
from govsso.accounts.models import NaturalPerson
from govsso.accounts.passwords import CHARACTER_KINDS
from govsso.accounts.selectors import PHONE_LENGTH, login_identifier_normalize

PHONE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")
CODE_PATTERN = re.compile(r"^[0-9]{6}$")
NAME_MAX_LENGTH = 64
PASSWORD_HELP = f"8–64 位，包含{CHARACTER_KINDS}中的至少 3 种，不能包含身份证号或手机号"


def _required(label: str, verb: str = "输入") -> dict[str, str]:
    return {"required": f"请{verb}{label}"}


def _text(
    *, autocomplete: str, inputmode: str | None = None, maxlength: int | None = None
) -> forms.TextInput:
    attrs: dict[str, Any] = {"autocomplete": autocomplete, "spellcheck": "false"}
    if inputmode:
        attrs["inputmode"] = inputmode
    if maxlength:
        attrs["maxlength"] = maxlength
    return forms.TextInput(attrs=attrs)


def _password(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


# 18 characters, with room for the spaces of "210102 19620418 0133" as people copy or group it
# (taken out by id_number_normalize): a shorter limit would cut the number in the browser.
ID_NUMBER_TYPED_MAX_LENGTH = 20


def name_field() -> forms.CharField:
    return forms.CharField(
        label="姓名",
        error_messages=_required("姓名"),
        widget=_text(autocomplete="name", maxlength=NAME_MAX_LENGTH),
        help_text="与身份证上的姓名一致",
    )


def id_number_field() -> forms.CharField:
    return forms.CharField(
        label="身份证号",
        error_messages=_required("身份证号"),
        widget=_text(autocomplete="off", maxlength=ID_NUMBER_TYPED_MAX_LENGTH),
        help_text="18 位居民身份证号码，末位 X 大小写均可",
    )


def phone_field(help_text: str = "11 位手机号码，用于接收短信验证码") -> forms.CharField:
    return forms.CharField(
        label="手机号",
        error_messages=_required("手机号"),
        widget=_text(autocomplete="tel-national", inputmode="numeric", maxlength=11),
        help_text=help_text,
    )


def code_field() -> forms.CharField:
    return forms.CharField(
        label="短信验证码",
        error_messages=_required("短信验证码"),
        widget=_text(autocomplete="one-time-code", inputmode="numeric", maxlength=6),
        help_text="6 位数字，5 分钟内有效",
    )


def clean_name_value(value: str) -> str:
    name = value.strip()
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(f"姓名不能超过 {NAME_MAX_LENGTH} 个字")
    if any("0" <= c <= "9" for c in name):
        raise ValidationError("姓名不能包含数字")
    return name


def clean_id_number_value(value: str) -> str:
    id_number = id_number_normalize(value)
    problem = id_number_problem(id_number)
    if problem:
        raise ValidationError(problem)
    return id_number


def clean_phone_value(value: str) -> str:
    phone = value.strip()
    if not PHONE_PATTERN.match(phone):
        raise ValidationError("手机号应为 11 位数字，以 1 开头")
    return phone


def clean_code_value(value: str) -> str:
    code = value.strip()
    if not CODE_PATTERN.match(code):
        raise ValidationError("短信验证码应为 6 位数字")
    return code


class PhoneForm(forms.Form):
    """The phone alone: what 获取验证码 on the registration page needs."""

    phone = phone_field()

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])


class RegistrationForm(forms.Form):
    name = name_field()
    id_number = id_number_field()
    phone = phone_field()
    verification_code = code_field()
    password = forms.CharField(
        label="密码",
        strip=False,
        error_messages=_required("密码"),
        widget=_password("new-password"),
        help_text=PASSWORD_HELP,
    )
    password_confirm = forms.CharField(
        label="确认密码",
        strip=False,
        error_messages=_required("密码", verb="再次输入"),
        widget=_password("new-password"),
        help_text="再次输入密码",
    )

    # What a re-shown form keeps (never the passwords).
    KEPT_FIELDS = ("name", "id_number", "phone", "verification_code")

    def clean_name(self) -> str:
        return clean_name_value(self.cleaned_data["name"])

    def clean_id_number(self) -> str:
        return clean_id_number_value(self.cleaned_data["id_number"])

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])

    def clean_verification_code(self) -> str:
        return clean_code_value(self.cleaned_data["verification_code"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password:
            # The rules compare against what was typed, even when the number itself is invalid.
            candidate = NaturalPerson(
                id_number=cleaned.get("id_number") or id_number_normalize(self.data.get("id_number", "")),
                phone=cleaned.get("phone") or self.data.get("phone", "").strip(),
            )
            try:
                validate_password(password, user=candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        if password and confirm and password != confirm:
            self.add_error("password_confirm", "两次输入的密码不一致，请重新输入")
        return cleaned


class LoginForm(forms.Form):
    username = forms.CharField(
        label="身份证号/手机号",
        error_messages=_required("身份证号或手机号"),
        widget=_text(autocomplete="username", maxlength=ID_NUMBER_TYPED_MAX_LENGTH),
    )
    password = forms.CharField(
        label="密码", strip=False, error_messages=_required("密码"), widget=_password("current-password")
    )

    def clean_username(self) -> str:
        identifier = login_identifier_normalize(self.cleaned_data["username"])
        # A mistyped 身份证号 is named before any password is tried (it says nothing of accounts).
        if len(identifier) != PHONE_LENGTH and (problem := id_number_problem(identifier)):
            raise ValidationError(problem)
        return identifier


class RecoveryIdentityForm(forms.Form):
    id_number = id_number_field()
    name = name_field()
    phone = phone_field(help_text="注册时填写的 11 位手机号码")

    def clean_id_number(self) -> str:
        return clean_id_number_value(self.cleaned_data["id_number"])

    def clean_name(self) -> str:
        return clean_name_value(self.cleaned_data["name"])

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])


class NewPasswordForm(forms.Form):
    verification_code = code_field()
    new_password = forms.CharField(
        label="新密码",
        strip=False,
        error_messages=_required("新密码"),
        widget=_password("new-password"),
        help_text=PASSWORD_HELP,
    )
    new_password_confirm = forms.CharField(
        label="确认新密码",
        strip=False,
        error_messages=_required("新密码", verb="再次输入"),
        widget=_password("new-password"),
        help_text="再次输入新密码",
    )

    def __init__(self, *args: Any, id_number: str, phone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._candidate = NaturalPerson(id_number=id_number, phone=phone)

    def clean_verification_code(self) -> str:
        return clean_code_value(self.cleaned_data["verification_code"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password, confirm = cleaned.get("new_password"), cleaned.get("new_password_confirm")
        if password:
            try:
                validate_password(password, user=self._candidate)
            except ValidationError as exc:
                self.add_error("new_password", exc)
        if password and confirm and password != confirm:
            self.add_error("new_password_confirm", "两次输入的密码不一致，请重新输入")
        return cleaned
