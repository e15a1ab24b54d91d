"""The bench's own members: N purchasers who each qualify for 秒批 (instant approval), as a
``gjj-dataset/1`` document (data/DATASET.md) that ``gjj import-dataset`` loads into the hall, the
registry and bank simulators and the SSO.

Each member: a valid 身份证号 (GB 11643 check digit), a normal fund account paid for 96 months with a
balance well under the four-eyes threshold, no loan, a new house (备案合同号) filed a month before
``as_of`` with them as the only buyer, a class-I 工商银行 debit card in their name (valid Luhn digit),
and the demo password at the SSO. The same seed, count and date give the same document; the numbers
of different seeds do not overlap (the seed is part of every number), and none has the shape of the
demo or sample datasets' numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gjj.core.identity_numbers import id_number_make, luhn_check_digit

PASSWORD = "Demo@2026"
EMPLOYER = ("210199990001", "沈阳基准测试科技有限公司")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰红梅建国志文晨宇轩浩然思雨欣怡"
# A few districts of Shenyang (codes in use since 1983, so any birth year here is valid).
AREAS = ("210102", "210103", "210104", "210105", "210106")
MAX_MEMBERS = 70_000


@dataclass(frozen=True)
class Member:
    id_number: str
    name: str
    phone: str
    account_no: str
    balance: str
    contract_no: str
    bank: str
    card_no: str


def generate(count: int, *, seed: int = 14) -> list[Member]:
    """``count`` eligible purchasers, deterministically from ``seed`` (0–99)."""
    if not 0 <= seed <= 99:
        raise ValueError("seed must be 0–99 (it is part of every number)")
    if not 0 < count <= MAX_MEMBERS:
        raise ValueError(f"count must be 1–{MAX_MEMBERS}")
    rng = random.Random(seed)
    members = []
    for i in range(count):
        # 身份证号: sequence 900–999 (none of the datasets' named members use them), 100 per birth day;
        # each seed its own district and 700 days of births (1955–1993).
        birth = dt.date(1955, 1, 1) + dt.timedelta(days=seed % 20 * 700 + i // 100)
        id_number = id_number_make(area_code=AREAS[seed // 20], birth=birth, sequence=900 + i % 100)
        card_body = f"622202{9}{seed:02d}{i:09d}"  # 工商银行 debit bin, 19 digits with the check digit
        balance_fen = rng.randrange(30_000_00, 90_000_00)
        members.append(
            Member(
                id_number=id_number,
                name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                phone=f"166{seed:02d}{i:06d}",
                account_no=f"2109{seed:02d}{i:06d}",
                balance=f"{balance_fen // 100}.{balance_fen % 100:02d}",
                contract_no=f"BENCH{seed:02d}{i:07d}",
                bank="ICBC",
                card_no=card_body + luhn_check_digit(card_body),
            )
        )
    return members


def document(members: list[Member], *, as_of: dt.date | None = None) -> dict[str, Any]:
    """The ``gjj-dataset/1`` document of ``members`` (houses filed 30 days before ``as_of``)."""
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    filed_on = as_of - dt.timedelta(days=30)
    code, employer_name = EMPLOYER
    return {
        "format": "gjj-dataset/1",
        "as_of": as_of.isoformat(),
        "employers": [{"code": code, "name": employer_name}],
        "people": [
            {"id_number": m.id_number, "name": m.name, "phone": m.phone, "spouse_id_number": None}
            for m in members
        ],
        "accounts": [
            {
                "account_no": m.account_no,
                "id_number": m.id_number,
                "employer_code": code,
                "status": "normal",
                "balance": m.balance,
                "opened_on": "2016-07-01",
                "monthly_deposit": "2400.00",
                "paid_through": f"{(as_of.replace(day=1) - dt.timedelta(days=1)):%Y-%m}",
                "consecutive_months": 96,
            }
            for m in members
        ],
        "loans": [],
        "houses": [
            {
                "contract_no": m.contract_no,
                "archive_no": None,
                "kind": "new",
                "address": f"沈阳市浑南区基准路{i % 500 + 1}号{i // 500 + 1}-1-1",
                "area_m2": "89.50",
                "total_price": "980000.00",
                "filed_on": filed_on.isoformat(),
                "registered_on": None,
                "status": "valid",
                "buyers": [{"id_number": m.id_number, "name": m.name}],
            }
            for i, m in enumerate(members)
        ],
        "prior_withdrawals": [],
        "bank_accounts": [
            {
                "card_no": m.card_no,
                "bank": m.bank,
                "holder_id_number": m.id_number,
                "holder_name": m.name,
                "account_class": 1,
                "status": "normal",
            }
            for m in members
        ],
        "gov_users": [
            {"id_number": m.id_number, "name": m.name, "phone": m.phone, "password": PASSWORD}
            for m in members
        ],
    }


def write(path: Path, members: list[Member], *, as_of: dt.date | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document(members, as_of=as_of), ensure_ascii=False), encoding="utf-8")
    return path
