"""The housing registry's HTTP interface: look a house up by one of its two numbers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from gjj.core.money import fen_to_yuan
from sims.control.faults import fault_injected
from sims.control.models import Operation, SimulatedSystem
from sims.jsonapi import BadRequest, api_view, json_response, not_found
from sims.registry.models import House
from sims.registry.selectors import house_by_number


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
