"""Writes to natural-person accounts: registration, password recovery, and the dataset load."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction

from gjj.core.identity_numbers import id_number_problem
from gjj.core.masking import mask_id_number
from govsso.accounts.lockout import account_lockout_key
from govsso.accounts.models import NaturalPerson
from govsso.accounts.selectors import (
    natural_person_id_number_taken,
    natural_person_matching,
    natural_person_phone_taken,
)
from govsso.sms import SmsDeliveryFailed, sms_send
from govsso.verification.models import Purpose
from govsso.verification.services import (
    CodeWrong,
    verification_code_check,
    verification_code_issue,
    verification_code_use,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


class IdNumberTaken(Exception):
    """An account with this 身份证号 exists (the page says only "身份证被占用")."""


class PhoneTaken(Exception):
    """Another account uses this 手机号."""


PHONE_HAS_ACCOUNT_SMS = (
    "【辽宁政务服务网】有人使用您的手机号申请注册，但该手机号已注册政务服务网账户，未发送验证码。"
    "如是您本人，请直接登录或使用“忘记密码”；如非本人操作，请忽略本短信。"
)


def registration_code_request(*, phone: str) -> None:
    """Send a registration code to ``phone``. The answer is the same whether or not the number
    already has an account, so that nobody learns which numbers do: such a number gets no code
    but a notice (to its owner) instead, counted against the same limits. Raises the
    ``CodeRequestRefused`` rate limits or ``SmsDeliveryFailed``."""
    if natural_person_phone_taken(phone=phone):
        verification_code_issue(phone=phone, purpose=Purpose.REGISTRATION, deliver=False)
        sms_send(phone=phone, text=PHONE_HAS_ACCOUNT_SMS)
        return
    verification_code_issue(phone=phone, purpose=Purpose.REGISTRATION)


def natural_person_register(
    *, name: str, id_number: str, phone: str, password: str, verification_code: str
) -> NaturalPerson:
    """Create the account of a natural person who proved, with the SMS code, that ``phone`` is
    theirs. The code is checked before anything is said about the 身份证号, so that learning
    whether a number has an account takes a phone and its rate-limited codes.

    Raises ``CodeCheckFailed`` subclasses, ``IdNumberTaken``, ``PhoneTaken``, and
    ``django.core.exceptions.ValidationError`` for a password the rules refuse."""
    problem = id_number_problem(id_number)
    if problem:
        raise ValueError(problem)
    person = NaturalPerson(id_number=id_number, name=name, phone=phone)
    validate_password(password, user=person)
    code_id = verification_code_check(phone=phone, purpose=Purpose.REGISTRATION, code=verification_code)
    if natural_person_id_number_taken(id_number=id_number):
        raise IdNumberTaken()
    if natural_person_phone_taken(phone=phone):
        raise PhoneTaken()
    person.set_password(password)
    try:
        with transaction.atomic():
            verification_code_use(code_id=code_id)
            person.save()
    except IntegrityError as exc:
        # Someone registered the same number in the moment between the checks and the write.
        if natural_person_id_number_taken(id_number=id_number):
            raise IdNumberTaken() from exc
        raise PhoneTaken() from exc
    logger.info("自然人账户已注册：%s", mask_id_number(id_number))
    return person


def password_recovery_code_request(*, id_number: str, name: str, phone: str) -> None:
    """Send a recovery code to ``phone`` only if an account has exactly this 身份证号, 姓名 and
    手机号. Either way the request counts against the phone's limits and ends the same way (no
    exception but the rate limits'), so the answer does not tell whether the details matched. A
    gateway failure is logged, not reported, for the same reason; the member asks again."""
    person = natural_person_matching(id_number=id_number, name=name, phone=phone)
    try:
        verification_code_issue(phone=phone, purpose=Purpose.PASSWORD_RECOVERY, deliver=person is not None)
    except SmsDeliveryFailed:
        logger.error("找回密码验证码未能发出（%s）", mask_id_number(id_number))


def natural_person_password_reset(
    *, id_number: str, name: str, phone: str, verification_code: str, new_password: str
) -> NaturalPerson:
    """Set a new password for the account the recovery details name, with the code sent to its
    phone. The old password stops working, sessions signed in with it end (Django ties a session
    to the password hash), and a login lockout on the account is lifted: the member has just
    proved who they are.

    Raises ``CodeCheckFailed`` subclasses (also when the details match no account: no code was
    sent then) and ``django.core.exceptions.ValidationError`` for a refused password."""
    candidate = NaturalPerson(id_number=id_number, name=name, phone=phone)
    validate_password(new_password, user=candidate)
    code_id = verification_code_check(phone=phone, purpose=Purpose.PASSWORD_RECOVERY, code=verification_code)
    with transaction.atomic():
        person = natural_person_matching(id_number=id_number, name=name, phone=phone)
        if person is None:
            # The account changed since the code was sent.
            raise CodeWrong()
        verification_code_use(code_id=code_id)
        person.set_password(new_password)
        person.save(update_fields=["password"])
    axes_reset(username=account_lockout_key(person.id_number))
    logger.info("自然人账户已重设密码：%s", mask_id_number(person.id_number))
    return person


@dataclass(frozen=True)
class GovUserRow:
    """One ``gov_users`` item of a validated gjj-dataset/1 document."""

    id_number: str
    name: str
    phone: str
    password: str


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class GovUsersConflict(Exception):
    """The document contradicts accounts govsso already has; nothing was written."""


class _PasswordHashes:
    """Password hashing for a bulk load of demo accounts.

    PBKDF2 with Django's default iterations costs a good fraction of a second per call, so
    hashing 100,000 passwords one by one would take hours. The dataset's accounts are synthetic
    demo accounts that mostly share one password, so each distinct password is hashed once and
    the encoded hash (with its salt) is reused for every account that has it; likewise a stored
    hash is checked against a document password once per distinct pair. The cost of the shortcut
    — accounts with the same password share a salt — is acceptable only for demo data; accounts
    registered on the site get their own salt through ``set_password``.
    """

    def __init__(self) -> None:
        self._encoded: dict[str, str] = {}
        self._matches: dict[tuple[str, str], bool] = {}

    def encoded(self, password: str) -> str:
        if password not in self._encoded:
            self._encoded[password] = make_password(password)
        return self._encoded[password]

    def matches(self, password: str, encoded: str) -> bool:
        key = (password, encoded)
        if key not in self._matches:
            self._matches[key] = check_password(password, encoded)
        return self._matches[key]


@transaction.atomic
def natural_persons_load(*, rows: Sequence[GovUserRow]) -> LoadCounts:
    """Create or update one account per row, keyed by 身份证号; loading the same rows again
    changes nothing. An existing account keeps its password hash while the row's password still
    matches it, and keeps ``is_active`` and ``date_joined`` as they are."""
    counts = LoadCounts()
    existing = {person.id_number: person for person in NaturalPerson.objects.all()}
    _refuse_phone_taken(rows, existing)
    hashes = _PasswordHashes()
    to_create: list[NaturalPerson] = []
    to_update: list[NaturalPerson] = []
    for row in rows:
        person = existing.get(row.id_number)
        if person is None:
            to_create.append(
                NaturalPerson(
                    id_number=row.id_number,
                    name=row.name,
                    phone=row.phone,
                    password=hashes.encoded(row.password),
                )
            )
            continue
        changed = (person.name, person.phone) != (row.name, row.phone)
        if not person.has_usable_password() or not hashes.matches(row.password, person.password):
            person.password = hashes.encoded(row.password)
            changed = True
        if changed:
            person.name = row.name
            to_update.append(person)
        else:
            counts.unchanged += 1
    _phones_update(to_update, {row.id_number: row.phone for row in rows})
    NaturalPerson.objects.bulk_update(to_update, ["name", "password"], batch_size=BATCH_SIZE)
    NaturalPerson.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    counts.created, counts.updated = len(to_create), len(to_update)
    return counts


def _refuse_phone_taken(rows: Sequence[GovUserRow], existing: dict[str, NaturalPerson]) -> None:
    in_document = {row.id_number for row in rows}
    phones_outside = {
        person.phone: id_number for id_number, person in existing.items() if id_number not in in_document
    }
    taken = [row for row in rows if row.phone in phones_outside]
    if taken:
        listed = "、".join(f"{row.phone}（已属于 {phones_outside[row.phone]}）" for row in taken[:10])
        raise GovUsersConflict(f"手机号已被数据文件之外的账户使用：{listed}")


def _phones_update(people: list[NaturalPerson], wanted_phone: dict[str, str]) -> None:
    """Move phones in two steps: two accounts swapping numbers must never hold one number twice."""
    moving = [person for person in people if person.phone != wanted_phone[person.id_number]]
    if not moving:
        return
    for person in moving:
        person.phone = f"~{person.pk}"[:11]  # placeholder, unique by primary key
    NaturalPerson.objects.bulk_update(moving, ["phone"], batch_size=BATCH_SIZE)
    for person in moving:
        person.phone = wanted_phone[person.id_number]
    NaturalPerson.objects.bulk_update(moving, ["phone"], batch_size=BATCH_SIZE)
