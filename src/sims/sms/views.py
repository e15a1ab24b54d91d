"""The SMS gateway's HTTP interface: send a message, and list what was sent (the outbox is a fixed
contract that tests outside the code rely on: DESIGN.md)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from sims.control.faults import fault_injected
from sims.control.models import Operation, SimulatedSystem
from sims.jsonapi import BadRequest, api_view, json_body, json_response, required_str
from sims.sms.selectors import outbox
from sims.sms.services import sms_send

_PHONE = re.compile(r"^\+?\d{5,19}$")
_OUTBOX_MAX = 1000


@api_view(methods=["POST"])
@fault_injected(system=SimulatedSystem.SMS, operation=Operation.SEND)
def send(request: HttpRequest) -> HttpResponse:
    payload = json_body(request)
    phone = required_str(payload, "phone", max_length=20)
    if not _PHONE.match(phone):
        raise BadRequest("phone 应为手机号码")
    message = sms_send(phone=phone, text=required_str(payload, "text", max_length=1000))
    return json_response({"message_id": message.message_id})


@api_view(methods=["GET"])
def outbox_list(request: HttpRequest) -> HttpResponse:
    phone = request.GET.get("phone", "").strip() or None
    try:
        limit = min(int(request.GET.get("limit", "200")), _OUTBOX_MAX)
    except ValueError as exc:
        raise BadRequest("limit 应为整数") from exc
    return json_response(
        [
            {
                "phone": message.phone,
                "text": message.text,
                "sent_at": timezone.localtime(message.sent_at).isoformat(),
            }
            for message in outbox(phone=phone, limit=max(limit, 0))
        ]
    )
