"""Personal numbers (身份证号, phone numbers, card numbers) encrypted at rest.

Each value is stored as ``e1.<key id>.<AES-SIV ciphertext, base64url>``: authenticated encryption
(RFC 5297, AES-256-SIV from the ``cryptography`` package) with the column's identity as associated
data, so that a value copied into another column does not decrypt. SIV is deterministic: the same
number under the same key gives the same ciphertext, which is what lets the database compare for
equality — ``Person.objects.get(id_number=...)``, unique constraints, ``__in`` — without ever seeing
the number. (Its synthetic IV is a keyed PRF of the plaintext: the database learns which rows are
equal and nothing else, exactly what a keyed-hash lookup column would tell it.) Partial matches
(``startswith``, ``contains``) are impossible by design.

Keys come from the environment: ``GJJ_FIELD_KEYS`` (govsso: ``GOVSSO_FIELD_KEYS``) is a comma-
separated list of ``<key id>:<base64 of 64 bytes>``, the first one current. Values written under an
older key still decrypt; ``gjj rotate-keys`` rewrites them under the current one, after which the
old key can be dropped. Equality lookups use the current key only: rotate before relying on them.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "e1."
KEY_BYTES = 64


class DecryptionFailed(Exception):
    """A stored value that does not decrypt: an unknown key id, or a changed or moved value."""


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, AESSIV]


def key_ring_parse(text: str) -> KeyRing:
    keys: dict[str, AESSIV] = {}
    order: list[str] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        key_id, _, encoded = entry.partition(":")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(f"字段加密密钥 {key_id!r} 不是有效的 base64") from exc
        if not key_id or not key_id.isalnum() or len(raw) != KEY_BYTES:
            raise ImproperlyConfigured(f"字段加密密钥 {key_id!r} 应为“字母数字编号:64 字节密钥的 base64”")
        keys[key_id] = AESSIV(raw)
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured("没有配置字段加密密钥")
    return KeyRing(current_id=order[0], keys=keys)


@cache
def _ring(text: str) -> KeyRing:
    return key_ring_parse(text)


def key_ring() -> KeyRing:
    return _ring(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(value: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    sealed = ring.keys[ring.current_id].encrypt(value.encode(), [context.encode()])
    return f"{PREFIX}{ring.current_id}.{base64.urlsafe_b64encode(sealed).decode()}"


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def key_id_of(stored: str) -> str:
    return stored[len(PREFIX) :].split(".", 1)[0]


def decrypt(stored: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    try:
        key_id, encoded = stored[len(PREFIX) :].split(".", 1)
        key = ring.keys[key_id]
        return key.decrypt(base64.urlsafe_b64decode(encoded), [context.encode()]).decode()
    except (ValueError, KeyError, InvalidTag, binascii.Error) as exc:
        raise DecryptionFailed(f"{context} 的加密值无法解密（密钥编号或内容不符）") from exc


def stored_length(plaintext_max_length: int) -> int:
    """Room for the prefix, a key id of up to 16 characters and the base64 of plaintext + 16."""
    return len(PREFIX) + 16 + 1 + 4 * ((plaintext_max_length * 3 + 16 + 2) // 3)


class EncryptedCharField(models.CharField):
    """A CharField whose non-empty values are stored encrypted (see the module). ``max_length`` is
    the plaintext's; the column is sized for the ciphertext."""

    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        self.plaintext_max_length = max_length
        kwargs["max_length"] = stored_length(max_length)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_length"] = self.plaintext_max_length
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or is_encrypted(value):
            return value
        return encrypt(value, context=self.context)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "" or not is_encrypted(value):
            return value
        return decrypt(value, context=self.context)


def encrypted_fields() -> Iterable[tuple[type[models.Model], EncryptedCharField]]:
    from django.apps import apps

    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedCharField):
                yield model, model_field


def encrypt_columns_operation(*columns: tuple[str, str, str]) -> Any:
    """A migration operation encrypting, in place, what ``(table, column, context)`` columns still
    hold in clear (their fields having just become EncryptedCharField)."""
    from django.db import migrations

    def encrypt_rows(apps: Any, schema_editor: Any) -> None:
        for table, column, context in columns:
            encrypt_existing_rows(schema_editor, table=table, column=column, context=context)

    return migrations.RunPython(encrypt_rows, migrations.RunPython.noop)


def _column_rewrite(cursor: Any, *, table: str, pk: str, column: str, context: str, ring: KeyRing) -> int:
    """Bring every value of ``table.column`` to the current key: encrypt what is still in clear,
    re-encrypt what an older key sealed. Raw SQL: a migration's historical model would try to
    decrypt. Returns how many values were rewritten."""
    quote = cursor.db.ops.quote_name
    cursor.execute(f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)}")  # noqa: S608 - names, not input
    stale = [
        (row_id, value)
        for row_id, value in cursor.fetchall()
        if value and (not is_encrypted(value) or key_id_of(value) != ring.current_id)
    ]
    for row_id, value in stale:
        plain = decrypt(value, context=context, ring=ring) if is_encrypted(value) else value
        cursor.execute(
            f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s",  # noqa: S608
            [encrypt(plain, context=context, ring=ring), row_id],
        )
    return len(stale)


def encrypt_existing_rows(schema_editor: Any, *, table: str, column: str, context: str) -> int:
    """For a migration: encrypt, in place, the values of ``table.column`` still in clear."""
    with schema_editor.connection.cursor() as cursor:
        return _column_rewrite(cursor, table=table, pk="id", column=column, context=context, ring=key_ring())


def encrypted_values_rotate() -> dict[str, int]:
    """Rewrite every encrypted value not under the current key with the current key, in one
    transaction; how many per column. Run after putting a new key first in the key list."""
    from django.db import connection, transaction

    ring = key_ring()
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model, model_field in encrypted_fields():
            counts[model_field.context] = _column_rewrite(
                cursor,
                table=model._meta.db_table,
                pk=str(model._meta.pk.column) if model._meta.pk else "id",
                column=str(model_field.column),
                context=model_field.context,
                ring=ring,
            )
    return counts
