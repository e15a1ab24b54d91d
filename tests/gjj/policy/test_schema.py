"""The policy file: the shipped default, validation that names every problem, start-up refusal."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import gjj.policy
from gjj.policy.active import active_policy
from gjj.policy.schema import CardBin, Policy, PolicyError, policy_from_mapping, policy_load

DEFAULT_POLICY_FILE = Path(gjj.policy.__file__).parent / "default_policy.toml"
DEFAULT_TEXT = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
REPO_ROOT = Path(__file__).resolve().parents[3]

NEW_MATERIALS = ("id_card_front", "id_card_back", "purchase_contract", "purchase_invoice", "bank_card")
RESALE_MATERIALS = (
    "id_card_front",
    "id_card_back",
    "property_certificate",
    "deed_tax_certificate",
    "bank_card",
)
MATERIAL_NAMES = {
    "id_card_front": "身份证正面",
    "id_card_back": "身份证反面",
    "purchase_contract": "购房合同",
    "purchase_invoice": "购房发票",
    "property_certificate": "不动产权证书",
    "deed_tax_certificate": "契税完税证明",
    "bank_card": "银行卡",
    "marriage_certificate": "结婚证",
    "retirement_certificate": "退休证明",
    "lease_contract": "租赁合同",
}


@pytest.fixture(scope="module")
def default_policy() -> Policy:
    return policy_load(DEFAULT_POLICY_FILE)


def default_mapping() -> dict[str, Any]:
    return copy.deepcopy(tomllib.loads(DEFAULT_TEXT))


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the default policy no longer contains {old!r} exactly once"
    return text.replace(old, new)


# --- the shipped default ---------------------------------------------------------------------


def test_shipped_default_has_the_documented_values(default_policy: Policy) -> None:
    p = default_policy
    assert p.reason_code == "01"
    assert p.centre_name == "辽宁省省直住房资金管理中心"
    assert p.allowed_account_statuses == {"normal"}
    assert p.min_consecutive_months == 3
    assert p.refuse_overdue_loans is True
    assert p.allowed_house_kinds == {"new", "resale"}
    assert p.max_years_since_filing == 2
    assert p.max_open_applications == 1
    assert p.max_withdrawals_per_member_per_house == 1
    assert p.allowed_banks == {"CCB": "建设银行", "ICBC": "工商银行", "SJB": "盛京银行"}
    assert p.required_account_class == 1
    assert (p.card_min_length, p.card_max_length) == (16, 19)
    assert p.instant_approval is True
    assert p.four_eyes_threshold_fen == 20_000_000  # 200,000.00 元
    assert p.material_max_bytes == 10 * 1024 * 1024
    assert p.material_content_types == {"image/jpeg", "image/png", "application/pdf"}
    assert p.materials_by_house_kind == {"new": NEW_MATERIALS, "resale": RESALE_MATERIALS}
    assert p.spouse_extra_materials == ("marriage_certificate",)
    assert p.material_names == MATERIAL_NAMES
    assert p.declaration_text.startswith("本人郑重承诺")
    assert p.source == str(DEFAULT_POLICY_FILE)


def test_the_other_reasons_have_the_documented_defaults(default_policy: Policy) -> None:
    rent, retirement = default_policy.rent, default_policy.retirement
    assert (rent.reason_code, rent.reason_name) == ("07", "租房提取")
    assert rent.allowed_account_statuses == {"normal"} and rent.min_consecutive_months == 3
    assert rent.min_months_between == 3 and rent.max_months == 12
    assert rent.monthly_limit_fen == 150_000  # 1,500.00 元
    assert rent.materials == ("id_card_front", "id_card_back", "bank_card")
    assert (retirement.reason_code, retirement.reason_name) == ("03", "离退休提取")
    assert retirement.allowed_account_statuses == {"normal", "sealed"}
    assert retirement.materials == ("id_card_front", "id_card_back", "retirement_certificate", "bank_card")


def test_a_reasons_material_without_a_name_and_a_zero_rent_limit_are_named(default_policy: Policy) -> None:
    data = default_mapping()
    data["rent"]["materials"] = ["id_card_front", "rent_receipt"]
    data["rent"]["monthly_limit"] = "0.00"
    with pytest.raises(PolicyError) as refused:
        policy_from_mapping(data, source="test.toml")
    assert "rent.materials 中的材料 rent_receipt 在 materials.names 中没有中文名称" in refused.value.problems
    assert "rent.monthly_limit 应大于 0 元" in refused.value.problems


def test_shipped_bins_cover_every_bank_and_mark_the_credit_cards(default_policy: Policy) -> None:
    for bank in default_policy.allowed_banks:
        assert any(b.bank == bank and b.type == "debit" for b in default_policy.bins), bank
    credit = {b.prefix: b.bank for b in default_policy.bins if b.type == "credit"}
    assert credit == {"436718": "CCB", "427010": "ICBC"}


def test_bank_name(default_policy: Policy) -> None:
    assert default_policy.bank_name("ICBC") == "工商银行"
    assert default_policy.bank_name("BOC") == "BOC"


def test_the_hall_runs_on_the_shipped_default_unless_configured(default_policy: Policy, settings) -> None:
    settings.GJJ_POLICY_FILE = str(DEFAULT_POLICY_FILE)
    assert active_policy() == default_policy


# --- a broken file ---------------------------------------------------------------------------


def test_a_broken_policy_file_lists_every_problem_at_once(tmp_path: Path) -> None:
    text = DEFAULT_TEXT
    text = edited(text, "min_consecutive_months = 3\n\n[loan]", 'min_consecutive_months = "3"\n\n[loan]')
    text = edited(
        text,
        'allowed_statuses = ["normal"]\n# contribution_months',
        'allowed_statuses = ["normal", "dormant"]\n# contribution_months',
    )
    text = edited(text, 'SJB = "盛京银行" }', 'SJB = "盛京银行", BOC = "中国银行" }')
    text = edited(text, "max_years_since_filing = 2", "max_years_since_filing = -2")
    text = edited(text, 'four_eyes_threshold = "200000.00"', 'four_eyes_threshold = "200000.001"')
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(PolicyError) as info:
        policy_load(path)

    problems = info.value.problems
    expected = [
        "account.min_consecutive_months 的类型不正确",
        "account.allowed_statuses 中的“dormant”不是可识别的取值",
        "收款银行 BOC 在 bank.bins 中没有借记卡卡 BIN",
        "house.max_years_since_filing 应为正整数，实际为 -2",
        "review.four_eyes_threshold：",
    ]
    assert len(problems) == len(expected), problems
    for needle in expected:
        assert sum(needle in problem for problem in problems) == 1, (needle, problems)
    message = str(info.value)
    assert str(path) in message
    assert all(problem in message for problem in problems)


Edit = Callable[[dict[str, Any]], None]


def _delete(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        del node[last]

    return edit


def _set(path: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[last] = value

    return edit


def _set_bin(index: int, key: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["bank"]["bins"][index][key] = value

    return edit


def _only_credit_bins_for_sjb(data: dict[str, Any]) -> None:
    for raw in data["bank"]["bins"]:
        if raw["bank"] == "SJB":
            raw["type"] = "credit"


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (_delete("house.max_years_since_filing"), "缺少配置项 house.max_years_since_filing"),
        (_delete("account"), "缺少配置项 account.allowed_statuses"),
        (_set("account.min_consecutive_months", True), "account.min_consecutive_months 应为整数"),
        (_set("account.min_consecutive_months", -1), "account.min_consecutive_months 应为非负整数"),
        (_set("house.max_open_applications", 0), "house.max_open_applications 应为正整数，实际为 0"),
        (_set("loan.refuse_overdue", "yes"), "loan.refuse_overdue 的类型不正确"),
        (_set("review.instant_approval", 1), "review.instant_approval 的类型不正确"),
        (_set("review.four_eyes_threshold", 200000), "review.four_eyes_threshold 的类型不正确"),
        (_set("review.four_eyes_threshold", "-1"), "review.four_eyes_threshold："),
        (_set("house.allowed_kinds", ["new", "villa"]), "house.allowed_kinds 中的“villa”"),
        (_set("house.allowed_kinds", ["new", 2]), "house.allowed_kinds 应为字符串列表"),
        (_set_bin(0, "prefix", "62A700"), "bank.bins[0].prefix 应为 4–10 位数字"),
        (_set_bin(0, "prefix", "621"), "bank.bins[0].prefix 应为 4–10 位数字"),
        (_set_bin(1, "bank", ""), "bank.bins[1].bank 不能为空"),
        (_set_bin(2, "type", "prepaid"), "bank.bins[2].type 应为 debit 或 credit"),
        (_set_bin(3, "length", 20), "bank.bins[3].length 应为 12–19 的整数"),
        (_set_bin(3, "length", "19"), "bank.bins[3].length 应为 12–19 的整数"),
        (_set("bank.bins", [1]), "bank.bins[0] 应为表"),
        (_only_credit_bins_for_sjb, "收款银行 SJB 在 bank.bins 中没有借记卡卡 BIN"),
        (_set("bank.allowed_banks", {}), "bank.allowed_banks 至少应有一家收款银行"),
        (_set("bank.card_min_length", 20), "bank.card_min_length 不能大于 bank.card_max_length"),
        (_set("materials.spouse_extra", ["marriage_certificate", "hukou"]), "materials.names 缺少材料 hukou"),
        (_delete("materials.names.bank_card"), "materials.names 缺少材料 bank_card 的中文名称"),
        (_set("declaration.text", "   \n"), "declaration.text 承诺书正文不能为空"),
    ],
)
def test_each_kind_of_problem_is_named(edit: Edit, problem: str) -> None:
    data = default_mapping()
    edit(data)
    with pytest.raises(PolicyError) as info:
        policy_from_mapping(data, source="test.toml")
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_the_default_mapping_itself_is_valid() -> None:
    # The cases above start from this mapping: each fails only because of its own edit.
    assert policy_from_mapping(default_mapping()) == policy_load(DEFAULT_POLICY_FILE)


def test_invalid_toml_is_a_policy_error(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(edited(DEFAULT_TEXT, "[review]", "[review"), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        policy_load(path)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("不是有效的 TOML")
    assert str(path) in str(info.value)


def test_a_file_that_is_not_utf8_is_a_policy_error(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(DEFAULT_TEXT.encode("gb18030"))
    with pytest.raises(PolicyError, match="不是有效的 TOML"):
        policy_load(path)


def test_a_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(PolicyError) as info:
        policy_load(path)
    assert info.value.problems[0].startswith("无法读取文件")
    assert str(path) in str(info.value)


# --- lookups ---------------------------------------------------------------------------------


def test_find_bin_prefers_the_longest_prefix() -> None:
    data = default_mapping()
    data["bank"]["bins"] = [
        {"prefix": "6217", "bank": "ICBC", "type": "debit", "length": 16},
        {"prefix": "62170012", "bank": "SJB", "type": "debit", "length": 18},
        {"prefix": "621700", "bank": "CCB", "type": "debit", "length": 19},
    ]
    policy = policy_from_mapping(data)
    assert policy.find_bin("6217009934567890123") == CardBin("621700", "CCB", "debit", 19)
    assert policy.find_bin("6217001212345678") == CardBin("62170012", "SJB", "debit", 18)
    assert policy.find_bin("6217991234567890") == CardBin("6217", "ICBC", "debit", 16)
    assert policy.find_bin("6218001234567890") is None
    assert policy.find_bin("") is None


def test_find_bin_on_the_shipped_default(default_policy: Policy) -> None:
    assert default_policy.find_bin("6217000010001234569") == CardBin("621700", "CCB", "debit", 19)
    assert default_policy.find_bin("4367180000000000") == CardBin("436718", "CCB", "credit", 16)
    assert default_policy.find_bin("4270100000000000") == CardBin("427010", "ICBC", "credit", 16)
    assert default_policy.find_bin("6228480000000000000") is None  # 农业银行: not a receiving bank


@pytest.mark.parametrize(
    ("kind", "relation", "expected"),
    [
        ("new", "buyer", NEW_MATERIALS),
        ("new", None, NEW_MATERIALS),
        ("resale", "buyer", RESALE_MATERIALS),
        ("new", "spouse", (*NEW_MATERIALS, "marriage_certificate")),
        ("resale", "spouse", (*RESALE_MATERIALS, "marriage_certificate")),
    ],
)
def test_required_materials(default_policy: Policy, kind: str, relation: str | None, expected) -> None:
    assert default_policy.required_materials(house_kind=kind, relation=relation) == expected


# --- the policy in force ---------------------------------------------------------------------


def test_active_policy_follows_an_edited_file(tmp_path: Path, settings) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(DEFAULT_TEXT, encoding="utf-8")
    settings.GJJ_POLICY_FILE = str(path)
    assert active_policy().min_consecutive_months == 3

    path.write_text(
        edited(DEFAULT_TEXT, "min_consecutive_months = 3\n\n[loan]", "min_consecutive_months = 6\n\n[loan]"),
        "utf-8",
    )
    later = path.stat().st_mtime_ns + 5_000_000_000
    os.utime(path, ns=(later, later))
    assert active_policy().min_consecutive_months == 6

    path.write_text("not = [toml", encoding="utf-8")
    os.utime(path, ns=(later + 5_000_000_000, later + 5_000_000_000))
    with pytest.raises(PolicyError):
        active_policy()


# --- start-up --------------------------------------------------------------------------------


def _django_setup(policy_file: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gjj.settings.test",
        "GJJ_POLICY_FILE": str(policy_file),
        "GJJ_VAR_DIR": str(tmp_path / "var"),
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_django_starts_with_a_good_policy_file(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(DEFAULT_TEXT, encoding="utf-8")
    result = _django_setup(good, tmp_path)
    assert result.returncode == 0, result.stderr


def test_django_refuses_to_start_with_a_bad_policy_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = edited(
        DEFAULT_TEXT, "min_consecutive_months = 3\n\n[loan]", 'min_consecutive_months = "three"\n\n[loan]'
    )
    bad.write_text(
        edited(text, 'allowed_kinds = ["new", "resale"]', 'allowed_kinds = ["new", "villa"]'), "utf-8"
    )
    result = _django_setup(bad, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"提取政策文件 {bad} 有误" in result.stderr
    assert "account.min_consecutive_months 的类型不正确" in result.stderr
    assert "house.allowed_kinds 中的“villa”不是可识别的取值" in result.stderr


def test_django_refuses_to_start_without_the_policy_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    result = _django_setup(missing, tmp_path)
    assert result.returncode != 0
    assert f"提取政策文件 {missing} 有误" in result.stderr
    assert "无法读取文件" in result.stderr
