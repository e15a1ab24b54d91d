"""validate_dataset: every offending path with a Chinese reason, for every rule of DATASET.md."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gjj.core.money import fen_to_yuan
from gjj.datasets.documents import dataset_merge
from gjj.datasets.generator import dataset_generate
from gjj.datasets.validation import DatasetProblem, validate_dataset
from tests.gjj.datasets.conftest import _NAMED, _REASONS, DEMO_DATASET
from tests.support.id_numbers import INVALID, VALID


def paths(problems: list[DatasetProblem]) -> list[str]:
    return [problem.path for problem in problems]


def test_the_named_members_pass(named_document: dict[str, Any]) -> None:
    assert validate_dataset(named_document) == []


def test_the_other_reasons_sample_passes_alone_and_after_the_sample(
    named_document: dict[str, Any], reasons_document: dict[str, Any]
) -> None:
    assert validate_dataset(reasons_document) == []
    assert validate_dataset(dataset_merge([named_document, reasons_document])) == []


def test_the_shipped_demo_dataset_passes() -> None:
    assert validate_dataset(json.loads(DEMO_DATASET.read_text(encoding="utf-8"))) == []


def test_a_document_that_is_not_an_object_is_refused() -> None:
    assert validate_dataset([1, 2]) == [DatasetProblem("$", "数据文件的顶层应为 JSON 对象")]


def test_a_problem_prints_as_path_and_reason() -> None:
    assert (
        str(DatasetProblem("people[3].id_number", "身份证号校验位不正确"))
        == "people[3].id_number: 身份证号校验位不正确"
    )


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """A mutation that sets ``section[index].field`` (or a top-level key) to ``value``."""

    def mutate(document: dict) -> None:
        target: Any = document
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if value is _DELETE:
            del target[last]
        elif last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


_DELETE = object()

# (mutation, offending path, a fragment of the reason)
CASES = [
    (_set("format", "gjj-dataset/2"), "format", "gjj-dataset/1"),
    (_set("format", _DELETE), "format", "缺少"),
    (_set("as_of", "2026-13-01"), "as_of", "YYYY-MM-DD"),
    (_set("as_of", "20261127"), "as_of", "YYYY-MM-DD"),
    (_set("extra_section", []), "extra_section", "不认识的顶层字段"),
    (_set("people", {}), "people", "应为数组"),
    (_set("employers[0].code", ""), "employers[0].code", "非空"),
    (_set("employers[1].code", "210100000101"), "employers[1].code", "重复"),
    (_set("people[3].id_number", "210105199506200138"), "people[3].id_number", "校验位"),
    (_set("people[3].id_number", "21010519950620013"), "people[3].id_number", "18 位"),
    (_set("people[3].id_number", "210105199502300132"), "people[3].id_number", "出生日期"),
    (_set("people[3].id_number", "210102198803120158"), "people[3].id_number", "重复"),
    (_set("people[2].phone", "1380400100"), "people[2].phone", "11 位"),
    (_set("people[2].phone", "23804001003"), "people[2].phone", "11 位"),
    (_set("people[2].name", None), "people[2].name", "不能为空"),
    (_set("people[2].nickname", "小王"), "people[2].nickname", "不认识的字段"),
    (_set("people[2].spouse_id_number", "210102199108180647"), "people[2].spouse_id_number", "没有指向本人"),
    (_set("people[2].spouse_id_number", "21010419850101028X"), "people[2].spouse_id_number", "本人"),
    (
        _set("people[2].spouse_id_number", "11010519491231002X"),
        "people[2].spouse_id_number",
        "不在 people 中",
    ),
    (_set("accounts[1].account_no", "210100000001"), "accounts[1].account_no", "重复"),
    (_set("accounts[1].id_number", "210102198803120158"), "accounts[1].id_number", "只能有一个个人账户"),
    (_set("accounts[1].id_number", "11010519491231002X"), "accounts[1].id_number", "不在 people 中"),
    (_set("accounts[1].employer_code", "999"), "accounts[1].employer_code", "不在 employers 中"),
    (_set("accounts[1].status", "active"), "accounts[1].status", "normal / sealed / frozen / closed"),
    (_set("accounts[0].balance", "-1.00"), "accounts[0].balance", "不小于 0"),
    (_set("accounts[0].balance", "1.234"), "accounts[0].balance", "两位小数"),
    (_set("accounts[0].balance", 86420.5), "accounts[0].balance", "字符串"),
    (_set("accounts[0].monthly_deposit", "abc"), "accounts[0].monthly_deposit", "格式不正确"),
    (_set("accounts[0].opened_on", "2016-02-30"), "accounts[0].opened_on", "有效日期"),
    (_set("accounts[0].paid_through", "2026-13"), "accounts[0].paid_through", "YYYY-MM"),
    (_set("accounts[0].consecutive_months", -1), "accounts[0].consecutive_months", "不小于 0 的整数"),
    (_set("accounts[0].consecutive_months", 1.5), "accounts[0].consecutive_months", "整数"),
    (_set("accounts[0].consecutive_months", True), "accounts[0].consecutive_months", "整数"),
    (_set("loans[0].status", "late"), "loans[0].status", "active / settled / overdue"),
    (_set("loans[0].overdue_months", -2), "loans[0].overdue_months", "不小于 0"),
    (_set("loans[0].id_number", "11010519491231002X"), "loans[0].id_number", "不在 people 中"),
    (_set("houses[0].archive_no", "2026010203457"), "houses[0]", "有且只有一个"),
    (_set("houses[0].contract_no", None), "houses[0]", "有且只有一个"),
    (_set("houses[0].kind", "resale"), "houses[0].archive_no", "存量房"),
    (_set("houses[1].kind", "new"), "houses[1].contract_no", "新建商品房"),
    (_set("houses[0].kind", "villa"), "houses[0].kind", "new / resale"),
    (_set("houses[0].filed_on", None), "houses[0].filed_on", "备案日期"),
    (_set("houses[1].registered_on", None), "houses[1].registered_on", "登记日期"),
    (_set("houses[0].status", "revoked"), "houses[0].status", "valid / cancelled"),
    (_set("houses[0].buyers", []), "houses[0].buyers", "至少包含一名购房人"),
    (_set("houses[0].buyers[0].id_number", "210102198803120159"), "houses[0].buyers[0].id_number", "校验位"),
    (_set("houses[2].contract_no", "SY202605180001234"), "houses[2].contract_no", "重复"),
    (_set("houses[0].total_price", "0.00"), "houses[0].total_price", "大于 0"),
    (_set("houses[0].area_m2", "-5"), "houses[0].area_m2", "面积"),
    (_set("prior_withdrawals[0].house", "SY000000000000000"), "prior_withdrawals[0].house", "不在 houses 中"),
    (
        _set("prior_withdrawals[0].id_number", "11010519491231002X"),
        "prior_withdrawals[0].id_number",
        "不在 people",
    ),
    (_set("prior_withdrawals[0].amount", "0"), "prior_withdrawals[0].amount", "大于 0"),
    (_set("prior_withdrawals[0].paid_on", "yesterday"), "prior_withdrawals[0].paid_on", "日期"),
    (_set("bank_accounts[0].card_no", "6217001376212461798"), "bank_accounts[0].card_no", "校验位"),
    (_set("bank_accounts[0].card_no", "621700137621246"), "bank_accounts[0].card_no", "16–19 位"),
    (_set("bank_accounts[1].card_no", "6217001376212461799"), "bank_accounts[1].card_no", "重复"),
    (_set("bank_accounts[0].bank", ""), "bank_accounts[0].bank", "非空"),
    (_set("bank_accounts[0].bank", "ccb"), "bank_accounts[0].bank", "银行代码"),
    (_set("bank_accounts[0].account_class", 4), "bank_accounts[0].account_class", "1、2 或 3"),
    (_set("bank_accounts[0].account_class", "1"), "bank_accounts[0].account_class", "1、2 或 3"),
    (_set("bank_accounts[0].status", "lost"), "bank_accounts[0].status", "normal / frozen / closed"),
    (_set("bank_accounts[0].holder_id_number", "123"), "bank_accounts[0].holder_id_number", "18 位"),
    (_set("gov_users[0].id_number", "210102198803120159"), "gov_users[0].id_number", "校验位"),
    (_set("gov_users[1].id_number", "210102198803120158"), "gov_users[1].id_number", "重复"),
    (_set("gov_users[1].phone", "13804001001"), "gov_users[1].phone", "重复"),
    (_set("gov_users[0].phone", "138-0400-1001"), "gov_users[0].phone", "11 位"),
    (_set("gov_users[0].password", ""), "gov_users[0].password", "非空"),
]


@pytest.mark.parametrize(("mutate", "path", "reason"), CASES, ids=[f"{c[1]}:{c[2]}" for c in CASES])
def test_each_kind_of_problem_is_reported_at_its_path(
    named_document: dict[str, Any], mutate: Callable[[dict], None], path: str, reason: str
) -> None:
    mutate(named_document)

    problems = validate_dataset(named_document)

    assert path in paths(problems), problems
    assert any(reason in problem.reason for problem in problems if problem.path == path), problems


def test_other_banks_are_allowed_in_the_data(named_document: dict[str, Any]) -> None:
    """They are refused later, as receiving banks, by the bank_allowed rule; the data may hold them."""
    named_document["bank_accounts"][0]["bank"] = "ABC"
    assert validate_dataset(named_document) == []


def test_a_missing_section_is_an_empty_one(named_document: dict[str, Any]) -> None:
    document = {"format": "gjj-dataset/1", "as_of": "2026-11-27", "gov_users": named_document["gov_users"]}
    assert validate_dataset(document) == []


def test_many_problems_are_all_listed_at_once(named_document: dict[str, Any]) -> None:
    named_document["people"][3]["id_number"] = "210105199506200138"
    named_document["accounts"][0]["balance"] = "1.234"
    named_document["houses"][2]["archive_no"] = "2022040700098"
    named_document["bank_accounts"][5]["card_no"] = "4367427767603688093"
    named_document["gov_users"][11]["password"] = ""
    named_document["loans"][0]["overdue_months"] = -3
    named_document["unexpected"] = True

    found = paths(validate_dataset(named_document))

    for path in (
        "people[3].id_number",
        "accounts[0].balance",
        "houses[2]",
        "bank_accounts[5].card_no",
        "gov_users[11].password",
        "loans[0].overdue_months",
        "unexpected",
        # the account of the changed person now points at nobody
        "accounts[3].id_number",
    ):
        assert path in found


def test_a_large_generated_document_validates_clean(named_document: dict[str, Any]) -> None:
    """20,000 people × every section: the cross-references hold at scale. (How fast is the bench's
    business, not a timed test's: this one failed on a loaded machine and proved nothing.)"""
    document = dataset_generate(people=20_000, seed=7, as_of=dt.date(2026, 11, 27))
    assert validate_dataset(document) == []


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)
_FIELDS = [
    (section, index, field)
    for section in (
        "employers",
        "people",
        "accounts",
        "loans",
        "houses",
        "prior_withdrawals",
        "bank_accounts",
    )
    for index, item in enumerate(_NAMED[section][:2])
    for field in item
] + [(None, None, "format"), (None, None, "as_of")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(_FIELDS), value=_JSON)
def test_any_value_anywhere_gives_problems_not_a_crash(target: tuple, value: Any) -> None:
    document = copy.deepcopy(_NAMED)
    section, index, field = target
    original = document[field] if section is None else document[section][index][field]
    if section is None:
        document[field] = value
    else:
        document[section][index][field] = value

    problems = validate_dataset(document)

    assert all(isinstance(problem, DatasetProblem) and problem.reason for problem in problems)
    if value != original:
        # a changed value is either still valid, or reported at its own path (or its item)
        item_path = field if section is None else f"{section}[{index}]"
        assert (
            not problems
            or any(problem.path.startswith(item_path) for problem in problems)
            or any(
                "不在" in problem.reason or "配偶" in problem.reason or "账户" in problem.reason
                for problem in problems
            )
        )


@settings(max_examples=100, deadline=None)
@given(fen=st.integers(min_value=0, max_value=10**12))
def test_every_non_negative_amount_in_yuan_passes(fen: int) -> None:
    document = copy.deepcopy(_NAMED)
    document["accounts"][0]["balance"] = fen_to_yuan(fen)
    assert validate_dataset(document) == []


def _with_person(document: dict[str, Any], id_number: str) -> dict[str, Any]:
    document["people"].append(
        {"id_number": id_number, "name": "测试人", "phone": "13904019999", "spouse_id_number": None}
    )
    return document


@pytest.mark.parametrize(("id_number", "who"), VALID)
def test_real_numbers_of_every_age_and_area_code_are_accepted(
    named_document: dict[str, Any], id_number: str, who: str
) -> None:
    assert validate_dataset(_with_person(named_document, id_number)) == [], who


@pytest.mark.parametrize(("id_number", "reason"), INVALID)
def test_numbers_no_one_can_hold_are_refused_with_the_validators_reason(
    named_document: dict[str, Any], id_number: str, reason: str
) -> None:
    index = len(named_document["people"])
    problems = validate_dataset(_with_person(named_document, id_number))
    assert problems == [DatasetProblem(f"people[{index}].id_number", reason)]


# -- the other withdrawal reasons: people[].retired_on and prior_withdrawals[].reason -------------------

# In data/sample-reasons.json: people[0] 韩梅 (born 1965-03-15, retired 2025-03-31), people[1] 曹阳
# (not retired); prior_withdrawals[0] is 曹阳's rent withdrawal (house null).
REASON_CASES = [
    (_set("people[0].retired_on", "2025-02-30"), "people[0].retired_on", "退休日期应为 YYYY-MM-DD"),
    (_set("people[0].retired_on", 20250331), "people[0].retired_on", "退休日期应为 YYYY-MM-DD"),
    (_set("people[0].retired_on", "1965-03-15"), "people[0].retired_on", "应晚于出生日期 1965-03-15"),
    (_set("prior_withdrawals[0].reason", "loan"), "prior_withdrawals[0].reason", "purchase / rent / retirement"),
    (_set("prior_withdrawals[0].reason", "purchase"), "prior_withdrawals[0].house", "购房提取（purchase）应填写"),
    (_set("prior_withdrawals[0].reason", _DELETE), "prior_withdrawals[0].house", "购房提取（purchase）应填写"),
    (_set("prior_withdrawals[0].house", "SY202605180001234"), "prior_withdrawals[0].house", "租房提取（rent）不涉及房屋"),
    (_set("prior_withdrawals[0].amount", "0.00"), "prior_withdrawals[0].amount", "大于 0"),
    (_set("prior_withdrawals[0].paid_on", None), "prior_withdrawals[0].paid_on", "不能为空"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "path", "reason"), REASON_CASES, ids=[f"{c[1]}:{c[2]}" for c in REASON_CASES]
)
def test_each_problem_of_the_reason_fields_is_reported_at_its_path(
    reasons_document: dict[str, Any], mutate: Callable[[dict], None], path: str, reason: str
) -> None:
    mutate(reasons_document)

    problems = validate_dataset(reasons_document)

    assert any(problem.path == path and reason in problem.reason for problem in problems), problems


def test_a_retirement_withdrawal_names_no_house(reasons_document: dict[str, Any]) -> None:
    reasons_document["prior_withdrawals"][0]["reason"] = "retirement"
    assert validate_dataset(reasons_document) == []

    reasons_document["prior_withdrawals"][0]["house"] = "SY202605180001234"

    assert validate_dataset(reasons_document) == [
        DatasetProblem("prior_withdrawals[0].house", "离退休提取（retirement）不涉及房屋，house 应为 null")
    ]


def test_retired_on_may_be_null_or_absent(reasons_document: dict[str, Any]) -> None:
    reasons_document["people"][0]["retired_on"] = None
    del reasons_document["people"][2]["retired_on"]
    assert validate_dataset(reasons_document) == []


def test_the_same_rent_withdrawal_twice_is_reported_but_another_reason_is_another_withdrawal(
    named_document: dict[str, Any], reasons_document: dict[str, Any]
) -> None:
    document = dataset_merge([named_document, reasons_document])
    rent = document["prior_withdrawals"][1]
    document["prior_withdrawals"].append(dict(rent))
    document["prior_withdrawals"].append({**rent, "reason": "retirement"})

    assert validate_dataset(document) == [
        DatasetProblem(
            "prior_withdrawals[2]",
            "与 prior_withdrawals[1] 是同一笔历史提取（同一人、同一提取原因、同一天、同一金额）",
        )
    ]


def test_a_purchase_without_a_reason_field_is_still_checked_against_the_houses(
    named_document: dict[str, Any],
) -> None:
    assert "reason" not in named_document["prior_withdrawals"][0]
    named_document["prior_withdrawals"][0]["house"] = None

    assert validate_dataset(named_document) == [
        DatasetProblem(
            "prior_withdrawals[0].house", "购房提取（purchase）应填写所购房屋的备案合同号或房证新档案号"
        )
    ]


_REASON_FIELDS = [("people", 0, "retired_on"), ("people", 1, "retired_on"), ("prior_withdrawals", 0, "reason"),
                  ("prior_withdrawals", 0, "house")]  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(target=st.sampled_from(_REASON_FIELDS), value=_JSON)
def test_any_value_in_the_reason_fields_gives_problems_at_the_item_not_a_crash(
    target: tuple, value: Any
) -> None:
    document = copy.deepcopy(_REASONS)
    section, index, field = target
    document[section][index][field] = value

    problems = validate_dataset(document)

    assert all(problem.path.startswith(f"{section}[{index}]") for problem in problems), problems
