"""Applying fault rules to the simulated systems' views.

``fault_injected`` wraps a view of one operation; for each call it asks ``fault_take`` whether a
fault hits, and misbehaves accordingly:

- ``error``: HTTP 500 with a JSON body; the operation is not executed.
- ``slow``: wait ``delay_ms``, then execute and answer normally.
- ``timeout``: execute, then wait ``delay_ms`` (meant to be longer than the caller's timeout)
  before answering, so the caller gives up although the work was done.
- ``drop_response``: execute, then answer with a truncated, undecodable body, as when a reply
  is lost on the way back.
- ``duplicate``: the request arrives twice, as when the network retransmits it: the view runs
  twice on the same request and the caller gets the second answer. Whether the operation happens
  once or twice is the system's own doing (the bank dedupes transfers on the serial; an SMS is
  sent twice).
- ``processing``: left to the view (only the bank's pay uses it), see ``injected_fault``.
- ``mixed``: never seen here; ``fault_take`` draws one of the modes above for each hit call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from sims.control.models import FaultMode
from sims.control.services import FaultDecision, fault_take
from sims.jsonapi import json_error

_REQUEST_ATTRIBUTE = "sims_injected_fault"
_GARBLED_BODY = b'{"serial": "'


def injected_fault(request: HttpRequest) -> FaultDecision | None:
    """The fault that hit this request, for views that misbehave themselves (``processing``)."""
    return getattr(request, _REQUEST_ATTRIBUTE, None)


def fault_injected(
    *, system: str, operation: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            decision = fault_take(system=system, operation=operation)
            setattr(request, _REQUEST_ATTRIBUTE, decision)
            if decision is None or decision.mode == FaultMode.PROCESSING:
                return view(request, *args, **kwargs)
            if decision.mode == FaultMode.ERROR:
                return json_error(status=500, error="simulated_fault", message="模拟故障：系统内部错误")
            if decision.mode == FaultMode.REFUSE:
                return json_error(status=403, error="refused", message="模拟故障：收款账户状态异常，拒绝入账")
            if decision.mode == FaultMode.SLOW:
                time.sleep(decision.delay_ms / 1000)
                return view(request, *args, **kwargs)
            if decision.mode == FaultMode.DUPLICATE:
                # One after the other, each committed on its own, as two deliveries would be; the
                # body was read once and Django keeps it, so both see the same bytes.
                view(request, *args, **kwargs)
                return view(request, *args, **kwargs)
            response = view(request, *args, **kwargs)
            if decision.mode == FaultMode.TIMEOUT:
                time.sleep(decision.delay_ms / 1000)
                return response
            # drop_response: the work is done and committed, the caller cannot read the answer.
            return HttpResponse(_GARBLED_BODY, status=200, content_type="application/json; charset=utf-8")

        return wrapper

    return decorator
