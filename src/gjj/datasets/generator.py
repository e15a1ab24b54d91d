"""A synthetic ``gjj-dataset/1`` document of any size, for demos and load tests.

Everything is made up, but shaped like the real thing: members aged 18 to 90 (those past retirement
age mostly with sealed or closed accounts), 身份证号 with the Liaoning area codes in use when each
number was issued (retired codes included) and valid GB 11643 check digits, card numbers on real debit-card bins with valid Luhn digits, and the
mix of cases the withdrawal rules must tell apart (sealed and frozen accounts, short contribution
histories, overdue loans, cancelled filings, filings older than two years, co-buyers, spouses,
houses already withdrawn against, second-class cards, cards of other banks), and of the other
reasons: retirement dates from the social-security data for most members past retirement age
(some with a loan still running, some who already withdrew everything at retirement), and rent
withdrawals paid before this system to members who own no house, some recent, some long ago.

The same seed and the same arguments give the same document, byte for byte: one
``random.Random(seed)`` drives every choice, and sets are only used to test for duplicates,
never iterated.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from gjj.core.area_codes import area_code_history
from gjj.core.identity_numbers import id_number_birth_date, id_number_make, luhn_check_digit
from gjj.core.money import fen_to_yuan
from gjj.core.timeutil import add_years
from gjj.datasets.documents import DATASET_FORMAT, DATASET_SECTIONS

# The documented password of every demo account (synthetic data only, DATASET.md).
DEMO_PASSWORD = "Demo@2026"  # noqa: S105

# Debit-card bins and card lengths (DATASET.md). Credit-card bins are never generated: a
# receiving account is always a debit card, and the rules test credit cards from user input.
DEBIT_CARD_BINS: dict[str, tuple[tuple[str, int], ...]] = {
    "CCB": (("621700", 19), ("622700", 19), ("436742", 19), ("621284", 19), ("622280", 19), ("623668", 19)),
    "ICBC": (
        ("622200", 19),
        ("622202", 19),
        ("622203", 19),
        ("622208", 19),
        ("621225", 19),
        ("621226", 19),
        ("621288", 19),
    ),
    "SJB": (("622455", 19), ("940039", 19), ("566666", 18), ("623108", 16), ("623081", 16)),
    # Banks the centre does not pay to: present in the data, refused as receiving banks.
    "ABC": (("622848", 19),),
    "BOC": (("621661", 19),),
}
BANK_WEIGHTS = (("CCB", 40), ("ICBC", 35), ("SJB", 20), ("ABC", 3), ("BOC", 2))

# Where members' numbers were issued: districts and counties of Shenyang, Dalian and Anshan, most
# in Shenyang. A number keeps the code it was issued under for life, so retired codes (辽中县
# 210122 until 2016, 新民县 210121 until 1993) stay on the cards of the people issued under them,
# and renamed areas (东陵区 → 浑南区, 新城子区 → 沈北新区) keep theirs. A code is drawn only for
# people whose first number was issued while the code was in use (GB/T 2260's years).
ISSUING_AREAS = (
    ("210102", 14),  # 沈阳 和平区
    ("210103", 14),  # 沈河区
    ("210104", 10),  # 大东区
    ("210105", 10),  # 皇姑区
    ("210106", 12),  # 铁西区
    ("210111", 4),  # 苏家屯区
    ("210112", 8),  # 东陵区, 浑南区 since 2014
    ("210113", 5),  # 新城子区, 沈北新区 since 2006
    ("210114", 6),  # 于洪区
    ("210122", 2),  # 辽中县 (until 2016)
    ("210115", 2),  # 辽中区 (since 2016)
    ("210121", 1),  # 新民县 (until 1993)
    ("210181", 1),  # 新民市 (since 1993)
    ("210202", 3),  # 大连 中山区
    ("210203", 2),  # 西岗区
    ("210211", 3),  # 甘井子区
    ("210302", 2),  # 鞍山 铁东区
    ("210303", 2),  # 铁西区
)
# Numbers were first issued in 1984; people get their first card at about 16.
FIRST_ISSUE_YEAR = 1984
FIRST_CARD_AGE = 16

# Members' ages (18 to 90, most of working age): (youngest, oldest, weight).
AGE_BANDS = ((18, 21, 4), (22, 35, 30), (36, 50, 32), (51, 60, 18), (61, 70, 10), (71, 80, 4), (81, 90, 2))
# Statutory retirement age; members past it have mostly stopped paying (封存) or withdrawn (销户).
RETIREMENT_AGE = {True: 60, False: 55}
# The retirement ages in the social-security data: men at 60; women at 50 (workers) or 55 (cadres).
# A member retires at the end of the month of that birthday.
RETIREMENT_AGES = {True: ((60, 1),), False: ((50, 40), (55, 60))}
# The share of members past their retirement age whose retirement the data records.
RETIREMENT_RECORDED = 0.85
# Rent (租房提取) before this system: the share of members with a normal account and no house (nor
# a spouse with one) who rented and withdrew for it, the months a payment covered, and the rent
# per month it paid (at most the policy's default monthly limit of 1,500 元).
RENT_SHARE = 0.12
RENT_PERIOD_MONTHS = ((3, 35), (6, 30), (12, 35))
RENT_MONTHLY_FEN = (50_000, 150_000)
# Members who retired and closed their account mostly withdrew the balance at retirement (离退休提取).
RETIREMENT_WITHDRAWAL_SHARE = 0.7

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤关佟"
)
MALE_GIVEN = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建亮成峰东博文志海松岩威振国庆"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀玲桂英婷雪慧红梅琳颖倩晶妍琪璐欣悦佳萍蕾薇月莹丹玉洁燕蓉岚爽楠"
PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
]

EMPLOYER_WORDS = [
    "北方",
    "辽河",
    "盛京",
    "浑河",
    "东北",
    "华晨",
    "沈飞",
    "辽沈",
    "长白",
    "渤海",
    "北陵",
    "东陵",
    "铁西",
    "新松",
    "金杯",
    "远大",
    "北站",
    "奉天",
    "中街",
    "棋盘山",
]
EMPLOYER_KINDS = (
    "装备制造有限公司",
    "建设集团有限公司",
    "软件技术有限公司",
    "商贸有限公司",
    "物流有限公司",
    "医药有限公司",
    "电力设计院",
    "中学",
    "人民医院",
    "置业有限公司",
    "食品有限公司",
    "汽车零部件有限公司",
)
CITY_DISTRICTS = (
    "和平区",
    "沈河区",
    "大东区",
    "皇姑区",
    "铁西区",
    "浑南区",
    "于洪区",
    "沈北新区",
    "苏家屯区",
)
STREETS = (
    "青年大街",
    "北京街",
    "黄河南大街",
    "南京南街",
    "智慧四街",
    "沈新路",
    "东北大马路",
    "北二中路",
    "长江北街",
    "文化路",
    "三好街",
    "惠工街",
    "建设大路",
    "浑南中路",
    "昆山西路",
)

T = TypeVar("T")


@dataclass
class _Person:
    id_number: str
    name: str
    phone: str
    male: bool
    spouse: _Person | None = None
    account_no: str | None = None
    account_status: str | None = None
    account_opened_on: dt.date | None = None
    retired_on: dt.date | None = None


@dataclass
class _Taken:
    """Keys already in use (from the named members too): generated keys must not repeat them."""

    id_numbers: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    employer_codes: set[str] = field(default_factory=set)
    account_nos: set[str] = field(default_factory=set)
    house_keys: set[str] = field(default_factory=set)
    card_nos: set[str] = field(default_factory=set)


def dataset_generate(
    *,
    people: int,
    seed: int,
    as_of: dt.date,
    named: dict[str, Any] | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """A document with ``people`` synthetic people (plus the sections of ``named``, first)."""
    if people < 0:
        raise ValueError("人数不能为负数")
    return _Generator(seed=seed, as_of=as_of, named=named or {}, progress=progress).document(people)


def dataset_write(document: dict[str, Any], output: str | Path | None) -> None:
    """Write ``document`` as UTF-8 JSON to ``output`` (stdout when None or "-").

    A file is written to a temporary name first and renamed, so a reader never sees half of it."""
    if output is None or str(output) == "-":
        json.dump(document, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file, ensure_ascii=False, indent=1)
            file.write("\n")
        os.chmod(temporary, 0o666 & ~_current_umask())  # mkstemp makes it private; a data file is not
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _Generator:
    def __init__(self, *, seed: int, as_of: dt.date, named: dict[str, Any], progress: bool) -> None:
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.named = named
        self.progress = progress
        self.taken = _taken_keys(named)
        self._issuing_areas: dict[int, tuple[tuple[str, int], ...]] = {}
        self._employer_serial = 0
        self._account_serial = 0
        self.people_by_id: dict[str, _Person] = {}

    # -- the document ---------------------------------------------------------------------------

    def document(self, count: int) -> dict[str, Any]:
        sections: dict[str, list[dict[str, Any]]] = {
            name: list(self.named.get(name, [])) for name in DATASET_SECTIONS
        }
        employers = [self.employer() for _ in range(max(3, count // 50) if count else 0)]
        sections["employers"].extend(employers)
        people = self.people(count)
        self.people_by_id = {person.id_number: person for person in people}
        for person in self.bar(people, "生成职工"):
            person.retired_on = self.retirement_date(person)
            entry: dict[str, Any] = {
                "id_number": person.id_number,
                "name": person.name,
                "phone": person.phone,
                "spouse_id_number": person.spouse.id_number if person.spouse else None,
            }
            if person.retired_on is not None:  # optional in the format: left out when unknown
                entry["retired_on"] = person.retired_on.isoformat()
            sections["people"].append(entry)
            if self.chance(0.93):
                sections["accounts"].append(self.account(person, self.rng.choice(employers)))
                sections["loans"].extend(self.loans(person))
            sections["bank_accounts"].extend(self.bank_accounts(person))
            if self.chance(0.9):
                sections["gov_users"].append(
                    {
                        "id_number": person.id_number,
                        "name": person.name,
                        "phone": person.phone,
                        "password": DEMO_PASSWORD,
                    }
                )
        for person in self.bar(people, "生成房屋"):
            if self.chance(0.3):
                house = self.house(person, people)
                sections["houses"].append(house)
                sections["prior_withdrawals"].extend(self.prior_withdrawals(house))
        owners = {buyer["id_number"] for house in sections["houses"] for buyer in house["buyers"]}
        for person in self.bar(people, "生成租房、离退休提取"):
            sections["prior_withdrawals"].extend(self.rent_withdrawals(person, owners))
            sections["prior_withdrawals"].extend(self.retirement_withdrawals(person))
        return {"format": DATASET_FORMAT, "as_of": self.as_of.isoformat(), **sections}

    def bar(self, items: list[T], description: str) -> Iterator[T]:
        yield from tqdm(items, desc=description, unit="人", file=sys.stderr, disable=not self.progress)

    # -- people ---------------------------------------------------------------------------------

    def people(self, count: int) -> list[_Person]:
        people: list[_Person] = []
        while len(people) < count:
            if count - len(people) >= 2 and self.chance(0.18):
                # A couple, both in the data: about a third of all people are married to someone here.
                husband, wife = self.person(male=True), self.person(male=False)
                husband.spouse, wife.spouse = wife, husband
                people.extend((husband, wife))
            else:
                people.append(self.person(male=self.chance(0.5)))
        return people

    def person(self, *, male: bool) -> _Person:
        given = MALE_GIVEN if male else FEMALE_GIVEN
        name = self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(given) for _ in range(self.rng.choice((1, 2, 2)))
        )
        return _Person(id_number=self.id_number(male=male), name=name, phone=self.phone(), male=male)

    def id_number(self, *, male: bool) -> str:
        while True:
            birth = self.birth_date()
            area = self.area_code(issued_in=max(FIRST_ISSUE_YEAR, birth.year + FIRST_CARD_AGE))
            sequence = self.rng.randrange(0, 1000, 1)
            # The 17th digit is odd for men and even for women (GB 11643).
            sequence = sequence - sequence % 2 + (1 if male else 0)
            number = id_number_make(area_code=area, birth=birth, sequence=sequence)
            if number not in self.taken.id_numbers:
                self.taken.id_numbers.add(number)
                return number

    def birth_date(self) -> dt.date:
        youngest, oldest = self.weighted((band[:2], band[2]) for band in AGE_BANDS)
        latest = add_years(self.as_of, -youngest)
        earliest = add_years(self.as_of, -(oldest + 1)) + dt.timedelta(days=1)
        return earliest + dt.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def area_code(self, *, issued_in: int) -> str:
        if issued_in not in self._issuing_areas:
            self._issuing_areas[issued_in] = tuple(
                (code, weight)
                for code, weight in ISSUING_AREAS
                if any(name.in_force(issued_in) for name in area_code_history(code))
            )
        return self.weighted(self._issuing_areas[issued_in])

    def retired(self, person: _Person) -> bool:
        if person.retired_on is not None:
            return True
        birth = id_number_birth_date(person.id_number)
        return birth is not None and add_years(birth, RETIREMENT_AGE[person.male]) <= self.as_of

    def retirement_date(self, person: _Person) -> dt.date | None:
        """The end of the month in which the member reached their retirement age, when that is on
        or before ``as_of`` and the social-security data records it; else None."""
        birth = id_number_birth_date(person.id_number)
        assert birth is not None  # generated numbers carry a real date
        age = self.weighted(RETIREMENT_AGES[person.male])
        retired_on = _month_end(add_years(birth, age))
        if retired_on > self.as_of or not self.chance(RETIREMENT_RECORDED):
            return None
        return retired_on

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.taken.phones:
                self.taken.phones.add(number)
                return number

    # -- employers and accounts -----------------------------------------------------------------

    def employer(self) -> dict[str, str]:
        while True:
            self._employer_serial += 1
            code = f"2101{20000000 + self._employer_serial:08d}"
            if code not in self.taken.employer_codes:
                self.taken.employer_codes.add(code)
                break
        return {
            "code": code,
            "name": f"辽宁{self.rng.choice(EMPLOYER_WORDS)}{self.rng.choice(EMPLOYER_KINDS)}",
        }

    def account(self, person: _Person, employer: dict[str, str]) -> dict[str, Any]:
        while True:
            self._account_serial += 1
            account_no = f"2101{50000000 + self._account_serial:08d}"
            if account_no not in self.taken.account_nos:
                self.taken.account_nos.add(account_no)
                break
        person.account_no = account_no
        if self.retired(person):
            status = self.weighted((("sealed", 55), ("closed", 30), ("normal", 15)))
        else:
            status = self.weighted((("normal", 88), ("sealed", 6), ("frozen", 3), ("closed", 3)))
        last_month = _month_before(self.as_of, 1)
        opened_on = self.as_of - dt.timedelta(days=self.rng.randint(200, 26 * 365))
        months_open = max(1, _months_between(opened_on, last_month))
        monthly_fen = self.rng.randrange(300, 6001, 10) * 100
        if status in ("normal", "frozen"):
            paid_through = last_month
            if status == "normal" and self.chance(0.1):
                consecutive = self.rng.randint(0, 2)  # just started, or a gap: below the 3 months rule
            else:
                consecutive = self.rng.randint(min(3, months_open), min(months_open, 240))
        else:
            paid_through = _month_before(self.as_of, self.rng.randint(3, 60))
            consecutive = 0
        paid_months = max(consecutive, self.rng.randint(0, months_open))
        balance_fen = 0 if status == "closed" else int(monthly_fen * paid_months * self.rng.uniform(0.3, 1.0))
        balance_fen += self.rng.randrange(100) if balance_fen else 0
        person.account_status, person.account_opened_on = status, opened_on
        return {
            "account_no": account_no,
            "id_number": person.id_number,
            "employer_code": employer["code"],
            "status": status,
            "balance": fen_to_yuan(balance_fen),
            "opened_on": opened_on.isoformat(),
            "monthly_deposit": fen_to_yuan(monthly_fen),
            "paid_through": f"{paid_through:%Y-%m}",
            "consecutive_months": consecutive,
        }

    def loans(self, person: _Person) -> list[dict[str, Any]]:
        if not self.chance(0.15):
            return []
        loans = []
        if self.chance(0.08):
            loans.append({"id_number": person.id_number, "status": "settled", "overdue_months": 0})
        status = self.weighted((("active", 62), ("settled", 33), ("overdue", 5)))
        overdue_months = self.rng.randint(1, 6) if status == "overdue" else 0
        loans.append({"id_number": person.id_number, "status": status, "overdue_months": overdue_months})
        return loans

    # -- houses ---------------------------------------------------------------------------------

    def house(self, buyer: _Person, people: list[_Person]) -> dict[str, Any]:
        kind = "new" if self.chance(0.6) else "resale"
        # Most filings are recent; a quarter are older than the two-year window.
        age_days = self.rng.randint(5, 700) if self.chance(0.75) else self.rng.randint(731, 2500)
        day = self.as_of - dt.timedelta(days=age_days)
        if kind == "new":
            contract_no, archive_no = (
                self.house_key(lambda: f"SY{day:%Y%m%d}{self.rng.randrange(10**7):07d}"),
                None,
            )
        else:
            contract_no, archive_no = None, self.house_key(lambda: f"{day:%Y}{self.rng.randrange(10**9):09d}")
        buyers = [buyer]
        if buyer.spouse is not None and self.chance(0.35):
            buyers.append(buyer.spouse)
        elif self.chance(0.08):
            other = self.rng.choice(people)
            if other is not buyer:
                buyers.append(other)
        area_centi = self.rng.randint(4000, 18000)
        unit_price = self.rng.randint(60, 160) * 100
        total_price_fen = area_centi * unit_price // 10_000 * 10_000  # m²/100 × 元/m² = 分, whole 100 元
        return {
            "contract_no": contract_no,
            "archive_no": archive_no,
            "kind": kind,
            "address": self.address(),
            "area_m2": f"{area_centi // 100}.{area_centi % 100:02d}",
            "total_price": fen_to_yuan(max(total_price_fen, 10_000_00)),
            "filed_on": day.isoformat() if kind == "new" else None,
            "registered_on": day.isoformat() if kind == "resale" else None,
            "status": "cancelled" if self.chance(0.05) else "valid",
            "buyers": [{"id_number": p.id_number, "name": p.name} for p in buyers],
        }

    def house_key(self, make: Any) -> str:
        while True:
            key = make()
            if key not in self.taken.house_keys:
                self.taken.house_keys.add(key)
                return key

    def address(self) -> str:
        building, unit, floor = self.rng.randint(1, 40), self.rng.randint(1, 6), self.rng.randint(1, 30)
        return (
            f"沈阳市{self.rng.choice(CITY_DISTRICTS)}{self.rng.choice(STREETS)}{self.rng.randint(1, 400)}号"
            f"{building}-{unit}-{floor}{self.rng.randint(1, 4)}"
        )

    def prior_withdrawals(self, house: dict[str, Any]) -> list[dict[str, Any]]:
        if house["status"] != "valid" or not self.chance(0.06):
            return []
        day = dt.date.fromisoformat(house["filed_on"] or house["registered_on"])
        if (self.as_of - day).days < 15:
            return []
        buyers = [self.people_by_id[buyer["id_number"]] for buyer in house["buyers"]]
        candidates = [p for p in buyers if p.account_no] + [
            p.spouse for p in buyers if p.spouse and p.spouse.account_no
        ]
        if not candidates:
            return []
        withdrawer = self.rng.choice(candidates)
        price_fen = int(house["total_price"].replace(".", ""))
        amount_fen = self.rng.randint(10_000, max(10_000, min(price_fen // 200, 200_000))) * 100
        paid_on = day + dt.timedelta(days=self.rng.randint(10, (self.as_of - day).days))
        return [
            {
                "id_number": withdrawer.id_number,
                "house": house["contract_no"] or house["archive_no"],
                "amount": fen_to_yuan(amount_fen),
                "paid_on": paid_on.isoformat(),
            }
        ]

    def rent_withdrawals(self, person: _Person, owners: set[str]) -> list[dict[str, Any]]:
        """Rent withdrawals of a member who owns no house (nor does the spouse): one to four, each
        covering 3, 6 or 12 months, the last one paid between a month and three years ago."""
        if person.account_status != "normal" or person.retired_on is not None:
            return []
        if person.id_number in owners or (person.spouse and person.spouse.id_number in owners):
            return []
        if not self.chance(RENT_SHARE):
            return []
        monthly_fen = self.rng.randrange(RENT_MONTHLY_FEN[0], RENT_MONTHLY_FEN[1] + 1, 10_000)
        period = self.weighted(RENT_PERIOD_MONTHS)
        paid_on = self.as_of - dt.timedelta(days=self.rng.randint(30, 3 * 365))
        withdrawals = []
        for _ in range(self.rng.randint(1, 4)):
            if person.account_opened_on is None or paid_on <= person.account_opened_on:
                break  # nothing to withdraw before the account was opened
            withdrawals.append(
                {
                    "id_number": person.id_number,
                    "house": None,
                    "amount": fen_to_yuan(monthly_fen * period),
                    "paid_on": paid_on.isoformat(),
                    "reason": "rent",
                }
            )
            paid_on = _months_before(paid_on, period)
        withdrawals.reverse()  # oldest first, as a ledger lists them
        return withdrawals

    def retirement_withdrawals(self, person: _Person) -> list[dict[str, Any]]:
        """The whole balance withdrawn at retirement by a member whose account is now closed."""
        if person.retired_on is None or person.account_status != "closed":
            return []
        if not self.chance(RETIREMENT_WITHDRAWAL_SHARE):
            return []
        days_since = (self.as_of - person.retired_on).days
        paid_on = person.retired_on + dt.timedelta(days=self.rng.randint(1, max(1, min(days_since, 180))))
        amount_fen = self.rng.randrange(2_000_000, 30_000_000, 100) + self.rng.randrange(100)
        return [
            {
                "id_number": person.id_number,
                "house": None,
                "amount": fen_to_yuan(amount_fen),
                "paid_on": min(paid_on, self.as_of).isoformat(),
                "reason": "retirement",
            }
        ]

    # -- bank cards -----------------------------------------------------------------------------

    def bank_accounts(self, person: _Person) -> list[dict[str, Any]]:
        count = 0 if not self.chance(0.93) else (2 if self.chance(0.15) else 1)
        return [self.bank_account(person) for _ in range(count)]

    def bank_account(self, person: _Person) -> dict[str, Any]:
        bank = self.weighted(BANK_WEIGHTS)
        bin_, length = self.rng.choice(DEBIT_CARD_BINS[bank])
        while True:
            body = bin_ + "".join(str(self.rng.randrange(10)) for _ in range(length - len(bin_) - 1))
            card_no = body + luhn_check_digit(body)
            if card_no not in self.taken.card_nos:
                self.taken.card_nos.add(card_no)
                break
        return {
            "card_no": card_no,
            "bank": bank,
            "holder_id_number": person.id_number,
            "holder_name": person.name,
            "account_class": self.weighted(((1, 86), (2, 11), (3, 3))),
            "status": self.weighted((("normal", 95), ("frozen", 3), ("closed", 2))),
        }

    # -- chance ---------------------------------------------------------------------------------

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def weighted(self, choices: Iterable[tuple[T, int]]) -> T:
        values, weights = zip(*choices, strict=True)
        return self.rng.choices(values, weights=weights)[0]


def _taken_keys(named: dict[str, Any]) -> _Taken:
    taken = _Taken()
    for person in named.get("people", []):
        taken.id_numbers.add(person["id_number"])
        taken.phones.add(person["phone"])
    for user in named.get("gov_users", []):
        taken.id_numbers.add(user["id_number"])
        taken.phones.add(user["phone"])
    taken.employer_codes.update(employer["code"] for employer in named.get("employers", []))
    taken.account_nos.update(account["account_no"] for account in named.get("accounts", []))
    for house in named.get("houses", []):
        taken.house_keys.update(key for key in (house.get("contract_no"), house.get("archive_no")) if key)
        taken.id_numbers.update(buyer["id_number"] for buyer in house.get("buyers", []))
    taken.card_nos.update(card["card_no"] for card in named.get("bank_accounts", []))
    return taken


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _month_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return _month_before(day, -1) - dt.timedelta(days=1)


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` earlier (the month's last day when it is shorter)."""
    first = _month_before(day, months)
    return min(first.replace(day=28) + dt.timedelta(days=day.day - 28), _month_end(first))


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month
