"""Gathering the facts of one evaluation (the hall's records, the registry, the bank) and running
the policy over them. ``gjj evaluate`` and a submission use exactly this."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Q, Sum
from django.utils import timezone

from gjj.clients.bank import BankUnavailable, CardVerification, get_bank_client
from gjj.clients.registry import HouseRecord, RegistryUnavailable, get_registry_client
from gjj.core.identity_numbers import card_number_problem
from gjj.core.timeutil import to_shanghai
from gjj.members.models import FundAccount, Loan, LoanStatus, Person, PriorWithdrawal
from gjj.policy.active import active_policy
from gjj.policy.evaluation import Evaluation, evaluate
from gjj.policy.facts import AccountFacts, CardFacts, EvaluationFacts, HouseFacts, OwnedHouse
from gjj.policy.schema import Policy
from gjj.withdrawals.checked_inputs import card_digest
from gjj.withdrawals.models import ACTIVE_STATES, CLAIMING_STATES, Application, State

LOOKUP_FIELDS = ("contract_no", "archive_no")


@dataclass(frozen=True)
class HouseLookup:
    """What the registry said, kept for the application's snapshot (None: not found or not theirs)."""

    lookup_field: str
    key: str
    record: HouseRecord | None
    relation: str | None
    unavailable: bool
    looked_up_at: dt.datetime

    @property
    def mine(self) -> bool:
        return self.record is not None and self.relation is not None


@dataclass(frozen=True)
class Gathered:
    facts: EvaluationFacts
    house: HouseLookup | None
    card: CardVerification | None


def house_lookup(*, person: Person | None, id_number: str, lookup_field: str, key: str) -> HouseLookup:
    """Ask the registry; decide the applicant's relation to the house (buyer, or spouse of a buyer by
    the centre's own marriage records). A house that is not theirs is reported like a missing one."""
    if lookup_field not in LOOKUP_FIELDS:
        raise ValueError(f"unknown lookup field {lookup_field!r}")
    now = timezone.now()
    try:
        record = get_registry_client().find_house(**{lookup_field: key})
    except RegistryUnavailable:
        return HouseLookup(lookup_field, key, None, None, unavailable=True, looked_up_at=now)
    relation = None
    if record is not None:
        buyer_ids = {buyer.id_number for buyer in record.buyers}
        spouse = person.spouse if person is not None else None
        spouse_id = spouse.id_number if spouse is not None else None
        if id_number in buyer_ids:
            relation = "buyer"
        elif spouse_id and spouse_id in buyer_ids:
            relation = "spouse"
    if relation is None:
        record = None
    return HouseLookup(lookup_field, key, record, relation, unavailable=False, looked_up_at=now)


def card_verify(*, policy: Policy, bank: str, card_no: str) -> tuple[CardFacts, CardVerification | None]:
    """Ask the bank about a card whose number is well formed; say so when the bank is unreachable."""
    facts = CardFacts(bank=bank, card_no=card_no)
    if card_number_problem(card_no, min_length=policy.card_min_length, max_length=policy.card_max_length):
        return facts, None
    try:
        verification = get_bank_client().verify_card(card_no=card_no, bank=bank)
    except BankUnavailable:
        return replace(facts, bank_unavailable=True), None
    return (
        replace(
            facts,
            bank_found=verification.found,
            bank_card_type=verification.card_type,
            bank_account_class=verification.account_class,
            bank_holder_id_number=verification.holder_id_number,
            bank_holder_name=verification.holder_name,
            bank_status=verification.status,
        ),
        verification,
    )


def house_keys(record: HouseRecord) -> list[str]:
    return [key for key in (record.contract_no, record.archive_no) if key]


def records_facts(
    *,
    person: Person | None,
    house: HouseLookup | None,
    exclude_application_id: int | None,
    reason: str = "purchase",
) -> dict[str, object]:
    """The facts that come from the hall's own records. Called again under the member's and the
    house's locks at submission, so that concurrent applications see each other (the last rent
    payment too: a rent application paid meanwhile is no longer open, and must count as paid)."""
    if person is None:
        return {
            "account": None,
            "has_overdue_loan": False,
            "open_application_numbers": (),
            "member_withdrawals_on_house": 0,
            "house_withdrawn_fen": 0,
            "last_rent_paid_on": None,
        }
    account = FundAccount.objects.filter(person=person).first()
    others = (
        Application.objects.exclude(pk=exclude_application_id)
        if exclude_application_id
        else Application.objects
    )
    open_numbers = tuple(
        others.filter(person=person, state__in=ACTIVE_STATES)
        .order_by("created_at")
        .values_list("business_no", flat=True)
    )
    # Read after the open applications: one that was open then is either seen open or, paid, here.
    last_rent = last_rent_paid_on(person) if reason == "rent" else None
    member_on_house = 0
    withdrawn = 0
    if house is not None and house.record is not None:
        keys = house_keys(house.record)
        member_on_house = (
            PriorWithdrawal.objects.filter(person=person, house_key__in=keys).count()
            + others.filter(person=person, house_key__in=keys, state__in=CLAIMING_STATES).count()
        )
        withdrawn = (
            PriorWithdrawal.objects.filter(house_key__in=keys).aggregate(s=Sum("amount_fen"))["s"] or 0
        ) + (
            others.filter(house_key__in=keys, state__in=CLAIMING_STATES).aggregate(s=Sum("amount_fen"))["s"]
            or 0
        )
    return {
        "account": (
            AccountFacts(
                account_no=account.account_no,
                status=account.status,
                balance_fen=account.balance_fen,
                frozen_fen=account.frozen_fen,
                consecutive_months=account.consecutive_months,
            )
            if account
            else None
        ),
        "has_overdue_loan": Loan.objects.filter(
            Q(status=LoanStatus.OVERDUE) | Q(overdue_months__gt=0), person=person
        )
        .exclude(status=LoanStatus.SETTLED)
        .exists(),
        "open_application_numbers": tuple(n or "草稿" for n in open_numbers),
        "member_withdrawals_on_house": member_on_house,
        "house_withdrawn_fen": withdrawn,
        "last_rent_paid_on": last_rent,
    }


def house_facts(house: HouseLookup | None) -> HouseFacts | None:
    if house is None or not house.mine:
        return None
    record = house.record
    assert record is not None and house.relation is not None
    return HouseFacts(
        looked_up_by=house.lookup_field,
        key=house.key,
        kind=record.kind,
        status=record.status,
        filed_on=record.filed_on,
        registered_on=record.registered_on,
        total_price_fen=record.total_price_fen,
        relation=house.relation,
    )


def owned_houses(person: Person | None, id_number: str) -> tuple[tuple[OwnedHouse, ...], bool]:
    """租房提取: the valid houses of which the member or the spouse is a buyer, by the registry's
    "houses of this person"; (houses, the registry could not be asked)."""
    spouse = person.spouse if person is not None else None
    owners = [(id_number, "buyer")] + ([(spouse.id_number, "spouse")] if spouse is not None else [])
    found: list[OwnedHouse] = []
    client = get_registry_client()
    for owner_id, owner in owners:
        try:
            records = client.houses_of(id_number=owner_id)
        except RegistryUnavailable:
            return (), True
        found += [
            OwnedHouse(key=house_keys(record)[0], owner=owner)
            for record in records
            if record.status == "valid" and house_keys(record)
        ]
    return tuple(found), False


@dataclass(frozen=True)
class RentWithdrawal:
    """The last rent withdrawal paid: its day (Asia/Shanghai) and, when this system paid it, its
    business number (empty for one before this system, from the dataset's prior withdrawals)."""

    paid_on: dt.date
    business_no: str


def last_rent_withdrawal(
    person_id: int, *, until: dt.datetime | None = None, exclude_application_id: int | None = None
) -> RentWithdrawal | None:
    """The last rent withdrawal of the member, before this system or by it; ``until`` (as of a
    moment: the review shows what the evaluation saw) and an application left out."""
    priors = PriorWithdrawal.objects.filter(person_id=person_id, reason="rent")
    paid = Application.objects.filter(
        person_id=person_id, reason="rent", state=State.PAID, paid_at__isnull=False
    )
    if exclude_application_id is not None:
        paid = paid.exclude(pk=exclude_application_id)
    if until is not None:
        priors = priors.filter(paid_on__lte=to_shanghai(until).date())
        paid = paid.filter(paid_at__lte=until)
    prior = priors.order_by("-paid_on").values_list("paid_on", flat=True).first()
    latest = paid.order_by("-paid_at").values_list("paid_at", "business_no").first()
    found = []
    if latest is not None and latest[0] is not None:
        found.append(RentWithdrawal(to_shanghai(latest[0]).date(), latest[1] or ""))
    if prior is not None:
        found.append(RentWithdrawal(prior, ""))
    # On the same day, this system's own payment is the one named.
    return max(found, key=lambda withdrawal: withdrawal.paid_on, default=None)


def last_rent_paid_on(person: Person) -> dt.date | None:
    """The day the last rent withdrawal was paid (rent_interval, the rent amount)."""
    last = last_rent_withdrawal(person.pk)
    return last.paid_on if last is not None else None


def reason_facts(*, reason: str, person: Person | None, id_number: str) -> dict[str, object]:
    """The facts only the other reasons read (gjj.policy.facts): the registry's houses of the member
    and the spouse (rent; the last rent payment is one of the hall's records, ``records_facts``),
    the retirement date and unsettled loans (retirement)."""
    if person is None or reason == "purchase":
        return {}
    if reason == "rent":
        houses, unavailable = owned_houses(person, id_number)
        return {
            "owned_houses": houses,
            "owned_houses_unavailable": unavailable,
        }
    return {
        "retired_on": person.retired_on,
        "has_unsettled_loan": Loan.objects.filter(person=person).exclude(status=LoanStatus.SETTLED).exists(),
    }


def eligibility_gather(
    *,
    reason: str = "purchase",
    id_number: str,
    lookup_field: str | None,
    house_key: str | None,
    bank: str | None,
    card_no: str | None,
    amount_fen: int | None,
    on: dt.date,
    exclude_application_id: int | None = None,
    policy: Policy | None = None,
    person: Person | None = None,
    kept: KeptAnswers | None = None,
) -> Gathered:
    """Every fact of one evaluation. ``kept``: the registry's and the bank's recent answers about
    this very house and card (``kept_answers``), used instead of asking them again."""
    policy = policy or active_policy()
    if person is None or person.id_number != id_number:
        person = Person.objects.select_related("spouse").filter(id_number=id_number).first()
    kept = kept or KeptAnswers()
    house = kept.house
    if house is None and lookup_field and house_key:
        house = house_lookup(person=person, id_number=id_number, lookup_field=lookup_field, key=house_key)
    card_facts, verification = (kept.card, None)
    if card_facts is None and bank is not None and card_no is not None:
        card_facts, verification = card_verify(policy=policy, bank=bank, card_no=card_no)
    facts = EvaluationFacts(
        on=on,
        applicant_id_number=id_number,
        applicant_name=person.name if person else "",
        house=house_facts(house),
        registry_unavailable=bool(house and house.unavailable),
        card=card_facts,
        requested_amount_fen=amount_fen,
        reason=reason,
        **records_facts(  # type: ignore[arg-type]
            person=person, house=house, exclude_application_id=exclude_application_id, reason=reason
        ),
        **reason_facts(reason=reason, person=person, id_number=id_number),  # type: ignore[arg-type]
    )
    return Gathered(facts=facts, house=house, card=verification)


@dataclass(frozen=True)
class KeptAnswers:
    """Answers of the outside systems kept on an application's row that are recent enough to decide
    on again; None where the system must be asked."""

    house: HouseLookup | None = None
    card: CardFacts | None = None


def kept_answers(application: Application, *, since: dt.datetime) -> KeptAnswers:
    """What the registry said of the row's house (its echo, or 提交申请's lookup) and what the bank
    said of the row's card at 提交申请, when given at or after ``since``.

    Only a complete, favourable answer about exactly the row's inputs is kept: a house found and
    the member's (buyer, or spouse of one), a card found whose holder was the applicant, the card
    being the one the evaluation recorded (by its digest). Anything else is asked again, so a
    refusal or an outage never outlives its moment."""
    return KeptAnswers(house=_kept_house(application, since=since), card=_kept_card(application, since=since))


def draft_house_lookup(application: Application) -> HouseLookup | None:
    """The draft's house as the registry answered at lookup time (its stored snapshot)."""
    if not application.lookup_field or not application.house_key:
        return None
    snapshot = application.house_snapshot
    record = HouseRecord.from_snapshot(snapshot) if snapshot else None
    return HouseLookup(
        lookup_field=application.lookup_field,
        key=application.house_key,
        record=record,
        relation=(application.relation or None) if record else None,
        unavailable=False,
        looked_up_at=application.house_looked_up_at or application.updated_at,
    )


def _kept_house(application: Application, *, since: dt.datetime) -> HouseLookup | None:
    looked_up_at = application.house_looked_up_at
    if looked_up_at is None or looked_up_at < since:
        return None
    lookup = draft_house_lookup(application)
    if lookup is None or not lookup.mine:
        return None
    assert lookup.record is not None
    return lookup if application.house_key in house_keys(lookup.record) else None


def _kept_card(application: Application, *, since: dt.datetime) -> CardFacts | None:
    answer = application.card_verification or {}
    verified_at = application.card_verified_at
    evaluated = application.evaluated_inputs or {}
    if (
        verified_at is None
        or verified_at < since
        or answer.get("found") is not True
        or answer.get("holder_matches") is not True
        or evaluated.get("bank") != application.bank
        or evaluated.get("card_digest") != card_digest(application.card_no)
    ):
        return None
    person = application.person
    # The bank named the applicant as the holder (holder_matches); the row keeps no copy of the
    # holder's number and name, and needs none.
    return CardFacts(
        bank=application.bank,
        card_no=application.card_no,
        bank_found=True,
        bank_card_type=answer.get("card_type"),
        bank_account_class=answer.get("account_class"),
        bank_holder_id_number=person.id_number,
        bank_holder_name=person.name,
        bank_status=answer.get("status"),
    )


def application_gather(
    application: Application,
    *,
    on: dt.date,
    policy: Policy | None = None,
    kept: KeptAnswers | None = None,
) -> Gathered:
    """The facts of one application as it stands (its own row left out of the member's others):
    what 提交申请 decides on, and what a draft shows before it."""
    return eligibility_gather(
        reason=application.reason,
        id_number=application.person.id_number,
        lookup_field=application.lookup_field or None,
        house_key=application.house_key or None,
        bank=application.bank or None,
        card_no=application.card_no or None,
        amount_fen=application.amount_fen,
        on=on,
        exclude_application_id=application.pk,
        policy=policy,
        person=application.person,
        kept=kept,
    )


def eligibility_evaluate(**kwargs: object) -> Evaluation:
    """Gather and evaluate in one call (the `gjj evaluate` command)."""
    policy = active_policy()
    gathered = eligibility_gather(policy=policy, **kwargs)  # type: ignore[arg-type]
    return evaluate(policy, gathered.facts)
