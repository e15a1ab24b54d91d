"""The policy file's schema and loader. A policy is plain frozen data; rules read it, never write."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gjj.core.money import MoneyFormatError, yuan_to_fen

ACCOUNT_STATUSES = ("normal", "sealed", "frozen", "closed")
HOUSE_KINDS = ("new", "resale")
CARD_TYPES = ("debit", "credit")


class PolicyError(Exception):
    """The policy file is unusable; the message lists every problem in Chinese."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        super().__init__(f"提取政策文件 {source} 有误：\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class CardBin:
    prefix: str
    bank: str
    type: str
    length: int


@dataclass(frozen=True)
class Declaration:
    """承诺书: what the member accepts before 提交申请, by the version that identifies its text."""

    version: str
    title: str
    text: str


@dataclass(frozen=True)
class RentPolicy:
    """[rent] 租房提取 (DESIGN.md, "Other withdrawal reasons")."""

    reason_code: str
    reason_name: str
    allowed_account_statuses: frozenset[str]
    min_consecutive_months: int
    min_months_between: int  # rent_interval
    monthly_limit_fen: int  # amount: at most this × whole months since the last rent withdrawal
    max_months: int  # ... counting at most this many months (and this many when there was none)
    materials: tuple[str, ...]
    reject_reasons: tuple[str, ...]  # the standard 不予通过 reasons of a rent case
    declaration: Declaration


@dataclass(frozen=True)
class RetirementPolicy:
    """[retirement] 离退休提取: the whole balance, and the account closed (销户) when it is paid."""

    reason_code: str
    reason_name: str
    allowed_account_statuses: frozenset[str]
    materials: tuple[str, ...]
    reject_reasons: tuple[str, ...]
    declaration: Declaration


@dataclass(frozen=True)
class Policy:
    version: str
    centre_name: str
    hotline: str
    reason_code: str
    reason_name: str
    allowed_account_statuses: frozenset[str]
    min_consecutive_months: int
    refuse_overdue_loans: bool
    allowed_house_kinds: frozenset[str]
    max_years_since_filing: int
    max_open_applications: int
    max_withdrawals_per_member_per_house: int
    allowed_banks: dict[str, str]
    required_account_class: int
    card_min_length: int
    card_max_length: int
    bins: tuple[CardBin, ...]
    instant_approval: bool
    four_eyes_threshold_fen: int
    decision_limit_days: int
    reject_reasons: tuple[str, ...]
    holidays: frozenset[dt.date]
    materials_expiry_days: int
    material_max_bytes: int
    material_max_pixels: int
    material_max_pdf_pages: int
    material_max_pdf_page_points: int
    material_max_uploads: int
    material_content_types: frozenset[str]
    materials_by_house_kind: dict[str, tuple[str, ...]]
    spouse_extra_materials: tuple[str, ...]
    material_names: dict[str, str]
    declaration_version: str
    declaration_title: str
    declaration_text: str
    rent: RentPolicy
    retirement: RetirementPolicy
    source: str = field(default="", compare=False)

    @property
    def declaration(self) -> Declaration:
        """购房提取's 承诺书 ([declaration]); the other reasons' are in their own sections."""
        return Declaration(self.declaration_version, self.declaration_title, self.declaration_text)

    def bank_name(self, code: str) -> str:
        return self.allowed_banks.get(code, code)

    def find_bin(self, card_no: str) -> CardBin | None:
        """The longest matching issuer prefix, or None when the card's issuer is unknown."""
        matches = [b for b in self.bins if card_no.startswith(b.prefix)]
        return max(matches, key=lambda b: len(b.prefix)) if matches else None

    def required_materials(self, *, house_kind: str, relation: str | None) -> tuple[str, ...]:
        kinds = self.materials_by_house_kind.get(house_kind, ())
        if relation == "spouse":
            kinds = kinds + self.spouse_extra_materials
        return kinds

    @property
    def materials_expiry(self) -> dt.timedelta:
        return dt.timedelta(days=self.materials_expiry_days)


class _Reader:
    """Reads typed values from the parsed TOML, collecting every problem instead of stopping."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.problems: list[str] = []

    def get(self, path: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                self.problems.append(f"缺少配置项 {path}")
                return default
            node = node[part]
        if kind is int and isinstance(node, bool):
            self.problems.append(f"{path} 应为整数")
            return default
        if not isinstance(node, kind):
            self.problems.append(f"{path} 的类型不正确")
            return default
        return node

    def positive_int(self, path: str, default: int, *, allow_zero: bool = False) -> int:
        value = self.get(path, int, default)
        if isinstance(value, int) and (value < 0 or (value == 0 and not allow_zero)):
            self.problems.append(f"{path} 应为{'非负' if allow_zero else '正'}整数，实际为 {value}")
            return default
        return value

    def money(self, path: str) -> int:
        value = self.get(path, str, "0")
        try:
            return yuan_to_fen(value)
        except MoneyFormatError as exc:
            self.problems.append(f"{path}：{exc}")
            return 0

    def string_list(self, path: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = self.get(path, list, [])
        if not all(isinstance(item, str) for item in value):
            self.problems.append(f"{path} 应为字符串列表")
            return ()
        if allowed is not None:
            for item in value:
                if item not in allowed:
                    self.problems.append(f"{path} 中的“{item}”不是可识别的取值（可选：{'、'.join(allowed)}）")
        return tuple(value)


# The standard reasons a reviewer picks from when refusing (不予通过); the reviewer adds free text.
DEFAULT_REJECT_REASONS: tuple[str, ...] = (
    "购房合同或不动产权证书与登记信息不一致",
    "材料不真实或经核查存在伪造、变造",
    "申请人与购房人关系无法确认",
    "房屋交易不真实或存在骗提套取嫌疑",
    "不符合购房提取政策的其他情形",
)
DEFAULT_RENT_REJECT_REASONS: tuple[str, ...] = (
    "租赁关系不真实或存在骗提套取嫌疑",
    "材料不真实或经核查存在伪造、变造",
    "申请人或配偶名下有自有住房",
    "不符合租房提取政策的其他情形",
)
DEFAULT_RETIREMENT_REJECT_REASONS: tuple[str, ...] = (
    "退休证明与社保退休信息不一致",
    "材料不真实或经核查存在伪造、变造",
    "不符合离退休提取政策的其他情形",
)


def _declaration(r: Any, path: str, *, fallback: Declaration) -> Declaration:
    """A reason's own 承诺书 (``[rent.declaration]``…): its text speaks of what that reason pays for.
    A policy file without one uses [declaration]'s (``fallback``, read and checked once)."""
    section, _, name = path.partition(".")
    if name not in r.data.get(section, {}):
        return fallback
    declaration = Declaration(
        version=r.get(f"{path}.version", str, ""),
        title=r.get(f"{path}.title", str, ""),
        text=r.get(f"{path}.text", str, "").strip(),
    )
    if not declaration.text or not declaration.version:
        r.problems.append(f"{path} 承诺书的版本和正文不能为空")
    if len(declaration.version) > 32:
        r.problems.append(f"{path}.version 承诺书版本不能超过 32 个字符")
    return declaration


def _holidays(r: Any) -> frozenset[dt.date]:
    """Public holidays (法定节假日) that are not working days, as ISO dates."""
    days = []
    for text in r.string_list("review.holidays"):
        try:
            days.append(dt.date.fromisoformat(text))
        except ValueError:
            r.problems.append(f"review.holidays 中的“{text}”不是 YYYY-MM-DD 格式的日期")
    return frozenset(days)


def policy_from_mapping(data: dict[str, Any], *, source: str = "<内存>") -> Policy:
    """Build and validate a Policy; raises PolicyError naming every problem."""
    r = _Reader(data)
    banks = r.get("bank.allowed_banks", dict, {})
    bins: list[CardBin] = []
    for index, raw in enumerate(r.get("bank.bins", list, [])):
        where = f"bank.bins[{index}]"
        if not isinstance(raw, dict):
            r.problems.append(f"{where} 应为表")
            continue
        prefix, bank, kind, length = raw.get("prefix"), raw.get("bank"), raw.get("type"), raw.get("length")
        if not (isinstance(prefix, str) and prefix.isdigit() and 4 <= len(prefix) <= 10):
            r.problems.append(f"{where}.prefix 应为 4–10 位数字")
            continue
        if not isinstance(bank, str) or not bank:
            r.problems.append(f"{where}.bank 不能为空")
            continue
        if kind not in CARD_TYPES:
            r.problems.append(f"{where}.type 应为 debit 或 credit")
            continue
        if not isinstance(length, int) or isinstance(length, bool) or not 12 <= length <= 19:
            r.problems.append(f"{where}.length 应为 12–19 的整数")
            continue
        bins.append(CardBin(prefix=prefix, bank=bank, type=kind, length=length))

    material_kinds_new = r.string_list("materials.new")
    material_kinds_resale = r.string_list("materials.resale")
    spouse_extra = r.string_list("materials.spouse_extra")
    names = r.get("materials.names", dict, {})
    for kind in {*material_kinds_new, *material_kinds_resale, *spouse_extra}:
        if kind not in names:
            r.problems.append(f"materials.names 缺少材料 {kind} 的中文名称")

    rent_materials = r.string_list("rent.materials")
    retirement_materials = r.string_list("retirement.materials")
    for section, kinds in (("rent", rent_materials), ("retirement", retirement_materials)):
        for kind in kinds:
            if kind not in names:
                r.problems.append(f"{section}.materials 中的材料 {kind} 在 materials.names 中没有中文名称")
    # 购房提取's 承诺书, [declaration]: the other reasons' when they have none of their own.
    purchase_declaration = Declaration(
        version=r.get("declaration.version", str, ""),
        title=r.get("declaration.title", str, ""),
        text=r.get("declaration.text", str, "").strip(),
    )
    rent = RentPolicy(
        reason_code=r.get("rent.reason_code", str, "07"),
        reason_name=r.get("rent.reason_name", str, ""),
        allowed_account_statuses=frozenset(r.string_list("rent.allowed_statuses", ACCOUNT_STATUSES)),
        min_consecutive_months=r.positive_int("rent.min_consecutive_months", 3, allow_zero=True),
        min_months_between=r.positive_int("rent.min_months_between", 3, allow_zero=True),
        monthly_limit_fen=r.money("rent.monthly_limit"),
        max_months=r.positive_int("rent.max_months", 12),
        materials=rent_materials,
        reject_reasons=r.string_list("rent.reject_reasons") or DEFAULT_RENT_REJECT_REASONS,
        declaration=_declaration(r, "rent.declaration", fallback=purchase_declaration),
    )
    retirement = RetirementPolicy(
        reason_code=r.get("retirement.reason_code", str, "03"),
        reason_name=r.get("retirement.reason_name", str, ""),
        allowed_account_statuses=frozenset(r.string_list("retirement.allowed_statuses", ACCOUNT_STATUSES)),
        materials=retirement_materials,
        reject_reasons=r.string_list("retirement.reject_reasons") or DEFAULT_RETIREMENT_REJECT_REASONS,
        declaration=_declaration(r, "retirement.declaration", fallback=purchase_declaration),
    )
    if rent.monthly_limit_fen <= 0:
        r.problems.append("rent.monthly_limit 应大于 0 元")

    card_min = r.positive_int("bank.card_min_length", 16)
    card_max = r.positive_int("bank.card_max_length", 19)
    if card_min > card_max:
        r.problems.append("bank.card_min_length 不能大于 bank.card_max_length")

    policy = Policy(
        version=r.get("version", str, ""),
        centre_name=r.get("centre_name", str, ""),
        hotline=r.get("hotline", str, ""),
        reason_code=r.get("purchase.reason_code", str, "01"),
        reason_name=r.get("purchase.reason_name", str, ""),
        allowed_account_statuses=frozenset(r.string_list("account.allowed_statuses", ACCOUNT_STATUSES)),
        min_consecutive_months=r.positive_int("account.min_consecutive_months", 3, allow_zero=True),
        refuse_overdue_loans=r.get("loan.refuse_overdue", bool, True),
        allowed_house_kinds=frozenset(r.string_list("house.allowed_kinds", HOUSE_KINDS)),
        max_years_since_filing=r.positive_int("house.max_years_since_filing", 2),
        max_open_applications=r.positive_int("house.max_open_applications", 1),
        max_withdrawals_per_member_per_house=r.positive_int("house.max_withdrawals_per_member_per_house", 1),
        allowed_banks={str(k): str(v) for k, v in banks.items()},
        required_account_class=r.positive_int("bank.required_account_class", 1),
        card_min_length=card_min,
        card_max_length=card_max,
        bins=tuple(bins),
        instant_approval=r.get("review.instant_approval", bool, True),
        four_eyes_threshold_fen=r.money("review.four_eyes_threshold"),
        decision_limit_days=r.positive_int("review.decision_limit_days", 3),
        reject_reasons=r.string_list("review.reject_reasons") or DEFAULT_REJECT_REASONS,
        holidays=_holidays(r),
        materials_expiry_days=r.positive_int("materials.expiry_days", 7),
        material_max_bytes=r.positive_int("materials.max_bytes", 10 * 1024 * 1024),
        material_max_pixels=r.positive_int("materials.max_pixels", 40_000_000),
        material_max_pdf_pages=r.positive_int("materials.max_pdf_pages", 30),
        material_max_pdf_page_points=r.positive_int("materials.max_pdf_page_points", 3400),
        material_max_uploads=r.positive_int("materials.max_uploads_per_material", 10),
        material_content_types=frozenset(r.string_list("materials.content_types")),
        materials_by_house_kind={"new": material_kinds_new, "resale": material_kinds_resale},
        spouse_extra_materials=spouse_extra,
        material_names={str(k): str(v) for k, v in names.items()},
        declaration_version=purchase_declaration.version,
        declaration_title=purchase_declaration.title,
        declaration_text=purchase_declaration.text,
        rent=rent,
        retirement=retirement,
        source=source,
    )
    if not policy.allowed_banks:
        r.problems.append("bank.allowed_banks 至少应有一家收款银行")
    for code in policy.allowed_banks:
        if not any(b.bank == code and b.type == "debit" for b in bins):
            r.problems.append(f"收款银行 {code} 在 bank.bins 中没有借记卡卡 BIN")
    if not policy.declaration_text:
        r.problems.append("declaration.text 承诺书正文不能为空")
    if not policy.declaration_version:
        r.problems.append("declaration.version 承诺书版本不能为空")
    if r.problems:
        raise PolicyError(source, r.problems)
    return policy


def policy_load(path: str | Path) -> Policy:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(str(path), [f"无法读取文件：{exc.strerror}"]) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PolicyError(str(path), [f"不是有效的 TOML：{exc}"]) from exc
    return policy_from_mapping(data, source=str(path))
