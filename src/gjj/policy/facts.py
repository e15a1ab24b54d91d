"""The facts one evaluation needs, gathered once (from the hall's records, the registry and the
bank) and then handed to the pure rule functions. Nothing here talks to a database or a network."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Where a fact came from. Instant approval (秒批) needs every rule decided from a data source.
SOURCE_CENTRE = "centre_records"
SOURCE_REGISTRY = "registry"
SOURCE_BANK = "bank"
SOURCE_POLICY = "policy"
SOURCE_APPLICANT = "applicant"
MACHINE_SOURCES = frozenset({SOURCE_CENTRE, SOURCE_REGISTRY, SOURCE_BANK, SOURCE_POLICY})


@dataclass(frozen=True)
class AccountFacts:
    account_no: str
    status: str
    balance_fen: int
    frozen_fen: int
    consecutive_months: int

    @property
    def available_fen(self) -> int:
        return max(self.balance_fen - self.frozen_fen, 0)


@dataclass(frozen=True)
class HouseFacts:
    """A house the registry returned AND the applicant is a buyer of, or the spouse of a buyer."""

    looked_up_by: str  # "contract_no" or "archive_no"
    key: str
    kind: str
    status: str
    filed_on: dt.date | None
    registered_on: dt.date | None
    total_price_fen: int
    relation: str  # "buyer" or "spouse"


@dataclass(frozen=True)
class CardFacts:
    """The receiving card as entered, and what the bank said of it (None: not asked or unreachable)."""

    bank: str
    card_no: str
    bank_found: bool | None = None
    bank_card_type: str | None = None
    bank_account_class: int | None = None
    bank_holder_id_number: str | None = None
    bank_holder_name: str | None = None
    bank_status: str | None = None
    bank_unavailable: bool = False


@dataclass(frozen=True)
class OwnedHouse:
    """A valid house in the registry of which the applicant (or the spouse) is a buyer (rent)."""

    key: str  # its 备案合同号 or 房证新档案号
    owner: str  # "buyer": the applicant; "spouse": the applicant's spouse


@dataclass(frozen=True)
class EvaluationFacts:
    on: dt.date
    applicant_id_number: str
    applicant_name: str
    account: AccountFacts | None
    has_overdue_loan: bool
    house: HouseFacts | None
    registry_unavailable: bool
    open_application_numbers: tuple[str, ...]
    member_withdrawals_on_house: int
    house_withdrawn_fen: int
    card: CardFacts | None
    requested_amount_fen: int | None
    # The withdrawal reason (gjj.policy.reasons) and the facts only the other reasons read.
    reason: str = "purchase"
    retired_on: dt.date | None = None  # retirement: from the social-security data
    has_unsettled_loan: bool = False  # retirement: a fund loan that is active or overdue
    owned_houses: tuple[OwnedHouse, ...] = ()  # rent: the registry's houses of the member and spouse
    owned_houses_unavailable: bool = False
    last_rent_paid_on: dt.date | None = None  # rent: when the last rent withdrawal was paid

    @property
    def unavailable_sources(self) -> frozenset[str]:
        """The outside systems that could not answer: the rules that read them failed for that alone."""
        down = set()
        if self.registry_unavailable or self.owned_houses_unavailable:
            down.add(SOURCE_REGISTRY)
        if self.card is not None and self.card.bank_unavailable:
            down.add(SOURCE_BANK)
        return frozenset(down)
