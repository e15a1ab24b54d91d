"""Password rules of the site (AUTH_PASSWORD_VALIDATORS): at least 8 characters from 3 of the 4
kinds (upper-case, lower-case, digits, symbols), and never the account's 身份证号 or 手机号."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from gjj.core.identity_numbers import id_number_normalize

CHARACTER_KINDS = "大写字母、小写字母、数字、符号"


def _character_kinds(password: str) -> int:
    """How many of the four kinds occur. Anything printable that is not an ASCII letter or digit
    counts as a symbol (full-width punctuation and Chinese characters included)."""
    has_upper = any("A" <= c <= "Z" for c in password)
    has_lower = any("a" <= c <= "z" for c in password)
    has_digit = any("0" <= c <= "9" for c in password)
    has_symbol = any(not (c.isascii() and c.isalnum()) and not c.isspace() for c in password)
    return sum((has_upper, has_lower, has_digit, has_symbol))


class CharacterClassesValidator:
    def __init__(self, min_length: int = 8, max_length: int = 64, min_classes: int = 3) -> None:
        self.min_length = min_length
        self.max_length = max_length
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        problems = []
        if len(password) < self.min_length:
            problems.append(
                ValidationError(
                    f"密码至少需要 {self.min_length} 位，您输入的是 {len(password)} 位", "too_short"
                )
            )
        if len(password) > self.max_length:
            problems.append(ValidationError(f"密码不能超过 {self.max_length} 位", "too_long"))
        if any(c.isspace() for c in password):
            problems.append(ValidationError("密码不能包含空格", "whitespace"))
        if _character_kinds(password) < self.min_classes:
            problems.append(
                ValidationError(f"密码需包含{CHARACTER_KINDS}中的至少 {self.min_classes} 种", "too_few_kinds")
            )
        if problems:
            raise ValidationError(problems)

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 位，包含{CHARACTER_KINDS}中的至少 {self.min_classes} 种"


class NoPersonalNumbersValidator:
    """``user`` may be an unsaved account: registration checks the numbers being registered."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        folded = password.upper()
        problems = []
        id_number = id_number_normalize(getattr(user, "id_number", "") or "")
        if id_number and id_number in folded:
            problems.append(ValidationError("密码不能包含身份证号", "contains_id_number"))
        phone = (getattr(user, "phone", "") or "").strip()
        if phone and phone in folded:
            problems.append(ValidationError("密码不能包含手机号", "contains_phone"))
        if problems:
            raise ValidationError(problems)

    def get_help_text(self) -> str:
        return "不能包含身份证号或手机号"
