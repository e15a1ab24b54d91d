"""The housing registry (住房信息系统): houses by 备案合同号 (new) or 房证新档案号 (resale), and the
houses of a person.

Protocol (JSON over HTTP under ``GJJ_REGISTRY_URL``):

- ``GET /houses?contract_no=X`` or ``?archive_no=Y`` answers 200 with the house, or 404
  ``{"error": "not_found"}``.
- ``POST /houses/by-buyer`` ``{"id_number"}`` answers 200 ``{"houses": [house, ...]}``: every
  house, valid or cancelled, with this person among its buyers (an empty list when there is
  none). The number goes in the body, never in a URL.

A house is ``{"contract_no", "archive_no", "kind", "address", "area_m2", "total_price" (元),
"filed_on", "registered_on", "status", "buyers": [{"id_number", "name"}]}``.

"The registry could not say" is never "no such house" nor "owns no house": a request that never
reached the registry, a timeout, an error status, or an answer that does not follow the protocol
(a house in a person's list that does not name that person among its buyers, say) raises
``RegistryUnavailable``, and the caller decides nothing from it. ``None`` from ``find_house`` and
``[]`` from ``houses_of`` are only ever the registry's own answers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from gjj.clients.base import (
    JsonHttpClient,
    OutsideSystemUnavailable,
    TransportFailure,
    default_timeout,
    protocol_mismatch,
)
from gjj.core.masking import mask_id_number
from gjj.core.money import MoneyFormatError, fen_to_yuan, yuan_to_fen

HOUSE_KINDS = frozenset({"new", "resale"})
HOUSE_STATUSES = frozenset({"valid", "cancelled"})
_AREA = re.compile(r"^\d{1,8}(\.\d{1,2})?$")


class RegistryUnavailable(OutsideSystemUnavailable):
    system_label = "住房信息系统"


@dataclass(frozen=True)
class Buyer:
    id_number: str
    name: str


@dataclass(frozen=True)
class HouseRecord:
    """A house as the registry describes it; money in fen, dates as dates."""

    contract_no: str | None
    archive_no: str | None
    kind: str  # "new" 新建商品房 | "resale" 存量房
    address: str
    area_m2: str  # "98.60": a decimal string, never a float
    total_price_fen: int
    filed_on: dt.date | None
    registered_on: dt.date | None
    status: str  # "valid" | "cancelled" 已撤销备案
    buyers: tuple[Buyer, ...]

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-able copy to keep with an application: what the registry said at lookup time.
        The buyers' 身份证号 are kept masked: the snapshot is for reading (the relation to the house
        was decided from the registry's answer itself), and no number is kept in clear at rest."""
        return {
            "contract_no": self.contract_no,
            "archive_no": self.archive_no,
            "kind": self.kind,
            "address": self.address,
            "area_m2": self.area_m2,
            "total_price_fen": self.total_price_fen,
            "total_price": fen_to_yuan(self.total_price_fen),
            "filed_on": self.filed_on.isoformat() if self.filed_on else None,
            "registered_on": self.registered_on.isoformat() if self.registered_on else None,
            "status": self.status,
            "buyers": [
                {"id_number": mask_id_number(buyer.id_number), "name": buyer.name} for buyer in self.buyers
            ],
        }

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> HouseRecord:
        """The record back from ``to_snapshot()``'s output."""
        return cls(
            contract_no=snapshot.get("contract_no"),
            archive_no=snapshot.get("archive_no"),
            kind=snapshot["kind"],
            address=snapshot["address"],
            area_m2=snapshot["area_m2"],
            total_price_fen=int(snapshot["total_price_fen"]),
            filed_on=_date_or_none(snapshot.get("filed_on")),
            registered_on=_date_or_none(snapshot.get("registered_on")),
            status=snapshot["status"],
            buyers=tuple(Buyer(id_number=b["id_number"], name=b["name"]) for b in snapshot.get("buyers", [])),
        )


class RegistryClient(Protocol):
    def find_house(
        self, *, contract_no: str | None = None, archive_no: str | None = None
    ) -> HouseRecord | None:
        """The house with this number (exactly one of the two), or None when the registry has no
        such house. Raises ``RegistryUnavailable`` when the registry cannot say."""
        ...

    def houses_of(self, *, id_number: str) -> list[HouseRecord]:
        """Every house (valid or cancelled: read ``status``) with ``id_number`` among its buyers,
        in the registry's order; an empty list when the registry says there is none. Raises
        ``RegistryUnavailable`` when the registry cannot say — never an empty list then."""
        ...


class HttpRegistryClient:
    def __init__(self, *, base_url: str, timeout: float) -> None:
        self._http = JsonHttpClient(system="registry", base_url=base_url, timeout=timeout)

    def find_house(
        self, *, contract_no: str | None = None, archive_no: str | None = None
    ) -> HouseRecord | None:
        contract_no = (contract_no or "").strip() or None
        archive_no = (archive_no or "").strip() or None
        if (contract_no is None) == (archive_no is None):
            raise ValueError("find_house needs exactly one of contract_no and archive_no")
        params = {"contract_no": contract_no} if contract_no else {"archive_no": archive_no}
        try:
            answer = self._http.get("houses", operation="find_house", params=params)  # type: ignore[arg-type]
        except TransportFailure as exc:
            raise RegistryUnavailable() from exc
        if answer.status == 404 and answer.is_error_code("not_found"):
            return None
        if answer.status != 200 or not answer.decoded:
            raise protocol_mismatch(RegistryUnavailable, what="查询房屋", answer=answer)
        try:
            return _house_record(answer.payload)
        except (KeyError, TypeError, ValueError, MoneyFormatError) as exc:
            raise protocol_mismatch(
                RegistryUnavailable, what=f"房屋数据 {type(exc).__name__}", answer=answer
            ) from exc

    def houses_of(self, *, id_number: str) -> list[HouseRecord]:
        id_number = (id_number or "").strip().upper()
        if not id_number:
            raise ValueError("houses_of needs an id_number")
        try:
            # A read: safe to send again when a pooled connection was found closed.
            answer = self._http.post(
                "houses/by-buyer", operation="houses_of", body={"id_number": id_number}, idempotent=True
            )
        except TransportFailure as exc:
            raise RegistryUnavailable() from exc
        payload = answer.payload
        if answer.status != 200 or not answer.decoded or not isinstance(payload, dict):
            raise protocol_mismatch(RegistryUnavailable, what="查询名下房屋", answer=answer)
        try:
            houses = payload["houses"]
            if not isinstance(houses, list):
                raise TypeError("houses")
            records = [_house_record(house) for house in houses]
        except (KeyError, TypeError, ValueError, MoneyFormatError) as exc:
            raise protocol_mismatch(
                RegistryUnavailable, what=f"名下房屋数据 {type(exc).__name__}", answer=answer
            ) from exc
        if any(all(buyer.id_number.upper() != id_number for buyer in record.buyers) for record in records):
            raise protocol_mismatch(RegistryUnavailable, what="名下房屋的购房人中没有此人", answer=answer)
        return records


def get_registry_client() -> RegistryClient:
    """The configured registry; settings are read at each call so tests can re-point it."""
    return HttpRegistryClient(base_url=settings.GJJ_REGISTRY_URL, timeout=default_timeout())


def _house_record(payload: dict[str, Any]) -> HouseRecord:
    kind, status, area = payload["kind"], payload["status"], payload["area_m2"]
    if kind not in HOUSE_KINDS or status not in HOUSE_STATUSES:
        raise ValueError("unknown kind or status")
    if not isinstance(area, str) or not _AREA.match(area):
        raise ValueError("area_m2")
    contract_no, archive_no = (
        _text_or_none(payload.get("contract_no")),
        _text_or_none(payload.get("archive_no")),
    )
    if contract_no is None and archive_no is None:
        raise ValueError("neither contract_no nor archive_no")
    buyers = payload["buyers"]
    if not isinstance(buyers, list):
        raise TypeError("buyers")
    return HouseRecord(
        contract_no=contract_no,
        archive_no=archive_no,
        kind=kind,
        address=str(payload["address"]),
        area_m2=area,
        total_price_fen=yuan_to_fen(payload["total_price"]),
        filed_on=_date_or_none(payload.get("filed_on")),
        registered_on=_date_or_none(payload.get("registered_on")),
        status=status,
        buyers=tuple(Buyer(id_number=str(b["id_number"]), name=str(b["name"])) for b in buyers),
    )


def _text_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _date_or_none(value: Any) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("expected an ISO date string")
    return dt.date.fromisoformat(value)
