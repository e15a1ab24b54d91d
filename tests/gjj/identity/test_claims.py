"""Reading the member's identity out of the ID token and userinfo."""

from __future__ import annotations

import pytest

from gjj.identity.claims import InvalidMemberClaims, member_claims_parse

ID_TOKEN = {"iss": "http://127.0.0.1:8001/o", "sub": "sub-1", "aud": "gjj-hall"}


def _parse(id_token=None, userinfo=None, **kwargs):
    return member_claims_parse(
        id_token_claims=ID_TOKEN if id_token is None else id_token,
        userinfo={} if userinfo is None else userinfo,
        id_number_claim=kwargs.get("id_number_claim", "id_card_number"),
        name_claim=kwargs.get("name_claim", "name"),
    )


def test_claims_from_userinfo():
    claims = _parse(userinfo={"sub": "sub-1", "name": " 张伟 ", "id_card_number": "21010419850101028x"})

    assert (claims.issuer, claims.subject, claims.name) == ("http://127.0.0.1:8001/o", "sub-1", "张伟")
    assert claims.id_number == "21010419850101028X"


def test_claims_from_the_id_token_alone():
    claims = _parse(id_token={**ID_TOKEN, "id_card_number": "210102198803120158"})

    assert claims.id_number == "210102198803120158"
    assert claims.name == ""


def test_the_claim_names_are_settings():
    claims = _parse(
        userinfo={"sub": "sub-1", "idcard": "210102198803120158", "real_name": "张伟"},
        id_number_claim="idcard",
        name_claim="real_name",
    )

    assert (claims.id_number, claims.name) == ("210102198803120158", "张伟")


def test_userinfo_about_another_subject_is_refused():
    with pytest.raises(InvalidMemberClaims):
        _parse(userinfo={"sub": "sub-2", "id_card_number": "210102198803120158"})


@pytest.mark.parametrize("value", [None, "", "   ", 210102198803120158])
def test_a_missing_id_number_is_refused(value):
    with pytest.raises(InvalidMemberClaims):
        _parse(userinfo={"sub": "sub-1", "id_card_number": value})


@pytest.mark.parametrize("missing", ["iss", "sub"])
def test_an_id_token_without_issuer_or_subject_is_refused(missing):
    token = {key: value for key, value in ID_TOKEN.items() if key != missing}
    with pytest.raises(InvalidMemberClaims):
        _parse(id_token={**token, "id_card_number": "210102198803120158"})


def test_the_claims_never_print_the_id_number_or_the_name():
    claims = _parse(userinfo={"sub": "sub-1", "name": "张伟", "id_card_number": "210102198803120158"})

    assert "210102198803120158" not in repr(claims) and "张伟" not in repr(claims)
