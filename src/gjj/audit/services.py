"""Writes of the audit log: appending one entry to the hash chain."""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from gjj.audit.hashing import GENESIS_HASH, entry_hash
from gjj.audit.models import AuditEntry, AuditHead
from gjj.core.masking import mask_text
from gjj.core.origin import origin_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

SYSTEM_LABEL = "系统"


def actor_label_for(user: User | AbstractBaseUser) -> str:
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""  # type: ignore[union-attr]
    username = user.get_username()
    return f"{name}（{username}）" if name else username


def _ip_clean(value: str | None) -> str | None:
    """The form the database gives back, so that the hash computed now matches the stored row
    (PostgreSQL's inet and Django both normalise IPv6). Not an address at all: not recorded."""
    if not value:
        return None
    value = value.strip()
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6:
        return clean_ipv6_address(value)
    return str(address)


def _masked(value: Any) -> Any:
    """Personal data masked in every string of ``details``, whatever the caller put there."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {str(key): _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _details_clean(details: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so that what is hashed is exactly what the JSON column gives back
    # (dates become strings, tuples lists, keys strings).
    plain = json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder, ensure_ascii=False))
    masked: dict[str, Any] = _masked(plain)
    return masked


def audit_record(
    *,
    action: str,
    summary: str,
    actor: User | AbstractBaseUser | None = None,
    actor_label: str = "",
    target_type: str = "",
    target_id: str = "",
    ip: str | None = None,
    user_agent: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Runs in its own atomic block: inside a caller's transaction the entry
    commits or rolls back together with the action it records, and the head's row lock is held
    until then, so that concurrent appends form one chain."""
    if not actor_label:
        actor_label = actor_label_for(actor) if actor is not None else SYSTEM_LABEL
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
        )
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            actor_label=actor_label[:100],
            action=action,
            target_type=target_type[:32],
            target_id=target_id[:64],
            summary=mask_text(summary)[:500],
            ip=_ip_clean(ip),
            user_agent=user_agent[:300],
            details=_details_clean(details),
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(prev_hash=entry.prev_hash, fields=entry.hashed_fields())
        entry.save()
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


def request_origin(request: HttpRequest) -> tuple[str | None, str]:
    """(ip, user agent) of a request (see gjj.core.origin: X-Forwarded-For only behind the centre's proxy)."""
    origin = origin_of(request)
    return _ip_clean(origin.ip), origin.user_agent


def audit_record_request(
    request: HttpRequest,
    *,
    action: str,
    summary: str,
    target_type: str = "",
    target_id: str = "",
    details: dict[str, Any] | None = None,
    actor: User | AbstractBaseUser | None = None,
) -> AuditEntry:
    if actor is None:
        user: User | AbstractBaseUser | AnonymousUser | None = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user  # type: ignore[assignment]
    ip, user_agent = request_origin(request)
    return audit_record(
        action=action,
        summary=summary,
        actor=actor,
        target_type=target_type,
        target_id=target_id,
        ip=ip,
        user_agent=user_agent,
        details=details,
    )
