"""Personal numbers at rest: AES-SIV with the column as associated data, equality lookups through
the ORM, key ids for rotation, and `gjj rotate-keys`."""

from __future__ import annotations

import base64
import io
import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from gjj.core.encrypted import (
    DecryptionFailed,
    decrypt,
    encrypt,
    encrypted_fields,
    is_encrypted,
    key_id_of,
    key_ring_parse,
)
from gjj.members.models import Person

ID_NUMBER = "210102196204180133"


def _key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(64)).decode()}"


def test_a_value_round_trips_and_shows_nothing_of_itself() -> None:
    ring = key_ring_parse(_key("k1"))
    stored = encrypt(ID_NUMBER, context="members.person.id_number", ring=ring)

    assert is_encrypted(stored) and key_id_of(stored) == "k1"
    assert "2101" not in stored and "0133" not in stored
    assert decrypt(stored, context="members.person.id_number", ring=ring) == ID_NUMBER


def test_the_same_number_gives_the_same_value_so_the_database_can_compare() -> None:
    ring = key_ring_parse(_key("k1"))
    first = encrypt(ID_NUMBER, context="members.person.id_number", ring=ring)
    assert encrypt(ID_NUMBER, context="members.person.id_number", ring=ring) == first
    assert encrypt("210102196204180141", context="members.person.id_number", ring=ring) != first


def test_a_value_moved_to_another_column_or_changed_does_not_decrypt() -> None:
    ring = key_ring_parse(_key("k1"))
    stored = encrypt(ID_NUMBER, context="members.person.id_number", ring=ring)

    with pytest.raises(DecryptionFailed):
        decrypt(stored, context="withdrawals.payout.card_no", ring=ring)
    tampered = stored[:-4] + ("AAAA" if stored[-4:] != "AAAA" else "BBBB")
    with pytest.raises(DecryptionFailed):
        decrypt(tampered, context="members.person.id_number", ring=ring)
    with pytest.raises(DecryptionFailed):
        decrypt(stored, context="members.person.id_number", ring=key_ring_parse(_key("k2")))


@pytest.mark.parametrize(
    "text", ["", "k1", "k1:notbase64!", "k1:" + base64.b64encode(b"short").decode(), "k-1:" + "A" * 88]
)
def test_a_bad_key_list_is_refused_at_start_up(text) -> None:
    with pytest.raises(ImproperlyConfigured):
        key_ring_parse(text)


@pytest.mark.django_db
def test_the_orm_stores_ciphertext_and_finds_people_by_their_number() -> None:
    person = Person.objects.create(id_number=ID_NUMBER, name="刘国庆", phone="13904011962")

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_person WHERE id = %s", [person.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert stored_id.startswith("e1.") and ID_NUMBER not in stored_id
    assert stored_phone.startswith("e1.") and "13904011962" not in stored_phone
    assert Person.objects.get(id_number=ID_NUMBER) == person
    assert list(Person.objects.filter(id_number__in=[ID_NUMBER, "x"])) == [person]
    assert Person.objects.get(pk=person.pk).phone == "13904011962"


@pytest.mark.django_db
def test_rotation_rewrites_every_value_under_the_new_key(settings) -> None:
    old = settings.FIELD_ENCRYPTION_KEYS
    person = Person.objects.create(id_number=ID_NUMBER, name="刘国庆", phone="13904011962")
    settings.FIELD_ENCRYPTION_KEYS = f"{_key('k2027')},{old}"
    # Under the new key list the old values still read; lookups use the current key, so rotate first.
    assert Person.objects.get(pk=person.pk).id_number == ID_NUMBER

    out = io.StringIO()
    call_command("rotate_keys", stdout=out)

    assert "members.person.id_number：重新加密 1 条" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM members_person")
        assert {key_id_of(value) for (value,) in cursor.fetchall()} == {"k2027"}
    assert Person.objects.get(id_number=ID_NUMBER) == person
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS.split(",")[0]  # the old key dropped
    assert Person.objects.get(id_number=ID_NUMBER).phone == "13904011962"


def test_the_encrypted_columns_are_the_personal_numbers() -> None:
    columns = {field.context for _model, field in encrypted_fields()}
    assert columns == {
        "members.person.id_number",
        "members.person.phone",
        "withdrawals.application.card_no",
        "withdrawals.payout.card_no",
        "withdrawals.notification.phone",
    }
