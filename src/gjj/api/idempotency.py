"""``Idempotency-Key`` on every write of the JSON API.

The key's row (unique per member and key), the request's work and its answer are written in one
transaction. A repeat with the same request gets that answer again and changes nothing; the same key
with another request gets 422. A repeat that arrives while the first is still running waits until
the first commits (on PostgreSQL on the row's unique index, on the embedded SQLite on the database's
write lock), then gets its answer. A process killed in the middle of a request (a crashed instance,
a deploy) leaves neither the work nor the row behind, so the app's retry with the same key runs the
request again instead of waiting for an answer that never comes. An answer of 500 or more keeps
nothing either (with a key or without): the same request may simply be sent again.

The price: the outside calls a request makes (the registry's echo, the bank's card check) happen
inside that transaction, so the rows it locked (the member's own application) stay locked until
they answer or time out — on SQLite, the whole database, which is why production runs PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.http.request import RawPostDataException

from gjj.api.models import IdempotencyRecord
from gjj.members.models import Person

HEADER = "Idempotency-Key"

Result = tuple[int, dict[str, Any]]


def request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(b"\0" + request.path.encode() + b"\0")
    try:
        digest.update(request.body)
    except RawPostDataException:
        # A multipart body already read by the parser: hash its fields and files' contents.
        for name in sorted(request.POST):
            digest.update(json.dumps([name, request.POST.getlist(name)], ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                upload.seek(0)
                file_digest = hashlib.sha256(upload.read()).hexdigest()
                upload.seek(0)
                digest.update(json.dumps([name, upload.name, file_digest]).encode())
    return digest.hexdigest()


def _reused() -> JsonResponse:
    return _json(
        422,
        {
            "code": "idempotency_key_reused",
            "message": "该 Idempotency-Key 已用于另一个请求，请为新的请求使用新的键",
        },
    )


def _replay(record: IdempotencyRecord) -> JsonResponse:
    response = _json(record.response_status or 200, record.response_body)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request: HttpRequest, person: Person, run: Callable[[], Result]) -> JsonResponse:
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        with transaction.atomic():
            status, body = _kept_unless_failed(run)
        return _json(status, body)
    if len(key) > 200:
        return _json(
            400, {"code": "invalid_idempotency_key", "message": "Idempotency-Key 不能超过 200 个字符"}
        )
    fingerprint = request_hash(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    person=person,
                    key=key,
                    method=request.method or "",
                    path=request.path[:300],
                    request_hash=fingerprint,
                )
        except IntegrityError:
            record = None
        if record is not None:
            status, body = _kept_unless_failed(run)
            if status < 500:
                record.response_status, record.response_body = status, body
                record.save(update_fields=["response_status", "response_body"])
    if record is None:
        return _existing(person=person, key=key, fingerprint=fingerprint)
    return _json(status, body)


def _json(status: int, body: Any) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _kept_unless_failed(run: Callable[[], Result]) -> Result:
    """In the caller's transaction: the work of ``run``, rolled back (and with a key, the key's row
    too: it may be used again) when it answers 500 or more."""
    status, body = run()
    if status >= 500:
        transaction.set_rollback(True)
    return status, body


def _existing(*, person: Person, key: str, fingerprint: str) -> JsonResponse:
    """The key's row, committed with its answer by the request that used the key first."""
    record = IdempotencyRecord.objects.filter(person=person, key=key).first()
    if record is not None and record.request_hash != fingerprint:
        return _reused()
    if record is not None and record.response_status is not None:
        return _replay(record)
    # Only a row written before answers were committed with their rows can be without one.
    return _json(409, {"code": "idempotency_in_progress", "message": "相同的请求正在处理中，请稍后重试"})
