"""One id per request, on every log line the request causes: in the hall, in the tasks it enqueues
(gjj.core.task_queue) and in the outside systems it calls (the ``X-Request-ID`` header of
gjj.clients.base), so that one grep follows a member's request across processes.

The public nginx sends its own ``$request_id`` (32 hex digits) and logs it too; a request that
comes without one, or with something that is not a plain token, gets a fresh id here.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# What a log line shows when no request or task is under way (start-up, management commands).
NO_REQUEST_ID = "-"

# Letters, digits and dashes only: the id is written into log lines and headers as it came, so
# nothing that could forge a line, a field or a header may pass.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("gjj_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def is_safe_request_id(value: str | None) -> bool:
    return bool(value) and _SAFE_REQUEST_ID.fullmatch(value or "") is not None


def current_request_id() -> str | None:
    """The id of the request (or task) this code runs for, or None outside of one."""
    return _current.get()


@contextmanager
def request_id_scope(*, request_id: str) -> Iterator[str]:
    """Run a block under ``request_id``; the previous id (usually none) comes back afterwards, so a
    worker thread never carries one task's id into the next."""
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that every other middleware's log lines carry the id too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER)
        request_id = offered if offered and is_safe_request_id(offered) else new_request_id()
        # Also on the request: Django logs a 4xx or 5xx answer ("django.request") after the
        # middleware have returned, with the request on the record.
        request.request_id = request_id  # type: ignore[attr-defined]
        with request_id_scope(request_id=request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (``-`` outside of a request or task), for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _current.get() or getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id if isinstance(request_id, str) else NO_REQUEST_ID
        return True
