"""The H5 wizard in the desktop's words (gjj.core.glossary): 身份证号, the amount filled in with the
maximum as the desktop does, and money formatted as on the desktop."""

from __future__ import annotations

import re

import pytest

from tests.gjj.hall.test_withdrawal_form import login, text_of
from tests.gjj.mobile.test_mobile import (
    ANDROID,
    STEP,
    YANG_ARCHIVE,
    YANG_CARD,
    YANG_LEI,
    _sample_day,  # noqa: F401 - autouse fixture
    loaded,  # noqa: F401 - fixture
    walk_to_declaration,
)
from tests.gjj.withdrawals.conftest import _media_in_tmp  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db


def _amount_input(page: str) -> str:
    match = re.search(r'<input id="id_amount"[^>]*value="([^"]*)"', page)
    assert match, page
    return match.group(1)


def _to_account_step(client) -> None:
    assert client.post(STEP.format("notice")).status_code == 302
    assert client.post(STEP.format("person")).status_code == 302
    assert (
        client.post(STEP.format("house"), {"archive_no": YANG_ARCHIVE, "action": "next"}).status_code == 302
    )


def test_the_person_step_says_id_number_as_the_desktop_does(client, loaded):  # noqa: F811
    login(client, YANG_LEI)

    page = client.get(STEP.format("person"), HTTP_USER_AGENT=ANDROID).content.decode()

    assert "<dt>身份证号</dt>" in page and "证件号码" not in page


def test_the_account_step_fills_in_the_maximum_which_the_member_may_lower(client, loaded):  # noqa: F811
    login(client, YANG_LEI)
    _to_account_step(client)

    page = client.get(STEP.format("account"), HTTP_USER_AGENT=ANDROID).content.decode()

    assert _amount_input(page) == "120500.80"
    hint = text_of(re.search(r'<p class="m-hint" id="amount-hint">.*?</p>', page, re.S).group(0))
    assert "本次最多可提取 120,500.80 元" in hint and "已为您填入，可以改小" in hint
    assert "留空" not in page


def test_a_lower_amount_the_member_chose_is_kept(client, loaded):  # noqa: F811
    login(client, YANG_LEI)
    _to_account_step(client)

    response = client.post(STEP.format("account"), {"bank": "SJB", "card_no": YANG_CARD, "amount": "50000"})
    assert response.status_code == 302
    page = client.get(STEP.format("account"), HTTP_USER_AGENT=ANDROID).content.decode()

    assert _amount_input(page) == "50000.00"


def test_an_amount_that_does_not_parse_is_shown_as_typed(client, loaded):  # noqa: F811
    login(client, YANG_LEI)
    _to_account_step(client)

    response = client.post(STEP.format("account"), {"bank": "SJB", "card_no": YANG_CARD, "amount": "十二"})

    assert response.status_code == 400
    assert _amount_input(response.content.decode()) == "十二"


def test_the_declaration_step_shows_the_amount_as_the_desktop_does(client, loaded):  # noqa: F811
    login(client, YANG_LEI)
    walk_to_declaration(client, house={"archive_no": YANG_ARCHIVE}, bank="SJB", card=YANG_CARD)

    page = client.get(STEP.format("declaration"), HTTP_USER_AGENT=ANDROID).content.decode()

    assert "<dt>提取金额</dt><dd>120,500.80 元</dd>" in page
    assert "120500.80 元" not in page
