"""`gjj evaluate --reason rent|retirement` on the sample and the other reasons' sample (韩梅, 曹阳,
邓超), through the live registry and bank simulators: the outcomes of DESIGN.md, "Other withdrawal
reasons", in the JSON contract."""

from __future__ import annotations

import pytest
from django.core.management import CommandError

from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_WEI
from tests.gjj.withdrawals.test_evaluate_command import evaluate, failed

HAN_MEI = ("210102196503150524", "CCB", "6217006362656765957")
CAO_YANG = ("210104199609090351", "ICBC", "6222022952745110411")
DENG_CHAO = ("210105196407010176", "SJB", "6224558587060954098")

pytestmark = pytest.mark.django_db


def by_reason(reason: str, member: tuple[str, str, str], *extra: str) -> dict:
    id_number, bank, card = member
    return evaluate("--reason", reason, "--id-number", id_number, "--bank", bank, "--card", card, *extra)


def test_han_mei_retires_with_her_whole_balance(loaded_reasons):
    result = by_reason("retirement", HAN_MEI)

    assert failed(result) == set()
    assert (result["eligible"], result["relation"], result["max_amount"]) == (True, None, "156300.25")
    assert {"retired", "loan_active", "amount"} <= {check["rule"] for check in result["checks"]}


def test_cao_yang_may_withdraw_three_months_of_rent(loaded_reasons):
    result = by_reason("rent", CAO_YANG)

    assert failed(result) == set()
    assert (result["eligible"], result["relation"], result["max_amount"]) == (True, None, "4500.00")
    assert by_reason("rent", CAO_YANG, "--amount", "4500.01")["eligible"] is False


def test_deng_chao_must_settle_his_loan_first(loaded_reasons):
    result = by_reason("retirement", DENG_CHAO)

    assert failed(result) == {"loan_active"}
    assert result["eligible"] is False


def test_a_member_who_owns_a_house_is_refused_rent(loaded_reasons):
    # 张伟 is a buyer of SY202605180001234 in the sample.
    result = by_reason("rent", (ZHANG_WEI, "CCB", ZHANG_CARD))
    assert "owns_house" in failed(result)
    assert "名下有住房" in next(c["reason"] for c in result["checks"] if c["rule"] == "owns_house")


def test_a_member_not_retired_is_refused_retirement(loaded_reasons):
    assert "retired" in failed(by_reason("retirement", CAO_YANG))


def test_the_house_belongs_to_purchase_only(loaded_reasons):
    with pytest.raises(CommandError, match="不填写房屋编号"):
        by_reason("rent", CAO_YANG, "--contract-no", "SY202605180001234")
    with pytest.raises(CommandError, match="须填写 --contract-no"):
        evaluate("--id-number", CAO_YANG[0], "--bank", "ICBC", "--card", CAO_YANG[2])
