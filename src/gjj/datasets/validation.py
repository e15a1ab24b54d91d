"""Checking a ``gjj-dataset/1`` document before anything is written anywhere.

``validate_dataset`` lists every offending JSON path with a Chinese reason, so that whoever
prepared the file can fix all of it in one go. It is pure (no database) and makes one pass over
each section with sets and dicts, so 100,000 people take seconds, not minutes.

A document that passes is safe to load: every reference resolves, every key the loaders rely on
is unique, and every value fits the columns it is stored in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from gjj.core.identity_numbers import card_number_problem, id_number_birth_date, id_number_problem
from gjj.core.money import MoneyFormatError, yuan_to_fen
from gjj.datasets.documents import DATASET_FORMAT, DATASET_SECTIONS


@dataclass(frozen=True, slots=True)
class DatasetProblem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


ACCOUNT_STATUSES = ("normal", "sealed", "frozen", "closed")
LOAN_STATUSES = ("active", "settled", "overdue")
HOUSE_KINDS = ("new", "resale")
HOUSE_STATUSES = ("valid", "cancelled")
BANK_ACCOUNT_STATUSES = ("normal", "frozen", "closed")
BANK_ACCOUNT_CLASSES = (1, 2, 3)
# Reasons of withdrawals paid before this system (DATASET.md); a purchase names its house, the
# others name none.
PRIOR_WITHDRAWAL_REASONS = ("purchase", "rent", "retirement")
PRIOR_WITHDRAWAL_DEFAULT_REASON = "purchase"
_REASON_LABELS = {"purchase": "购房提取", "rent": "租房提取", "retirement": "离退休提取"}

# Lengths follow the columns the loaders write (gjj.members.models, the simulators, govsso).
EMPLOYER_CODE_MAX = 32
EMPLOYER_NAME_MAX = 200
PERSON_NAME_MAX = 64
ACCOUNT_NO_MAX = 32
HOUSE_KEY_MAX = 64
ADDRESS_MAX = 200
PASSWORD_MAX = 128

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_PHONE = re.compile(r"^1\d{10}$")
_DIGITS = re.compile(r"^\d+$")
_HOUSE_KEY = re.compile(r"^[0-9A-Za-z-]+$")
_BANK_CODE = re.compile(r"^[A-Z0-9]{2,16}$")
_AREA = re.compile(r"^(0|[1-9]\d{0,5})(\.\d{1,2})?$")

# Fields of each item: name → whether null is allowed (a nullable field may also be left out).
_FIELDS: dict[str, dict[str, bool]] = {
    "employers": {"code": False, "name": False},
    "people": {
        "id_number": False,
        "name": False,
        "phone": False,
        "spouse_id_number": True,
        "retired_on": True,
    },
    "accounts": {
        "account_no": False,
        "id_number": False,
        "employer_code": False,
        "status": False,
        "balance": False,
        "opened_on": False,
        "monthly_deposit": False,
        "paid_through": False,
        "consecutive_months": False,
    },
    "loans": {"id_number": False, "status": False, "overdue_months": False},
    "houses": {
        "contract_no": True,
        "archive_no": True,
        "kind": False,
        "address": False,
        "area_m2": False,
        "total_price": False,
        "filed_on": True,
        "registered_on": True,
        "status": False,
        "buyers": False,
    },
    "prior_withdrawals": {
        "id_number": False,
        "house": True,
        "amount": False,
        "paid_on": False,
        "reason": True,
    },
    "bank_accounts": {
        "card_no": False,
        "bank": False,
        "holder_id_number": False,
        "holder_name": False,
        "account_class": False,
        "status": False,
    },
    "gov_users": {"id_number": False, "name": False, "phone": False, "password": False},
}
_BUYER_FIELDS = {"id_number": False, "name": False}
_TOP_LEVEL_KEYS = frozenset({"format", "as_of", *DATASET_SECTIONS})

_MISSING = object()


def validate_dataset(document: object) -> list[DatasetProblem]:
    """Every problem of ``document``, section by section (spouse links last); empty means it may be
    loaded."""
    return _DatasetChecker().check(document)


def parse_dataset_date(value: str) -> dt.date:
    """A ``YYYY-MM-DD`` string of a validated document as a date."""
    return dt.date.fromisoformat(value)


class _DatasetChecker:
    def __init__(self) -> None:
        self.problems: list[DatasetProblem] = []
        # What later sections refer to. A key with a bad value of its own is still recorded, so a
        # reference to it is not reported a second time as "does not exist".
        self.employer_codes: dict[str, str] = {}
        self.person_ids: dict[str, str] = {}
        self.house_keys: dict[str, str] = {}
        # Whether a referenced section could be read at all; if not, references are not checked.
        self.sections_readable: dict[str, bool] = {}
        self.spouses: list[tuple[str, str, str | None]] = []
        self.account_nos: dict[str, str] = {}
        self.account_owners: dict[str, str] = {}
        self.prior_withdrawals: dict[tuple[str, str, str, dt.date, int], str] = {}
        self.card_nos: dict[str, str] = {}
        self.gov_user_ids: dict[str, str] = {}
        self.gov_user_phones: dict[str, str] = {}

    # -- reporting ------------------------------------------------------------------------------

    def report(self, path: str, reason: str) -> None:
        self.problems.append(DatasetProblem(path, reason))

    # -- the document ---------------------------------------------------------------------------

    def check(self, document: object) -> list[DatasetProblem]:
        if not isinstance(document, dict):
            self.report("$", "数据文件的顶层应为 JSON 对象")
            return self.problems
        for key in document:
            if key not in _TOP_LEVEL_KEYS:
                self.report(str(key), "不认识的顶层字段")
        fmt = document.get("format", _MISSING)
        if fmt is _MISSING:
            self.report("format", "缺少此字段")
        elif fmt != DATASET_FORMAT:
            self.report("format", f"格式应为“{DATASET_FORMAT}”，实际为 {fmt!r}")
        as_of = document.get("as_of", _MISSING)
        if as_of is _MISSING or as_of is None:
            self.report("as_of", "缺少数据日期（YYYY-MM-DD）")
        else:
            self.date(as_of, "as_of")
        for section in DATASET_SECTIONS:
            items = self.section_items(document, section)
            check_item = getattr(self, f"check_{section}_item")
            for index, item in enumerate(items):
                path = f"{section}[{index}]"
                if self.item_fields(item, path, _FIELDS[section]):
                    check_item(item, path)
        self.check_spouses()
        return self.problems

    def section_items(self, document: dict, section: str) -> list:
        # A section may be left out (a document with only gov_users is fine); then it is empty.
        items = document.get(section, [])
        if not isinstance(items, list):
            self.report(section, "应为数组")
            self.sections_readable[section] = False
            return []
        self.sections_readable[section] = True
        return items

    def item_fields(self, item: object, path: str, fields: dict[str, bool]) -> bool:
        """Whether ``item`` is an object; reports missing, null and unknown fields."""
        if not isinstance(item, dict):
            self.report(path, "应为 JSON 对象")
            return False
        if item.keys() == fields.keys() and None not in item.values():
            return True  # the common case, checked at C speed
        for key in item:
            if key not in fields:
                self.report(f"{path}.{key}", "不认识的字段")
        for key, nullable in fields.items():
            value = item.get(key, _MISSING)
            if value is _MISSING and not nullable:
                self.report(f"{path}.{key}", "缺少此字段")
            elif value is None and not nullable:
                self.report(f"{path}.{key}", "不能为空（null）")
        return True

    # -- sections -------------------------------------------------------------------------------

    def check_employers_item(self, item: dict, path: str) -> None:
        code = self.text(item.get("code"), f"{path}.code", max_length=EMPLOYER_CODE_MAX)
        if code is not None:
            self.unique(self.employer_codes, code, f"{path}.code", "单位编号")
        self.text(item.get("name"), f"{path}.name", max_length=EMPLOYER_NAME_MAX)

    def check_people_item(self, item: dict, path: str) -> None:
        id_number = item.get("id_number")
        if isinstance(id_number, str):
            self.unique(self.person_ids, id_number, f"{path}.id_number", "身份证号")
        valid_id_number = self.id_number(id_number, f"{path}.id_number")
        self.text(item.get("name"), f"{path}.name", max_length=PERSON_NAME_MAX)
        self.phone(item.get("phone"), f"{path}.phone")
        spouse = item.get("spouse_id_number")
        if spouse is not None and not isinstance(spouse, str):
            self.report(f"{path}.spouse_id_number", "应为配偶的身份证号字符串或 null")
        elif isinstance(id_number, str):
            self.spouses.append((path, id_number, spouse))
        retired_on = self.date(item.get("retired_on"), f"{path}.retired_on", what="退休日期")
        birth = id_number_birth_date(valid_id_number) if valid_id_number is not None else None
        if retired_on is not None and birth is not None and retired_on <= birth:
            self.report(f"{path}.retired_on", f"退休日期 {retired_on} 应晚于出生日期 {birth}")

    def check_accounts_item(self, item: dict, path: str) -> None:
        account_no = self.text(item.get("account_no"), f"{path}.account_no", max_length=ACCOUNT_NO_MAX)
        if account_no is not None:
            self.unique(self.account_nos, account_no, f"{path}.account_no", "个人账号")
        owner = self.reference(item.get("id_number"), f"{path}.id_number", self.person_ids, "people")
        if owner is not None:
            first = self.account_owners.setdefault(owner, path)
            if first != path:
                self.report(f"{path}.id_number", f"每人只能有一个个人账户，此人已有账户 {first}")
        self.reference(item.get("employer_code"), f"{path}.employer_code", self.employer_codes, "employers")
        self.choice(item.get("status"), f"{path}.status", ACCOUNT_STATUSES)
        self.yuan(item.get("balance"), f"{path}.balance")
        self.date(item.get("opened_on"), f"{path}.opened_on")
        self.yuan(item.get("monthly_deposit"), f"{path}.monthly_deposit")
        self.month(item.get("paid_through"), f"{path}.paid_through")
        self.count(item.get("consecutive_months"), f"{path}.consecutive_months")

    def check_loans_item(self, item: dict, path: str) -> None:
        self.reference(item.get("id_number"), f"{path}.id_number", self.person_ids, "people")
        self.choice(item.get("status"), f"{path}.status", LOAN_STATUSES)
        self.count(item.get("overdue_months"), f"{path}.overdue_months")

    def check_houses_item(self, item: dict, path: str) -> None:
        contract_no, archive_no = item.get("contract_no"), item.get("archive_no")
        if (contract_no is None) == (archive_no is None):
            self.report(path, "备案合同号 contract_no 与房证新档案号 archive_no 必须有且只有一个")
        for field in ("contract_no", "archive_no"):
            key = item.get(field)
            if key is None:
                continue
            key = self.text(key, f"{path}.{field}", max_length=HOUSE_KEY_MAX, pattern=_HOUSE_KEY)
            if key is not None:
                # One namespace for both: a prior withdrawal names its house by either number.
                self.unique(self.house_keys, key, f"{path}.{field}", "房屋编号")
        kind = self.choice(item.get("kind"), f"{path}.kind", HOUSE_KINDS)
        if kind == "new":
            if contract_no is None:
                self.report(f"{path}.contract_no", "新建商品房（new）应有备案合同号")
            self.required_date(item.get("filed_on"), f"{path}.filed_on", what="新建商品房的合同备案日期")
            self.date(item.get("registered_on"), f"{path}.registered_on")
        elif kind == "resale":
            if archive_no is None:
                self.report(f"{path}.archive_no", "存量房（resale）应有房证新档案号")
            self.required_date(item.get("registered_on"), f"{path}.registered_on", what="存量房的登记日期")
            self.date(item.get("filed_on"), f"{path}.filed_on")
        self.text(item.get("address"), f"{path}.address", max_length=ADDRESS_MAX)
        self.area(item.get("area_m2"), f"{path}.area_m2")
        self.yuan(item.get("total_price"), f"{path}.total_price", positive=True)
        self.choice(item.get("status"), f"{path}.status", HOUSE_STATUSES)
        buyers = item.get("buyers")
        if buyers is None:
            return
        if not isinstance(buyers, list) or not buyers:
            self.report(f"{path}.buyers", "应为至少包含一名购房人的数组")
            return
        seen: set[str] = set()
        for index, buyer in enumerate(buyers):
            buyer_path = f"{path}.buyers[{index}]"
            if not self.item_fields(buyer, buyer_path, _BUYER_FIELDS):
                continue
            buyer_id = buyer.get("id_number")
            if self.id_number(buyer_id, f"{buyer_path}.id_number") is not None:
                if buyer_id in seen:
                    self.report(f"{buyer_path}.id_number", "同一房屋的购房人重复")
                seen.add(buyer_id)
            self.text(buyer.get("name"), f"{buyer_path}.name", max_length=PERSON_NAME_MAX)

    def check_prior_withdrawals_item(self, item: dict, path: str) -> None:
        id_number = self.reference(item.get("id_number"), f"{path}.id_number", self.person_ids, "people")
        reason = item.get("reason")
        if reason is None:
            reason = PRIOR_WITHDRAWAL_DEFAULT_REASON
        else:
            reason = self.choice(reason, f"{path}.reason", PRIOR_WITHDRAWAL_REASONS)
        house_value = item.get("house")
        house: str | None = None
        if reason == "purchase":
            if house_value is None:
                self.report(f"{path}.house", "购房提取（purchase）应填写所购房屋的备案合同号或房证新档案号")
            else:
                house = self.reference(house_value, f"{path}.house", self.house_keys, "houses")
        elif reason is not None and house_value is not None:
            self.report(f"{path}.house", f"{_REASON_LABELS[reason]}（{reason}）不涉及房屋，house 应为 null")
        amount = self.yuan(item.get("amount"), f"{path}.amount", positive=True)
        paid_on = self.date(item.get("paid_on"), f"{path}.paid_on")
        house_known = house is not None or (
            reason is not None and reason != "purchase" and house_value is None
        )
        if (
            id_number is not None
            and reason is not None
            and house_known
            and amount is not None
            and paid_on is not None
        ):
            # The hall keeps one row per (person, reason, house, day, amount): a repeat would be merged.
            key = (id_number, reason, house or "", paid_on, amount)
            first = self.prior_withdrawals.setdefault(key, path)
            if first != path:
                what = "同一房屋、" if house else "同一提取原因、"
                self.report(path, f"与 {first} 是同一笔历史提取（同一人、{what}同一天、同一金额）")

    def check_bank_accounts_item(self, item: dict, path: str) -> None:
        card_no = item.get("card_no")
        if card_no is not None:
            problem = card_number_problem(card_no) if isinstance(card_no, str) else "应为数字组成的字符串"
            if problem:
                self.report(f"{path}.card_no", problem)
            else:
                self.unique(self.card_nos, card_no, f"{path}.card_no", "银行卡号码")
        bank_code_format = "银行代码应为 2–16 位大写字母或数字，如 CCB"
        self.text(item.get("bank"), f"{path}.bank", pattern=_BANK_CODE, what=bank_code_format)
        self.id_number(item.get("holder_id_number"), f"{path}.holder_id_number")
        self.text(item.get("holder_name"), f"{path}.holder_name", max_length=PERSON_NAME_MAX)
        account_class = item.get("account_class")
        if account_class is not None and (
            isinstance(account_class, bool) or account_class not in BANK_ACCOUNT_CLASSES
        ):
            self.report(f"{path}.account_class", f"账户类别应为 1、2 或 3，实际为 {account_class!r}")
        self.choice(item.get("status"), f"{path}.status", BANK_ACCOUNT_STATUSES)

    def check_gov_users_item(self, item: dict, path: str) -> None:
        id_number = self.id_number(item.get("id_number"), f"{path}.id_number")
        if id_number is not None:
            self.unique(self.gov_user_ids, id_number, f"{path}.id_number", "政务服务网账户的身份证号")
        self.text(item.get("name"), f"{path}.name", max_length=PERSON_NAME_MAX)
        phone = self.phone(item.get("phone"), f"{path}.phone")
        if phone is not None:
            # The government site signs people in by phone too: one phone, one account.
            self.unique(self.gov_user_phones, phone, f"{path}.phone", "政务服务网账户的手机号")
        password = item.get("password")
        if password is not None and (not isinstance(password, str) or not password):
            self.report(f"{path}.password", "密码应为非空字符串")
        elif isinstance(password, str) and len(password) > PASSWORD_MAX:
            self.report(f"{path}.password", f"密码最长 {PASSWORD_MAX} 个字符")

    def check_spouses(self) -> None:
        if not self.spouses:
            return
        spouse_of = {id_number: spouse for _, id_number, spouse in self.spouses}
        for path, id_number, spouse in self.spouses:
            if spouse is None:
                continue
            field = f"{path}.spouse_id_number"
            if spouse == id_number:
                self.report(field, "配偶不能是本人")
            elif spouse not in self.person_ids:
                self.report(field, f"配偶 {spouse} 不在 people 中")
            elif spouse_of.get(spouse) != id_number:
                self.report(field, f"配偶 {spouse} 的 spouse_id_number 没有指向本人，双方应互为配偶")

    # -- values ---------------------------------------------------------------------------------
    # Each returns the checked value (parsed where that helps) or None after reporting a problem.
    # None input returns None silently: a missing or null field was reported by item_fields.

    def unique(self, seen: dict[str, str], value: str, path: str, what: str) -> None:
        """Records ``value`` → ``path`` in ``seen``; a repeat is reported with the first path."""
        first = seen.setdefault(value, path)
        if first != path:
            self.report(path, f"{what} {value} 重复（与 {first} 相同）")

    def text(
        self,
        value: Any,
        path: str,
        *,
        max_length: int | None = None,
        pattern: re.Pattern[str] | None = None,
        what: str | None = None,
    ) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.report(path, f"应为非空字符串{f'：{what}' if what else ''}")
            return None
        if value != value.strip():
            self.report(path, "首尾不能有空白字符")
            return None
        if max_length is not None and len(value) > max_length:
            self.report(path, f"最长 {max_length} 个字符，实际 {len(value)} 个")
            return None
        if pattern is not None and not pattern.match(value):
            self.report(path, f"格式不正确：{what}" if what else "只能包含字母、数字和连字符")
            return None
        return value

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str | None:
        if value is None:
            return None
        if value not in choices:
            self.report(path, f"应为 {' / '.join(choices)} 之一，实际为 {value!r}")
            return None
        return value

    def reference(self, value: Any, path: str, known: dict[str, str], section: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.report(path, "应为非空字符串")
            return None
        if self.sections_readable.get(section, True) and value not in known:
            self.report(path, f"{value} 不在 {section} 中")
            return None
        return value

    def id_number(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        problem = id_number_problem(value)
        if problem:
            self.report(path, problem)
            return None
        return value

    def phone(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not _PHONE.match(value):
            self.report(path, f"手机号应为以 1 开头的 11 位数字，实际为 {value!r}")
            return None
        return value

    def required_date(self, value: Any, path: str, *, what: str) -> dt.date | None:
        if value is None:
            self.report(path, f"应填写{what}（YYYY-MM-DD）")
            return None
        return self.date(value, path, what=what)

    def date(self, value: Any, path: str, *, what: str = "日期") -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, str) and _DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.report(path, f"{what}应为 YYYY-MM-DD 格式的有效日期，实际为 {value!r}")
        return None

    def month(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not _MONTH.match(value):
            self.report(path, f"年月应为 YYYY-MM 格式，实际为 {value!r}")
            return None
        return value

    def count(self, value: Any, path: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.report(path, f"应为不小于 0 的整数，实际为 {value!r}")
            return None
        return value

    def yuan(self, value: Any, path: str, *, positive: bool = False) -> int | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.report(path, f'金额应为字符串形式的元金额，如 "86420.50"，实际为 {value!r}')
            return None
        if value != value.strip():
            self.report(path, "金额首尾不能有空白字符")
            return None
        try:
            fen = yuan_to_fen(value)
        except MoneyFormatError as exc:
            self.report(path, str(exc))
            return None
        if positive and fen == 0:
            self.report(path, "金额应大于 0")
            return None
        return fen

    def area(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not _AREA.match(value) or float(value) <= 0:
            self.report(path, f'面积应为大于 0、最多两位小数的平方米数字符串，如 "98.60"，实际为 {value!r}')
            return None
        return value
