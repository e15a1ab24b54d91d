"""The same input gives the same outcome and the same words on every member channel: each row of a
table of inputs is typed into the desktop's 购买商品住房提取 form, the H5's steps and the JSON API,
and what each stored in the draft (the house number, the bank, the card, the amount) and what each
said are compared. The inputs include the three the channels used to disagree on: a lower-case
contract number with spaces, a card number with "-", and "50,000元".

The member's one draft is shared by the channels, so it is removed between them."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pytest
from django.test import Client

from gjj.applications.forms import HOUSE_BOTH
from gjj.policy.rules import HOUSE_NOT_FOUND
from gjj.withdrawals.form_selectors import draft_house_check
from gjj.withdrawals.models import Application, State
from tests.gjj.api.conftest import bearer
from tests.gjj.hall.test_withdrawal_form import CARD, HTMX, PURCHASE, form_data, login, text_of
from tests.gjj.withdrawals import conftest as withdrawal_fixtures
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI

loaded = withdrawal_fixtures.loaded
_media_in_tmp = withdrawal_fixtures._media_in_tmp

pytestmark = pytest.mark.django_db

STEP = "/m/withdrawals/purchase/{}/"
API = "/api/v1"
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"


@pytest.fixture(autouse=True)
def _sample_day(monkeypatch):
    day = dt.date(2026, 11, 27)
    monkeypatch.setattr("gjj.withdrawals.services.today_shanghai", lambda: day)
    monkeypatch.setattr("gjj.withdrawals.form_selectors.today_shanghai", lambda: day)


@dataclass(frozen=True)
class Row:
    """What the member types; what every channel must keep, and the words each must say."""

    contract_no: str = ZHANG_HOUSE
    archive_no: str = ""
    bank: str = "CCB"
    card_no: str = ZHANG_CARD
    amount: str = ""
    house_key: str = ZHANG_HOUSE
    stored_bank: str = "CCB"
    stored_card: str = ZHANG_CARD
    amount_fen: int | str = "max"  # "max": none kept, or the house's maximum (what a blank means)
    words: tuple[str, ...] = ()


ROWS = {
    "lower-case contract number with spaces": Row(contract_no=" sy2026 0518 0001234 "),
    "contract number with a full-width space": Row(contract_no="SY20260518\u30000001234"),
    "card number with - and spaces": Row(card_no="6217-0013 7621-2461 799"),
    "bank code in lower case": Row(bank=" ccb "),
    "amount with a comma and 元": Row(amount="50,000元", amount_fen=5_000_000),
    "amount with a full-width comma and spaces": Row(amount=" 5，000.50 元", amount_fen=500_050),
    "blank amount": Row(amount="", amount_fen="max"),
    "amount that is not a number": Row(
        amount="五万",
        amount_fen="max",
        words=("提取金额“五万”格式不正确，请填写以元为单位、最多两位小数的金额，例如 50000.00",),
    ),
    "amount with three decimals": Row(
        amount="12.345",
        amount_fen="max",
        words=("提取金额“12.345”格式不正确，请填写以元为单位、最多两位小数的金额，例如 50000.00",),
    ),
    "amount of zero": Row(amount="0", amount_fen="max", words=("提取金额须大于 0 元",)),
    "card with a wrong check digit": Row(
        card_no="6217001376212461798",
        stored_card="6217001376212461798",
        words=("银行卡号码校验位不正确，请核对卡号",),
    ),
    "card number too long": Row(
        card_no="6217 0013 7621 2461 7991 234",
        stored_card="",
        words=("银行卡号码应为 16–19 位数字，您输入的是 23 位",),
    ),
    "card of another bank": Row(
        bank="ICBC",
        stored_bank="ICBC",
        words=("该卡号属于建设银行，与所选收款银行工商银行不一致",),
    ),
    "both house numbers": Row(archive_no="2026010203456", house_key="", words=(HOUSE_BOTH,)),
    "a house that is not the member's": Row(
        contract_no="sy 2099 0000", house_key="SY20990000", words=(HOUSE_NOT_FOUND,)
    ),
}


@dataclass
class Outcome:
    house_key: str
    bank: str
    card_no: str
    amount_fen: int | str | None
    words: str = ""
    ok: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def stored(self) -> tuple[object, ...]:
        return (self.house_key, self.bank, self.card_no, self.amount_fen)


def _outcome(person, words: list[str], ok: bool) -> Outcome:
    application = Application.objects.get(person=person, state=State.DRAFT)
    amount: int | str | None = application.amount_fen
    check = draft_house_check(application)
    if amount is None or (check is not None and amount == check.max_amount_fen):
        amount = "max"
    # The draft is the member's one draft on every channel: the next channel starts afresh.
    application.delete()
    return Outcome(
        house_key=application.house_key,
        bank=application.bank,
        card_no=application.card_no,
        amount_fen=amount,
        words=" ".join(words),
        ok=ok,
    )


def desktop(client: Client, person, row: Row) -> Outcome:
    """The one-page form: 查询 (the no-JS post of every field), the card checked as typed (htmx),
    and the page as it then shows the draft."""
    fields = {"contract_no": row.contract_no, "archive_no": row.archive_no, "bank": row.bank}
    fields.update(card_no=row.card_no, amount=row.amount)
    posted = client.post(PURCHASE, form_data(**fields, declaration=False, action="lookup"))
    words = [text_of(posted.content.decode())]
    card = client.post(CARD, form_data(**fields, declaration=False), headers=HTMX)
    words.append(text_of(card.content.decode()))
    words.append(text_of(client.get(PURCHASE).content.decode()))
    return _outcome(person, words, ok=posted.status_code == 302)


def h5(client: Client, person, row: Row) -> Outcome:
    """The H5's steps: 房屋信息, then 收款账户信息."""
    headers = {"User-Agent": PHONE}
    client.get("/m/withdrawals/purchase/", headers=headers)
    house = client.post(
        STEP.format("house"),
        {"contract_no": row.contract_no, "archive_no": row.archive_no, "action": "next"},
        headers=headers,
    )
    account = client.post(
        STEP.format("account"),
        {"bank": row.bank, "card_no": row.card_no, "amount": row.amount},
        headers=headers,
    )
    words = [text_of(house.content.decode()), text_of(account.content.decode())]
    return _outcome(person, words, ok=house.status_code == 302 and account.status_code == 302)


def api(client: Client, person, row: Row) -> Outcome:
    """The API: the draft, a PATCH of each field as a native form sends it, and 核验收款银行卡."""
    headers = bearer(person.id_number)

    def send(method, url, body):
        call = client.patch if method == "patch" else client.post
        return call(url, data=json.dumps(body), content_type="application/json", **headers)

    created = send("post", f"{API}/applications", {})
    assert created.status_code == 200, created.content
    url = f"{API}/applications/{created.json()['id']}"
    answers = []
    house = {k: v for k, v in (("contract_no", row.contract_no), ("archive_no", row.archive_no)) if v}
    for body in (house, {"bank": row.bank}, {"card_no": row.card_no}, {"amount": row.amount}):
        answers.append(send("patch", url, body))
    words = [a.json().get("message", "") for a in answers if a.status_code != 200]
    checked = send("post", f"{API}/cards/check", {"bank": row.bank, "card_no": row.card_no})
    words += [check["reason"] for check in checked.json().get("checks", []) if not check["passed"]]
    return _outcome(person, words, ok=all(a.status_code == 200 for a in answers))


CHANNELS = {"desktop": desktop, "h5": h5, "api": api}


@pytest.mark.parametrize("name", list(ROWS))
def test_the_same_input_gives_the_same_outcome_and_words_on_every_channel(loaded, client, name):
    row = ROWS[name]
    person = login(client, ZHANG_WEI)
    outcomes = {channel: drive(client, person, row) for channel, drive in CHANNELS.items()}

    expected = (row.house_key, row.stored_bank, row.stored_card, row.amount_fen)
    for channel, outcome in outcomes.items():
        assert outcome.stored == expected, f"{channel} kept {outcome.stored}, not {expected}"
        for words in row.words:
            assert words in outcome.words, f"{channel} did not say “{words}”: {outcome.words[:400]}"
        if not row.words:
            assert outcome.ok, f"{channel} refused a good input: {outcome.words[:400]}"
