"""entry_hash: deterministic, and any change of any hashed field (or of the previous hash) changes it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gjj.audit.hashing import GENESIS_HASH, HASHED_FIELDS, entry_hash

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
# Hypothesis takes naive bounds and attaches the zone itself.
moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
field_values = {
    "seq": st.integers(min_value=1, max_value=2**62),
    "at": moments,
    "actor_id": st.none() | st.integers(min_value=1, max_value=10**9),
    "actor_label": st.text(max_size=20),
    "action": st.text(max_size=20),
    "target_type": st.text(max_size=10),
    "target_id": st.text(max_size=20),
    "summary": st.text(max_size=40),
    "ip": st.none() | st.ip_addresses().map(str),
    "user_agent": st.text(max_size=30),
    "details": st.dictionaries(st.text(max_size=4), json_values, max_size=3),
}
entries = st.fixed_dictionaries(field_values)
prev_hashes = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


@given(fields=entries, prev_hash=prev_hashes)
def test_the_hash_is_deterministic_and_key_order_free(fields, prev_hash):
    first = entry_hash(prev_hash=prev_hash, fields=fields)
    reordered = dict(reversed(list(fields.items())))
    assert entry_hash(prev_hash=prev_hash, fields=reordered) == first
    assert re.fullmatch(r"[0-9a-f]{64}", first)


@given(fields=entries, prev_hash=prev_hashes, name=st.sampled_from(HASHED_FIELDS), data=st.data())
def test_any_change_of_any_field_changes_the_hash(fields, prev_hash, name, data):
    changed = data.draw(field_values[name].filter(lambda value: value != fields[name]), label=name)
    assert entry_hash(prev_hash=prev_hash, fields={**fields, name: changed}) != entry_hash(
        prev_hash=prev_hash, fields=fields
    )


@given(fields=entries, prev_hash=prev_hashes, other=prev_hashes)
def test_a_different_previous_hash_changes_the_hash(fields, prev_hash, other):
    if other == prev_hash:
        return
    assert entry_hash(prev_hash=prev_hash, fields=fields) != entry_hash(prev_hash=other, fields=fields)


def test_time_is_hashed_in_utc_so_the_same_moment_in_shanghai_agrees():
    fields = {name: "" for name in HASHED_FIELDS} | {"seq": 1, "actor_id": None, "ip": None, "details": {}}
    utc = dt.datetime(2026, 11, 27, 1, 2, 3, tzinfo=dt.UTC)
    shanghai = utc.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert entry_hash(prev_hash=GENESIS_HASH, fields=fields | {"at": utc}) == entry_hash(
        prev_hash=GENESIS_HASH, fields=fields | {"at": "2026-11-27T01:02:03.000000+00:00"}
    )
    assert entry_hash(prev_hash=GENESIS_HASH, fields=fields | {"at": shanghai}) == entry_hash(
        prev_hash=GENESIS_HASH, fields=fields | {"at": utc}
    )


def test_a_known_entry_has_a_known_hash():
    # Pins the canonical form: a change of it would silently fail every stored chain.
    fields = {
        "seq": 1,
        "at": dt.datetime(2026, 11, 27, 1, 2, 3, 456, tzinfo=dt.UTC),
        "actor_id": 7,
        "actor_label": "张初审（chushen）",
        "action": "case_view",
        "target_type": "application",
        "target_id": "TQ20261127000001",
        "summary": "查看提取申请 TQ20261127000001",
        "ip": "10.0.0.7",
        "user_agent": "Mozilla/5.0",
        "details": {"b": 1, "a": [1, "二"]},
    }
    import hashlib
    import json

    canonical = json.dumps(
        {**fields, "at": "2026-11-27T01:02:03.000456+00:00", "prev_hash": GENESIS_HASH},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert '"summary":"查看提取申请 TQ20261127000001"' in canonical
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert entry_hash(prev_hash=GENESIS_HASH, fields=fields) == expected


def test_a_missing_field_or_a_naive_time_is_an_error():
    fields = {name: "" for name in HASHED_FIELDS}
    with pytest.raises(KeyError):
        entry_hash(prev_hash=GENESIS_HASH, fields={k: v for k, v in fields.items() if k != "summary"})
    with pytest.raises(ValueError, match="时区"):
        entry_hash(prev_hash=GENESIS_HASH, fields=fields | {"at": dt.datetime(2026, 1, 1)})  # noqa: DTZ001
