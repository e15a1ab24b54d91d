"""A draft of each withdrawal reason (gjj.withdrawals.drafts): its registry key and national code,
one draft per member that turns into another reason when the member chooses one (the card kept, the
house and the amount dropped), an unknown reason refused in Chinese, and no house lookup for a
reason whose subject is not a house."""

from __future__ import annotations

import pytest

from gjj.members.models import Person
from gjj.policy.active import active_policy
from gjj.policy.reasons import REASON_KEYS, declaration_for
from gjj.withdrawals import services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.models import Application, Channel, State
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI

pytestmark = pytest.mark.django_db

CAO_YANG = "210104199609090351"
CAO_CARD = "6222022952745110411"


def _person(id_number: str) -> Person:
    return Person.objects.select_related("account").get(id_number=id_number)


def _actor(person: Person, channel: str = Channel.WEB) -> Actor:
    return Actor.member(person, channel=channel)


def _start(person: Person, reason: str, channel: str = Channel.WEB) -> Application:
    return services.application_start(person=person, actor=_actor(person, channel), reason=reason)


@pytest.mark.parametrize(("reason", "code"), [("purchase", "01"), ("rent", "07"), ("retirement", "03")])
def test_a_draft_of_each_reason_carries_its_key_and_national_code(loaded_reasons, reason, code):
    cao = _person(CAO_YANG)

    application = _start(cao, reason)

    stored = Application.objects.get(pk=application.pk)
    assert (stored.reason, stored.reason_code, stored.state) == (reason, code, State.DRAFT)
    assert stored.account_id == cao.account.pk and stored.channel == Channel.WEB


def test_the_reason_defaults_to_purchase(loaded_reasons):
    cao = _person(CAO_YANG)

    application = services.application_start(person=cao, actor=_actor(cao))

    assert (application.reason, application.reason_code) == ("purchase", "01")


def test_starting_the_same_reason_again_continues_the_draft(loaded_reasons):
    cao = _person(CAO_YANG)
    first = _start(cao, "rent")
    services.application_update_draft(
        application=first, actor=_actor(cao), bank="ICBC", card_no=CAO_CARD, amount_fen=300_000
    )

    again = _start(cao, "rent", channel=Channel.WECHAT)

    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.reason, again.amount_fen, again.card_no) == ("rent", 300_000, CAO_CARD)
    assert Application.objects.filter(person=cao).count() == 1


def test_choosing_another_reason_turns_the_draft_into_it(loaded_reasons):
    zhang = _person(ZHANG_WEI)
    draft = _start(zhang, "purchase")
    services.application_lookup_house(
        application=draft, lookup_field="contract_no", key=ZHANG_HOUSE, actor=_actor(zhang)
    )
    services.application_update_draft(
        application=draft, actor=_actor(zhang), bank="CCB", card_no=ZHANG_CARD, amount_fen=500_000
    )
    draft.refresh_from_db()
    assert draft.house_key == ZHANG_HOUSE and draft.relation == "buyer" and draft.house_snapshot

    for reason, code in (("rent", "07"), ("retirement", "03"), ("purchase", "01")):
        turned = _start(zhang, reason)

        assert turned.pk == draft.pk
        stored = Application.objects.get(pk=draft.pk)
        assert (stored.reason, stored.reason_code, stored.state) == (reason, code, State.DRAFT)
        # The card belongs to the member, not to the reason: kept.
        assert (stored.bank, stored.card_no) == ("CCB", ZHANG_CARD)
        # What belonged to the purchase is dropped (a purchase again must look its house up again).
        assert stored.amount_fen is None
        assert (stored.lookup_field, stored.house_key, stored.house_source, stored.relation) == (
            "",
            "",
            "",
            "",
        )
        assert stored.house_snapshot is None and stored.house_looked_up_at is None
    assert Application.objects.filter(person=zhang).count() == 1


def test_an_unknown_reason_is_refused_naming_the_choices(loaded_reasons):
    cao = _person(CAO_YANG)

    with pytest.raises(ApplicationError) as error:
        _start(cao, "loan")

    assert error.value.field == "reason"
    assert "未知的提取原因" in error.value.message and "loan" in error.value.message
    assert REASON_KEYS == ("purchase", "rent", "retirement")
    assert all(key in error.value.message for key in REASON_KEYS)
    assert not Application.objects.filter(person=cao).exists()


def test_an_unknown_reason_does_not_touch_an_existing_draft(loaded_reasons):
    cao = _person(CAO_YANG)
    draft = _start(cao, "rent")

    with pytest.raises(ApplicationError):
        _start(cao, "loan")

    draft.refresh_from_db()
    assert (draft.reason, draft.reason_code) == ("rent", "07")


@pytest.mark.parametrize("reason", ["rent", "retirement"])
def test_no_house_is_looked_up_for_a_reason_without_one(loaded_reasons, reason):
    # 张伟 is a buyer of ZHANG_HOUSE: for a purchase the registry would answer.
    zhang = _person(ZHANG_WEI)
    draft = _start(zhang, reason)

    with pytest.raises(ApplicationError) as error:
        services.application_lookup_house(
            application=draft, lookup_field="contract_no", key=ZHANG_HOUSE, actor=_actor(zhang)
        )

    assert error.value.message == "本申请的提取原因不涉及房屋，无需查询房屋信息"
    assert error.value.field == "contract_no"
    draft.refresh_from_db()
    assert draft.house_key == "" and draft.house_snapshot is None and draft.relation == ""


def test_a_purchase_draft_still_looks_its_house_up(loaded_reasons):
    """The control of the refusal above: the same member, house and key work for a purchase."""
    zhang = _person(ZHANG_WEI)
    draft = _start(zhang, "purchase")

    lookup = services.application_lookup_house(
        application=draft, lookup_field="contract_no", key=ZHANG_HOUSE, actor=_actor(zhang)
    )

    assert lookup.relation == "buyer"
    draft.refresh_from_db()
    assert draft.house_key == ZHANG_HOUSE


def test_each_reason_has_its_own_declaration_and_another_reason_asks_for_it_again(loaded_reasons):
    cao = _person(CAO_YANG)
    policy = active_policy()
    draft = _start(cao, "rent")

    def accept(version: str) -> Application:
        return services.application_accept_declaration(
            application=draft, actor=_actor(cao), version=version, client_ip=None, user_agent=""
        )

    # The purchase's 承诺书 (another text) is not the rent's.
    with pytest.raises(ApplicationError) as refused:
        accept(policy.declaration_version)
    assert refused.value.field == "declaration"
    rent_text = declaration_for(policy, "rent")
    assert rent_text.version != policy.declaration_version and "租赁" in rent_text.text
    accepted = accept(rent_text.version)
    assert (accepted.declaration_version, accepted.declaration_accepted_at is not None) == (
        rent_text.version,
        True,
    )

    turned = _start(cao, "retirement")

    stored = Application.objects.get(pk=turned.pk)
    assert (stored.declaration_version, stored.declaration_accepted_at) == ("", None)
