"""Writes to the housing registry: loading houses from a dataset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from sims.bulk import UpsertCounts, chunked
from sims.registry.models import House, HouseBuyer


@dataclass(frozen=True)
class HouseRow:
    """One house as a dataset describes it, already validated."""

    contract_no: str | None
    archive_no: str | None
    kind: str
    address: str
    area_m2: Decimal
    total_price_fen: int
    filed_on: dt.date | None
    registered_on: dt.date | None
    status: str
    buyers: tuple[tuple[str, str], ...]  # (id_number, name) in contract order


class HouseNumberConflict(Exception):
    """A row's 备案合同号 and 房证新档案号 belong to two different stored houses."""


_HOUSE_FIELDS = ("kind", "address", "area_m2", "total_price_fen", "filed_on", "registered_on", "status")


@transaction.atomic
def houses_upsert(*, rows: Sequence[HouseRow]) -> UpsertCounts:
    """Create or update houses keyed by contract_no / archive_no, with their buyers.

    A constant number of queries per chunk of rows, whatever the size of the dataset; rows equal
    to what is stored are not written, so loading the same dataset twice changes nothing.
    """
    counts = UpsertCounts()
    stored = _stored_houses(rows=rows)
    stored_buyers = _stored_buyers(house_ids=[house.pk for house in stored.values()])

    to_create: list[tuple[House, HouseRow]] = []
    to_update: list[House] = []
    buyers_replaced: list[tuple[House, HouseRow]] = []
    for row in rows:
        house = _match(row=row, stored=stored)
        if house is None:
            to_create.append((_new_house(row), row))
            counts.created += 1
            continue
        changed = _apply(row=row, house=house)
        buyers_changed = stored_buyers.get(house.pk, ()) != row.buyers
        if changed:
            to_update.append(house)
        if buyers_changed:
            buyers_replaced.append((house, row))
        if changed or buyers_changed:
            counts.updated += 1
        else:
            counts.unchanged += 1

    House.objects.bulk_create([house for house, _ in to_create], batch_size=500)
    _fill_created_ids(created=[house for house, _ in to_create])
    House.objects.bulk_update(to_update, fields=["contract_no", "archive_no", *_HOUSE_FIELDS], batch_size=500)
    for chunk in chunked([house.pk for house, _ in buyers_replaced]):
        HouseBuyer.objects.filter(house_id__in=chunk).delete()
    HouseBuyer.objects.bulk_create(
        [
            HouseBuyer(house=house, position=position, id_number=id_number, name=name)
            for house, row in [*to_create, *buyers_replaced]
            for position, (id_number, name) in enumerate(row.buyers, start=1)
        ],
        batch_size=1000,
    )
    return counts


def _stored_houses(*, rows: Sequence[HouseRow]) -> dict[tuple[str, str], House]:
    """Stored houses any row may refer to, keyed by ("contract", no) and ("archive", no)."""
    contract_nos = [row.contract_no for row in rows if row.contract_no]
    archive_nos = [row.archive_no for row in rows if row.archive_no]
    stored: dict[tuple[str, str], House] = {}
    for chunk in chunked(contract_nos):
        for house in House.objects.filter(contract_no__in=chunk):
            stored[("contract", house.contract_no)] = house
    for chunk in chunked(archive_nos):
        for house in House.objects.filter(archive_no__in=chunk):
            # The same row object as under its contract number, if already loaded, so an update
            # through one key is seen through the other.
            already = stored.get(("contract", house.contract_no)) if house.contract_no else None
            stored[("archive", house.archive_no)] = already or house
    return stored


def _stored_buyers(*, house_ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
    buyers: dict[int, list[tuple[str, str]]] = {}
    for chunk in chunked(sorted(set(house_ids))):
        for house_id, id_number, name in (
            HouseBuyer.objects.filter(house_id__in=chunk)
            .order_by("house_id", "position")
            .values_list("house_id", "id_number", "name")
        ):
            buyers.setdefault(house_id, []).append((id_number, name))
    return {house_id: tuple(pairs) for house_id, pairs in buyers.items()}


def _match(*, row: HouseRow, stored: dict[tuple[str, str], House]) -> House | None:
    by_contract = stored.get(("contract", row.contract_no)) if row.contract_no else None
    by_archive = stored.get(("archive", row.archive_no)) if row.archive_no else None
    if by_contract is not None and by_archive is not None and by_contract.pk != by_archive.pk:
        raise HouseNumberConflict(
            f"备案合同号 {row.contract_no} 与房证新档案号 {row.archive_no} 分属两处已登记的房屋"
        )
    return by_contract or by_archive


def _new_house(row: HouseRow) -> House:
    return House(
        contract_no=row.contract_no,
        archive_no=row.archive_no,
        **{field: getattr(row, field) for field in _HOUSE_FIELDS},
    )


def _apply(*, row: HouseRow, house: House) -> bool:
    """Copy the row onto the stored house; True when anything differed."""
    changed = False
    wanted = {"contract_no": row.contract_no, "archive_no": row.archive_no}
    wanted.update({field: getattr(row, field) for field in _HOUSE_FIELDS})
    for field, value in wanted.items():
        if getattr(house, field) != value:
            setattr(house, field, value)
            changed = True
    return changed


def _fill_created_ids(*, created: list[House]) -> None:
    """Backends that cannot return ids from a bulk insert leave pk unset; look them up."""
    missing = [house for house in created if house.pk is None]
    if not missing:
        return
    by_contract = {house.contract_no: house for house in missing if house.contract_no}
    by_archive = {house.archive_no: house for house in missing if house.archive_no and not house.contract_no}
    for chunk in chunked(list(by_contract)):
        for pk, contract_no in House.objects.filter(contract_no__in=chunk).values_list("pk", "contract_no"):
            by_contract[contract_no].pk = pk
    for chunk in chunked(list(by_archive)):
        for pk, archive_no in House.objects.filter(archive_no__in=chunk).values_list("pk", "archive_no"):
            by_archive[archive_no].pk = pk
