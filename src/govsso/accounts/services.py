"""Writes to natural-person accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from govsso.accounts.models import NaturalPerson

BATCH_SIZE = 1000


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
