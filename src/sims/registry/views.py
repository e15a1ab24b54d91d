"""The housing registry's HTTP interface.

- ``GET /registry/houses?contract_no=X`` or ``?archive_no=Y``: the house with this 备案合同号 or
  房证新档案号 (exactly one of them), 200 with the house, or 404 ``{"error": "not_found"}``.
  Fault injection: ``registry`` / ``lookup``.
- ``POST /registry/houses/by-buyer`` ``{"id_number": "<18-char 身份证号>"}``: the houses of this
  person — every house, valid or cancelled (已撤销备案), with the number among its buyers — as
  200 ``{"houses": [house, ...]}`` in the order they were registered; an empty list when the
  person owns none. The number travels in the body, as the bank's card check does, never in a
  URL (which access logs keep). A malformed number is 400 ``{"error": "bad_request"}``.
  Fault injection: ``registry`` / ``buyer_houses``.

A house is ``{"contract_no", "archive_no", "kind": "new" | "resale", "address", "area_m2":
"98.60", "total_price": "980000.00", "filed_on", "registered_on", "status": "valid" |
"cancelled", "buyers": [{"id_number", "name"}, ...]}`` with the buyers in contract order.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse

from gjj.core.money import fen_to_yuan
from sims.control.faults import fault_injected
from sims.control.models import Operation, SimulatedSystem
from sims.jsonapi import BadRequest, api_view, json_body, json_response, not_found, required_str
from sims.registry.models import House
from sims.registry.selectors import house_by_number, houses_of_buyer

_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")


@api_view(methods=["GET"])
@fault_injected(system=SimulatedSystem.REGISTRY, operation=Operation.LOOKUP)
def house_lookup(request: HttpRequest) -> HttpResponse:
    contract_no = request.GET.get("contract_no", "").strip() or None
    archive_no = request.GET.get("archive_no", "").strip() or None
    if (contract_no is None) == (archive_no is None):
        raise BadRequest("请给出 contract_no（备案合同号）或 archive_no（房证新档案号）之一")
    house = house_by_number(contract_no=contract_no, archive_no=archive_no)
    if house is None:
        return not_found()
    return json_response(_house_payload(house))


@api_view(methods=["POST"])
@fault_injected(system=SimulatedSystem.REGISTRY, operation=Operation.BUYER_HOUSES)
def houses_by_buyer(request: HttpRequest) -> HttpResponse:
    id_number = required_str(json_body(request), "id_number", max_length=18).upper()
    if not _ID_NUMBER.match(id_number):
        raise BadRequest("id_number 应为 18 位身份证号（前 17 位为数字，末位为数字或 X）")
    return json_response(
        {"houses": [_house_payload(house) for house in houses_of_buyer(id_number=id_number)]}
    )


def _house_payload(house: House) -> dict:
    return {
        "contract_no": house.contract_no,
        "archive_no": house.archive_no,
        "kind": house.kind,
        "address": house.address,
        "area_m2": f"{house.area_m2:.2f}",
        "total_price": fen_to_yuan(house.total_price_fen),
        "filed_on": house.filed_on.isoformat() if house.filed_on else None,
        "registered_on": house.registered_on.isoformat() if house.registered_on else None,
        "status": house.status,
        "buyers": [{"id_number": buyer.id_number, "name": buyer.name} for buyer in house.buyers.all()],
    }
