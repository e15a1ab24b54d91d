"""The member's screens on an existing application, shared by the desktop hall and the H5: what the
detail screen shows, and the forms 修改并重新提交 after 退回补正 and 更换收款银行卡 after 支付失败.

Each form reads what was posted the same way on every channel (the card without spaces or "-",
the bank upper-cased, the amount as ``amount_parse`` reads it), runs the form's own checks and then
the services, and answers with the errors to show; the channels only render them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gjj.core.money import fen_to_yuan
from gjj.core.origin import Origin
from gjj.hall.forms_withdrawal import DECLARATION_MISSING, amount_parse, card_number_clean
from gjj.policy.active import active_policy
from gjj.policy.evaluation import Evaluation
from gjj.withdrawals import selectors, services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError, ApplicationRefused
from gjj.withdrawals.models import Application, State

# Which form field a failed rule belongs to (the others appear in the summary only).
RULE_FIELDS: dict[str, str] = {
    "bank_allowed": "bank",
    "card_number": "card_no",
    "card_type": "card_no",
    "card_bank_match": "card_no",
    "card_class": "card_no",
    "card_holder": "card_no",
    "card_status": "card_no",
    "amount": "amount",
}
ERROR_FIELDS: dict[str, str] = {"amount": "amount", "declaration": "declaration", "bank": "bank"}


@dataclass
class FormErrors:
    """Errors of one form: next to their field and, all of them, in the summary at the top."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, field_name: str | None, message: str) -> None:
        if field_name:
            self.fields.setdefault(field_name, []).append(message)
        else:
            self.general.append(message)

    def add_refusal(self, evaluation: Evaluation) -> None:
        for failure in evaluation.failures:
            self.add(RULE_FIELDS.get(failure.rule), failure.reason)

    def add_error(self, error: ApplicationError) -> None:
        self.add(ERROR_FIELDS.get(error.field or ""), error.message)

    @property
    def summary(self) -> list[tuple[str, str]]:
        """(field id or "", message) in the order of the form."""
        items = [("", message) for message in self.general]
        for name, field_messages in self.fields.items():
            items += [(name, message) for message in field_messages]
        return items

    @property
    def messages(self) -> list[str]:
        return [message for _, message in self.summary]

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


def application_detail_context(application: Application) -> dict[str, object]:
    """业务详情 on either channel: the facts, the timeline, the rules (all of them, and the failed
    ones), what to fix, what happens next and which actions the state allows."""
    policy = active_policy()
    state = application.state
    rule_lines = selectors.application_rule_lines(application=application)
    payout = selectors.latest_payout(application=application)
    return {
        "application": application,
        "facts": selectors.application_facts(application=application, policy=policy),
        "timeline": selectors.application_timeline(application=application),
        "rule_lines": rule_lines,
        "failed_rules": [line for line in rule_lines if not line.passed],
        "fix_items": selectors.fix_items(application=application, policy=policy)
        if state == State.RETURNED
        else [],
        "next_step": selectors.next_step_text(application=application, policy=policy),
        "can_cancel": state in services.CANCELLABLE_STATES,
        "is_draft": state == State.DRAFT,
        "is_returned": state == State.RETURNED,
        "is_awaiting_materials": state == State.AWAITING_MATERIALS,
        "is_payout_failed": state == State.PAYOUT_FAILED,
        "bank_message": payout.bank_message if payout is not None else "",
        "has_receipt": selectors.has_receipt(application),
    }


def _card_values(posted: Mapping[str, str]) -> dict[str, str]:
    return {
        "bank": posted.get("bank", "").strip().upper(),
        "card_no": card_number_clean(posted.get("card_no")),
    }


def _check_card(values: Mapping[str, object], errors: FormErrors) -> None:
    if values["bank"] not in active_policy().allowed_banks:
        errors.add("bank", "请选择收款银行")
    if not values["card_no"]:
        errors.add("card_no", "请填写银行卡号码")


# --- 修改并重新提交 (退回补正) ------------------------------------------------------------------------


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
    errors = FormErrors()
    _check_card(values, errors)
    amount_fen, problem = amount_parse(str(values["amount"]))
    if problem:
        errors.add("amount", problem)
    elif amount_fen is None:
        errors.add("amount", "请填写提取金额")
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
            version=active_policy().declaration_version,
            client_ip=origin.ip,
            user_agent=origin.user_agent,
        )
        services.application_submit(application=application, actor=actor)
    except ApplicationRefused as exc:
        errors.add_refusal(exc.evaluation)
    except ApplicationError as exc:
        errors.add_error(exc)
    return errors


# --- 更换收款银行卡 (支付失败) -----------------------------------------------------------------------


def change_card_initial(application: Application) -> dict[str, object]:
    return {"bank": application.bank, "card_no": ""}


def change_card_read(posted: Mapping[str, str]) -> dict[str, object]:
    return dict(_card_values(posted))


def application_change_card_form(
    *, application: Application, values: Mapping[str, object], actor: Actor
) -> FormErrors:
    """Another class-I card of the member's; no errors means the centre pays again to it."""
    errors = FormErrors()
    _check_card(values, errors)
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
