"""Reading the parts of a ``gjj-dataset/1`` document the simulators own: ``houses`` for the
housing registry and ``bank_accounts`` for the bank.

The hall's importer validates the whole document before it gets here; this parser still checks
every field it uses, so that a document loaded directly (``load_dataset``) fails with a list of
paths and reasons instead of half-written data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gjj.core.identity_numbers import id_number_problem
from gjj.core.money import MoneyFormatError, yuan_to_fen
from sims.bank.models import BankAccountStatus
from sims.bank.services import BankAccountRow
from sims.registry.models import HouseKind, HouseStatus
from sims.registry.services import HouseRow

DATASET_FORMAT = "gjj-dataset/1"

_AREA = re.compile(r"^(0|[1-9]\d{0,7})(\.\d{1,2})?$")
_CARD_NO = re.compile(r"^\d{16,19}$")
# Computed once: an enum's ``values`` builds a new list on every access, per row adds up.
_HOUSE_KINDS = tuple(HouseKind.values)
_HOUSE_STATUSES = tuple(HouseStatus.values)
_BANK_ACCOUNT_STATUSES = tuple(BankAccountStatus.values)


@dataclass
class ParsedDataset:
    houses: list[HouseRow] = field(default_factory=list)
    bank_accounts: list[BankAccountRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_dataset(document: Any) -> ParsedDataset:
    parsed = ParsedDataset()
    if not isinstance(document, dict):
        parsed.problems.append("(根)：应为 JSON 对象")
        return parsed
    if document.get("format") != DATASET_FORMAT:
        parsed.problems.append(f"format：应为 {DATASET_FORMAT!r}，实际为 {document.get('format')!r}")
        return parsed
    reader = _Reader(parsed.problems)
    for index, item in enumerate(reader.section(document, "houses")):
        house = reader.house(item, path=f"houses[{index}]")
        if house is not None:
            parsed.houses.append(house)
    for index, item in enumerate(reader.section(document, "bank_accounts")):
        account = reader.bank_account(item, path=f"bank_accounts[{index}]")
        if account is not None:
            parsed.bank_accounts.append(account)
    _check_unique(parsed)
    return parsed


class _Reader:
    """Reads fields, recording a "path：reason" problem for each one that is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(f"{path}：{reason}")

    def section(self, document: dict, name: str) -> list:
        value = document.get(name, [])
        if not isinstance(value, list):
            self.problem(name, "应为数组")
            return []
        return value

    def house(self, item: Any, *, path: str) -> HouseRow | None:
        if not isinstance(item, dict):
            self.problem(path, "应为对象")
            return None
        before = len(self.problems)
        contract_no = self.optional_text(item, "contract_no", path=path, max_length=64)
        archive_no = self.optional_text(item, "archive_no", path=path, max_length=64)
        if contract_no is None and archive_no is None:
            self.problem(path, "contract_no（备案合同号）与 archive_no（房证新档案号）至少须有一个")
        kind = self.choice(item, "kind", _HOUSE_KINDS, path=path)
        address = self.text(item, "address", path=path, max_length=300)
        area_m2 = self.area(item, path=path)
        total_price_fen = self.yuan(item, "total_price", path=path)
        filed_on = self.optional_date(item, "filed_on", path=path)
        registered_on = self.optional_date(item, "registered_on", path=path)
        status = self.choice(item, "status", _HOUSE_STATUSES, path=path)
        buyers = self.buyers(item, path=path)
        if len(self.problems) > before:
            return None
        return HouseRow(
            contract_no=contract_no,
            archive_no=archive_no,
            kind=kind,
            address=address,
            area_m2=area_m2,
            total_price_fen=total_price_fen,
            filed_on=filed_on,
            registered_on=registered_on,
            status=status,
            buyers=buyers,
        )

    def bank_account(self, item: Any, *, path: str) -> BankAccountRow | None:
        if not isinstance(item, dict):
            self.problem(path, "应为对象")
            return None
        before = len(self.problems)
        card_no = self.text(item, "card_no", path=path, max_length=19)
        if card_no and not _CARD_NO.match(card_no):
            self.problem(f"{path}.card_no", "应为 16 到 19 位数字")
        bank = self.text(item, "bank", path=path, max_length=16)
        holder_id_number = self.id_number(item, "holder_id_number", path=path)
        holder_name = self.text(item, "holder_name", path=path, max_length=64)
        account_class = item.get("account_class")
        if (
            isinstance(account_class, bool)
            or not isinstance(account_class, int)
            or account_class not in (1, 2, 3)
        ):
            self.problem(f"{path}.account_class", "应为 1、2 或 3")
            account_class = 0
        status = self.choice(item, "status", _BANK_ACCOUNT_STATUSES, path=path)
        if len(self.problems) > before:
            return None
        return BankAccountRow(
            card_no=card_no,
            bank=bank,
            holder_id_number=holder_id_number,
            holder_name=holder_name,
            account_class=account_class,
            status=status,
        )

    def buyers(self, item: dict, *, path: str) -> tuple[tuple[str, str], ...]:
        value = item.get("buyers")
        if not isinstance(value, list) or not value:
            self.problem(f"{path}.buyers", "应为非空数组")
            return ()
        buyers = []
        for index, buyer in enumerate(value):
            buyer_path = f"{path}.buyers[{index}]"
            if not isinstance(buyer, dict):
                self.problem(buyer_path, "应为对象")
                continue
            buyers.append(
                (
                    self.id_number(buyer, "id_number", path=buyer_path),
                    self.text(buyer, "name", path=buyer_path, max_length=64),
                )
            )
        return tuple(buyers)

    def text(self, item: dict, name: str, *, path: str, max_length: int) -> str:
        value = item.get(name)
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{path}.{name}", "应为非空字符串")
            return ""
        if len(value) > max_length:
            self.problem(f"{path}.{name}", f"超过 {max_length} 个字符")
        return value.strip()

    def optional_text(self, item: dict, name: str, *, path: str, max_length: int) -> str | None:
        if item.get(name) is None:
            return None
        return self.text(item, name, path=path, max_length=max_length) or None

    def id_number(self, item: dict, name: str, *, path: str) -> str:
        value = self.text(item, name, path=path, max_length=18)
        if value and (problem := id_number_problem(value)):
            self.problem(f"{path}.{name}", problem)
        return value

    def choice(self, item: dict, name: str, allowed: tuple[str, ...], *, path: str) -> str:
        value = item.get(name)
        if value not in allowed:
            self.problem(f"{path}.{name}", f"应为 {'、'.join(allowed)} 之一，实际为 {value!r}")
            return ""
        return value

    def area(self, item: dict, *, path: str) -> Decimal:
        value = item.get("area_m2")
        if not isinstance(value, str) or not _AREA.match(value):
            self.problem(f"{path}.area_m2", '应为最多两位小数的面积字符串，如 "98.60"')
            return Decimal("0.00")
        return Decimal(value).quantize(Decimal("0.01"))

    def yuan(self, item: dict, name: str, *, path: str) -> int:
        try:
            return yuan_to_fen(item.get(name))  # type: ignore[arg-type]
        except MoneyFormatError as exc:
            self.problem(f"{path}.{name}", str(exc))
            return 0

    def optional_date(self, item: dict, name: str, *, path: str) -> dt.date | None:
        value = item.get(name)
        if value is None:
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            self.problem(f"{path}.{name}", f"应为 YYYY-MM-DD 日期或 null，实际为 {value!r}")
            return None


def _check_unique(parsed: ParsedDataset) -> None:
    for label, keys in (
        ("houses", [("contract_no", row.contract_no) for row in parsed.houses if row.contract_no]),
        ("houses", [("archive_no", row.archive_no) for row in parsed.houses if row.archive_no]),
        ("bank_accounts", [("card_no", row.card_no) for row in parsed.bank_accounts]),
    ):
        seen: set[str] = set()
        for name, value in keys:
            if value in seen:
                parsed.problems.append(f"{label}：{name} {value} 重复出现")
            seen.add(value)
