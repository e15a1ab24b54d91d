"""The member's draft: started once and continued on every channel, the house echoed from the
registry, what the member typed kept as typed, the 承诺书 accepted, and 撤回."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gjj.members.models import Person
from gjj.policy.active import active_policy
from gjj.policy.reasons import SUBJECT_HOUSE, UnknownReason, declaration_for, reason_for
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.eligibility import LOOKUP_FIELDS, HouseLookup, house_lookup
from gjj.withdrawals.errors import ApplicationError, OutsideSystemDidNotAnswer
from gjj.withdrawals.inputs import (
    AMOUNT_NOT_POSITIVE,
    bank_code_clean,
    card_length_problem,
    card_number_clean,
    house_key_clean,
    house_key_problem,
)
from gjj.withdrawals.lifecycle import (
    CANCELLABLE_STATES,
    application_locked,
    application_transition,
    require_editable,
    require_owner,
)
from gjj.withdrawals.models import Application, State


def application_start(*, person: Person, actor: Actor, reason: str = "purchase") -> Application:
    """The member's draft for ``reason`` (a key of gjj.policy.reasons): every channel continues the
    same one, so a member who leaves and returns (on any channel) goes on where they stopped. A
    member holds one draft; choosing another reason turns it into a draft of that reason, keeping
    the card and dropping what belonged to the other reason (the house, the amount)."""
    application = application_draft_for_form(person=person, actor=actor, reason=reason)
    if application.pk is not None:
        return application
    try:
        with transaction.atomic():
            application.save(force_insert=True)
            return application
    except IntegrityError:
        # A second channel created the draft at the same moment: continue that one.
        return Application.objects.get(person=person, state=State.DRAFT)


_UNREAD = object()


def application_draft_for_form(
    *, person: Person, actor: Actor, reason: str = "purchase", draft: Application | object | None = _UNREAD
) -> Application:
    """What a page showing ``reason``'s empty form renders: the member's draft as
    ``application_start`` gives it, except that a member without a draft gets one not yet stored
    (``pk`` None). Opening a form stores nothing: the row is created when the member first saves
    something (``application_start``), so browsing the 提取 pages costs no write and leaves no
    empty drafts behind. ``draft``: the member's draft (or None) when the caller has just read it."""
    try:
        reason_entry = reason_for(reason)
    except UnknownReason as exc:
        raise ApplicationError(str(exc), field="reason") from None
    account = getattr(person, "account", None)
    if account is None:
        raise ApplicationError("未查询到您在本中心的住房公积金账户，不能办理提取业务")
    national_code = reason_entry.national_code(active_policy())
    existing = (
        Application.objects.filter(person=person, state=State.DRAFT).first() if draft is _UNREAD else draft
    )
    if isinstance(existing, Application):
        if existing.reason != reason:
            return _draft_reason_change(existing, reason=reason, national_code=national_code, actor=actor)
        return existing
    return Application(
        person=person, account=account, channel=actor.channel, reason=reason, reason_code=national_code
    )


def _draft_reason_change(
    application: Application, *, reason: str, national_code: str, actor: Actor
) -> Application:
    require_owner(application, actor)
    with transaction.atomic():
        locked = application_locked(application)
        require_editable(locked)
        if locked.state != State.DRAFT or locked.reason == reason:
            return locked
        locked.reason, locked.reason_code = reason, national_code
        locked.amount_fen = None
        house_lookup_clear(locked)
        # The 承诺书 accepted was another reason's text: the member reads and accepts this one.
        locked.declaration_version, locked.declaration_accepted_at = "", None
        locked.save(
            update_fields=[
                "reason",
                "reason_code",
                "amount_fen",
                "declaration_version",
                "declaration_accepted_at",
                *HOUSE_FIELDS,
                "updated_at",
            ]
        )
    return locked


def application_lookup_house(
    *, application: Application, lookup_field: str, key: str, actor: Actor
) -> HouseLookup:
    """Echo the house from the registry and keep the snapshot with where and when it was looked up."""
    require_owner(application, actor)
    require_editable(application)
    if reason_for(application.reason).subject != SUBJECT_HOUSE:
        raise ApplicationError("本申请的提取原因不涉及房屋，无需查询房屋信息", field=lookup_field)
    key = house_key_clean(key)
    if lookup_field not in LOOKUP_FIELDS:
        raise ApplicationError("请选择按备案合同号或房证新档案号查询", field="lookup_field")
    if not key:
        label = "备案合同号" if lookup_field == "contract_no" else "房证新档案号"
        raise ApplicationError(f"请填写{label}", field=lookup_field)
    problem = house_key_problem(lookup_field, key)
    if problem:
        raise ApplicationError(problem, field=lookup_field)
    person = application.person
    lookup = house_lookup(person=person, id_number=person.id_number, lookup_field=lookup_field, key=key)
    if lookup.unavailable:
        raise OutsideSystemDidNotAnswer("房屋信息系统暂时无法访问，请稍后再试", field=lookup_field)
    with transaction.atomic():
        locked = application_locked(application)
        require_editable(locked)
        house_lookup_keep(locked, lookup)
        locked.save(update_fields=[*HOUSE_FIELDS, "updated_at"])
    application.refresh_from_db()
    return lookup


HOUSE_FIELDS = (
    "lookup_field",
    "house_key",
    "house_snapshot",
    "house_source",
    "house_looked_up_at",
    "relation",
)


def house_lookup_clear(application: Application) -> None:
    """No house on the row (a reason whose subject is not a house; the caller saves HOUSE_FIELDS)."""
    application.lookup_field = application.house_key = application.house_source = application.relation = ""
    application.house_snapshot = application.house_looked_up_at = None


def house_lookup_keep(application: Application, lookup: HouseLookup) -> None:
    """The registry's answer on the row (the caller saves the fields)."""
    application.lookup_field = lookup.lookup_field
    application.house_key = lookup.key
    application.house_snapshot = lookup.record.to_snapshot() if lookup.record else None
    application.house_source = f"住房信息系统 {settings.GJJ_REGISTRY_URL}"
    application.house_looked_up_at = lookup.looked_up_at
    application.relation = lookup.relation or ""


def application_update_draft(
    *,
    application: Application,
    actor: Actor,
    bank: str | None = None,
    card_no: str | None = None,
    amount_fen: int | None = None,
    clear_amount: bool = False,
) -> Application:
    """Keep what the member typed (no checks yet: they run on 提交申请), read as every channel reads
    it (gjj.withdrawals.inputs)."""
    require_owner(application, actor)
    card_no = None if card_no is None else card_number_clean(card_no)
    problem = card_length_problem(card_no, active_policy()) if card_no else None
    if problem:
        raise ApplicationError(problem, field="card_no")
    with transaction.atomic():
        locked = application_locked(application)
        require_editable(locked)
        fields = ["updated_at"]
        if bank is not None:
            locked.bank = bank_code_clean(bank)
            fields.append("bank")
        if card_no is not None:
            locked.card_no = card_no
            fields.append("card_no")
        if amount_fen is not None or clear_amount:
            if amount_fen is not None and amount_fen <= 0:
                raise ApplicationError(AMOUNT_NOT_POSITIVE, field="amount")
            locked.amount_fen = amount_fen
            fields.append("amount_fen")
        locked.save(update_fields=fields)
    return locked


def application_accept_declaration(
    *, application: Application, actor: Actor, version: str, client_ip: str | None, user_agent: str
) -> Application:
    """The 承诺书 of the application's reason, by the version the member read; checked under the
    lock, as the reason may have changed in another tab since the page was shown."""
    require_owner(application, actor)
    policy = active_policy()
    with transaction.atomic():
        locked = application_locked(application)
        require_editable(locked)
        if version != declaration_for(policy, locked.reason).version:
            raise ApplicationError("承诺书已更新，请重新阅读后再确认", field="declaration")
        locked.declaration_version = version
        locked.declaration_accepted_at = timezone.now()
        locked.declaration_client_ip = client_ip
        locked.declaration_user_agent = (user_agent or "")[:300]
        locked.save(
            update_fields=[
                "declaration_version",
                "declaration_accepted_at",
                "declaration_client_ip",
                "declaration_user_agent",
                "updated_at",
            ]
        )
    return locked


def application_cancel(*, application: Application, actor: Actor, reason: str = "申请人撤回") -> Application:
    require_owner(application, actor)
    with transaction.atomic():
        locked = application_locked(application)
        if locked.state == State.CANCELLED:
            return locked
        if locked.state not in CANCELLABLE_STATES:
            raise ApplicationError(
                f"申请当前状态为“{locked.get_state_display()}”，已进入审核或支付，不能撤回"
            )
        application_transition(application=locked, to_state=State.CANCELLED, actor=actor, reason=reason)
    return locked
