"""The 长辈版 of the 购买商品住房提取 form says its key hints in fewer, plainer words (the page and
the htmx fragments alike); the standard mode keeps the full wording."""

from __future__ import annotations

import pytest

from tests.gjj.hall.test_withdrawal_form import HOUSE, HTMX, PURCHASE, form_data, login, text_of
from tests.gjj.preferences.support import is_elder, switch
from tests.gjj.withdrawals import conftest as withdrawal_fixtures
from tests.gjj.withdrawals.conftest import ZHANG_HOUSE, ZHANG_WEI

loaded = withdrawal_fixtures.loaded
_media_in_tmp = withdrawal_fixtures._media_in_tmp

pytestmark = pytest.mark.django_db

PLAIN_HOUSE = "新房填购房合同上的备案合同号，二手房填不动产权证书上的房证新档案号，填一项就行。"
FULL_HOUSE = "两项填写一项即可。"
PLAIN_CARD = "钱只转到 您本人名下的一类卡 （借记卡），不能用信用卡。"  # text_of spaces around <strong>
FULL_CARD = "不能使用信用卡、二类或三类账户。"


def test_the_form_s_hints_are_plainer_in_the_elder_mode(loaded, client):
    login(client, ZHANG_WEI)

    standard = text_of(client.get(PURCHASE).content.decode())
    assert FULL_HOUSE in standard and FULL_CARD in standard
    assert PLAIN_HOUSE not in standard and PLAIN_CARD not in standard

    switch(client, "elder", next_path=PURCHASE)
    page = client.get(PURCHASE).content.decode()

    assert is_elder(page)
    text = text_of(page)
    assert PLAIN_HOUSE in text and PLAIN_CARD in text
    assert FULL_HOUSE not in text and FULL_CARD not in text


def test_the_echoed_amount_hint_is_plainer_in_the_elder_mode(loaded, client):
    login(client, ZHANG_WEI)
    switch(client, "elder", next_path=PURCHASE)

    fragment = client.post(
        HOUSE, {**form_data(contract_no=ZHANG_HOUSE), "lookup_field": "contract_no"}, headers=HTMX
    ).content.decode()

    text = text_of(fragment)
    assert "查询到的房屋信息" in text
    assert "最多能取 86,420.50 元 ，已帮您填好，也可以改少。" in text
    assert "可用余额与该房屋尚可提取金额中的较小者" not in text
