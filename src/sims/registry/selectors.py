"""Reads of the housing registry."""

from __future__ import annotations

from sims.registry.models import House


def house_by_number(*, contract_no: str | None = None, archive_no: str | None = None) -> House | None:
    """The house with this 备案合同号 or 房证新档案号 (exactly one of them), buyers prefetched."""
    if (contract_no is None) == (archive_no is None):
        raise ValueError("contract_no 与 archive_no 须且只须给出一个")
    houses = House.objects.prefetch_related("buyers")
    if contract_no is not None:
        return houses.filter(contract_no=contract_no).first()
    return houses.filter(archive_no=archive_no).first()


def houses_of_buyer(*, id_number: str) -> list[House]:
    """Every house (valid or cancelled) with ``id_number`` among its buyers, in the order they were
    registered, buyers prefetched."""
    return list(
        House.objects.filter(buyers__id_number=id_number).distinct().order_by("pk").prefetch_related("buyers")
    )
