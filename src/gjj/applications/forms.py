"""What the member's forms post, read the same way on every channel (gjj.withdrawals.inputs), the
forms' own checks with one wording each, and the services called in order; every form answers with
``FormErrors`` that the channel only renders.

- the draft (the desktop's one-page form, the H5's steps): ``draft_input``, ``house_choice``,
  ``draft_save``;
- 修改并重新提交 after 退回补正: ``application_resubmit_form``;
- 更换收款银行卡 after 支付失败: ``application_change_card_form``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.http import QueryDict

from gjj.applications.presenters import LOOKUP_LABELS, field_for_rule
from gjj.core.money import fen_to_yuan
from gjj.core.origin import Origin
from gjj.policy.active import active_policy
from gjj.policy.evaluation import Evaluation
from gjj.policy.reasons import declaration_for
from gjj.policy.rules import RuleResult
from gjj.policy.schema import Policy
from gjj.withdrawals import services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError, ApplicationRefused
from gjj.withdrawals.inputs import (
    amount_parse,
    bank_code_clean,
    card_length_problem,
    card_number_clean,
    house_key_clean,
    house_key_problem,
)
from gjj.withdrawals.models import Application

DECLARATION_MISSING = "请阅读并勾选“我已阅读并同意《承诺书》”"
HOUSE_MISSING = "请填写备案合同号或房证新档案号"
HOUSE_BOTH = "备案合同号和房证新档案号只需填写一项：新建商品房填写备案合同号，存量房填写房证新档案号"
BANK_MISSING = "请选择收款银行"
BANK_NOT_LISTED = "请从列表中选择收款银行"
CARD_MISSING = "请填写银行卡号码"
AMOUNT_MISSING = "请填写提取金额"

# The fields of the member's forms in their order on the page.
FIELD_ORDER = ("house", "bank", "card_no", "amount", "declaration")
CARD_FORM_FIELDS = ("bank", "card_no", "amount", "declaration")
# ApplicationError.field → the form field it is shown by.
ERROR_FIELDS = {"contract_no": "house", "archive_no": "house", "lookup_field": "house"}


@dataclass
class FormErrors:
    """Problems of one submission: next to their field and, all of them, in the summary at the top.
    A problem of a field the form does not show (or of none) is in the summary only."""

    fields_shown: tuple[str, ...] = FIELD_ORDER
    house_control_id: str = "id_contract_no"  # the house field the summary links to
    by_field: dict[str | None, list[str]] = field(default_factory=dict)

    def add(self, name: str | None, message: str) -> None:
        if name not in self.fields_shown:
            name = None
        messages = self.by_field.setdefault(name, [])
        # A reason that only repeats another with "无法核验…" added says nothing new.
        if any(message == m or message.startswith(m) for m in messages):
            return
        messages.append(message)

    def add_failures(self, failures: Iterable[RuleResult], *, skip: Iterable[str] = ()) -> None:
        """Each failed rule by its field (``field_for_rule``), except those of ``skip``."""
        skipped = set(skip)
        for result in failures:
            name = field_for_rule(result.rule)
            if name in skipped:
                continue
            self.add(name, result.reason)

    def add_refusal(self, evaluation: Evaluation) -> None:
        self.add_failures(evaluation.failures)

    def add_error(self, error: ApplicationError) -> None:
        name = ERROR_FIELDS.get(error.field or "", error.field)
        self.add(name, error.message)

    def __bool__(self) -> bool:
        return any(self.by_field.values())

    def get(self, name: str | None) -> list[str]:
        return self.by_field.get(name, [])

    def has(self, name: str | None) -> bool:
        return bool(self.by_field.get(name))

    @property
    def fields(self) -> dict[str, list[str]]:
        """The fields that have problems, by name (``errors.fields.bank`` in the templates)."""
        return {name: list(messages) for name, messages in self.by_field.items() if name and messages}

    @property
    def general(self) -> list[str]:
        return list(self.by_field.get(None, []))

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """Every field of the form with its messages (empty when none)."""
        return {name: list(self.by_field.get(name, [])) for name in self.fields_shown}

    @property
    def summary(self) -> list[tuple[str, str]]:
        """(field name or "", message): the summary-only reasons first, then the form's order."""
        items = [("", message) for message in self.general]
        for name in self.fields_shown:
            items += [(name, message) for message in self.by_field.get(name, [])]
        return items

    @property
    def linked_summary(self) -> list[tuple[str | None, str]]:
        """(id of the control a summary link focuses or None, message), for the one-page form."""
        return [
            (None if not name else self.house_control_id if name == "house" else f"id_{name}", message)
            for name, message in self.summary
        ]

    @property
    def messages(self) -> list[str]:
        return [message for _, message in self.summary]


# --- the draft ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftInput:
    """The draft's form as posted (a plain submit, an htmx save while the member types, an H5 step)."""

    contract_no: str
    archive_no: str
    bank: str | None  # None: not posted at all
    card_no: str  # without spaces and "-"; "" keeps the card already saved in the draft
    amount_text: str | None  # None: not posted at all
    declaration: bool
    declaration_version: str
    action: str
    lookup_hint: str  # which house field the member just left (htmx), or ""

    @property
    def house_fields_filled(self) -> list[str]:
        return [name for name in ("contract_no", "archive_no") if getattr(self, name)]


def draft_input(data: QueryDict | Mapping[str, str]) -> DraftInput:
    return DraftInput(
        contract_no=house_key_clean(data.get("contract_no", "")),
        archive_no=house_key_clean(data.get("archive_no", "")),
        bank=bank_code_clean(data.get("bank")) if "bank" in data else None,
        card_no=card_number_clean(data.get("card_no")),
        amount_text=data.get("amount") if "amount" in data else None,
        declaration=bool(data.get("declaration")),
        declaration_version=data.get("declaration_version", ""),
        action=data.get("action", "submit"),
        lookup_hint=data.get("lookup_field", ""),
    )


def house_choice(data: DraftInput) -> tuple[str | None, str, str | None]:
    """(lookup field, key, problem). The member fills one of the two house fields; when htmx says
    which one they just left, that one is looked up."""
    filled = data.house_fields_filled
    if data.lookup_hint in LOOKUP_LABELS and data.lookup_hint in filled:
        key = getattr(data, data.lookup_hint)
        return data.lookup_hint, key, house_key_problem(data.lookup_hint, key)
    if not filled:
        return None, "", HOUSE_MISSING
    if len(filled) > 1:
        return None, "", HOUSE_BOTH
    key = getattr(data, filled[0])
    return filled[0], key, house_key_problem(filled[0], key)


def bank_problem(bank: str, policy: Policy, *, required: bool) -> str | None:
    if not bank:
        return BANK_MISSING if required else None
    if bank not in policy.allowed_banks:
        return BANK_NOT_LISTED
    return None


def draft_save(
    *,
    application: Application,
    actor: Actor,
    data: DraftInput,
    errors: FormErrors,
    clear_amount: bool = False,
) -> Application:
    """Keep what the member typed (the bank, a new card number, the amount once it parses); the
    rules run on 提交申请. Problems of the input itself go to ``errors``."""
    policy = active_policy()
    changes: dict[str, object] = {}
    if data.bank is not None:
        problem = bank_problem(data.bank, policy, required=False)
        if problem:
            errors.add("bank", problem)
        else:
            changes["bank"] = data.bank
    if data.card_no:
        problem = card_length_problem(data.card_no, policy)
        if problem:
            errors.add("card_no", problem)
        else:
            changes["card_no"] = data.card_no
    if clear_amount:
        changes["clear_amount"] = True
    elif data.amount_text is not None:
        amount_fen, problem = amount_parse(data.amount_text)
        if problem:
            errors.add("amount", problem)
        elif amount_fen is None:
            changes["clear_amount"] = True
        else:
            changes["amount_fen"] = amount_fen
    return services.application_update_draft(application=application, actor=actor, **changes)  # type: ignore[arg-type]


# --- 修改并重新提交 (退回补正) and 更换收款银行卡 (支付失败) --------------------------------------------


def _card_values(posted: Mapping[str, str]) -> dict[str, str]:
    return {"bank": bank_code_clean(posted.get("bank")), "card_no": card_number_clean(posted.get("card_no"))}


def _check_card(values: Mapping[str, object], errors: FormErrors, policy: Policy) -> None:
    problem = bank_problem(str(values["bank"]), policy, required=True)
    if problem:
        errors.add("bank", problem)
    card_no = str(values["card_no"])
    problem = card_length_problem(card_no, policy) if card_no else CARD_MISSING
    if problem:
        errors.add("card_no", problem)


def resubmit_initial(application: Application) -> dict[str, object]:
    return {
        "bank": application.bank,
        "card_no": application.card_no,
        "amount": fen_to_yuan(application.amount_fen) if application.amount_fen else "",
        "declaration": False,
    }


def resubmit_read(posted: Mapping[str, str]) -> dict[str, object]:
    return {
        **_card_values(posted),
        "amount": posted.get("amount", "").strip(),
        "declaration": posted.get("declaration") == "accepted",
    }


def application_resubmit_form(
    *,
    application: Application,
    values: Mapping[str, object],
    actor: Actor,
    origin: Origin,
) -> FormErrors:
    """The corrected card and amount, the 承诺书 again and every rule again; no errors means the
    application now awaits the materials the reviewer named."""
    policy = active_policy()
    errors = FormErrors(fields_shown=CARD_FORM_FIELDS)
    _check_card(values, errors, policy)
    amount_fen, problem = amount_parse(str(values["amount"]))
    if problem:
        errors.add("amount", problem)
    elif amount_fen is None:
        errors.add("amount", AMOUNT_MISSING)
    if not values["declaration"]:
        errors.add("declaration", DECLARATION_MISSING)
    if errors:
        return errors
    try:
        services.application_update_draft(
            application=application,
            actor=actor,
            bank=str(values["bank"]),
            card_no=str(values["card_no"]),
            amount_fen=amount_fen,
        )
        services.application_accept_declaration(
            application=application,
            actor=actor,
            version=declaration_for(policy, application.reason).version,
            client_ip=origin.ip,
            user_agent=origin.user_agent,
        )
        services.application_submit(application=application, actor=actor)
    except ApplicationRefused as exc:
        errors.add_refusal(exc.evaluation)
    except ApplicationError as exc:
        errors.add_error(exc)
    return errors


def change_card_initial(application: Application) -> dict[str, object]:
    return {"bank": application.bank, "card_no": ""}


def change_card_read(posted: Mapping[str, str]) -> dict[str, object]:
    return dict(_card_values(posted))


def application_change_card_form(
    *, application: Application, values: Mapping[str, object], actor: Actor
) -> FormErrors:
    """Another class-I card of the member's; no errors means the centre pays again to it."""
    errors = FormErrors(fields_shown=("bank", "card_no"))
    _check_card(values, errors, active_policy())
    if errors:
        return errors
    try:
        services.application_change_payout_card(
            application=application, bank=str(values["bank"]), card_no=str(values["card_no"]), actor=actor
        )
    except ApplicationRefused as exc:
        errors.add_refusal(exc.evaluation)
    except ApplicationError as exc:
        errors.add_error(exc)
    return errors
