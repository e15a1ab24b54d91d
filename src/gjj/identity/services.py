"""Writes for member logins: the Django user behind a member, created and kept in sync at login."""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import IntegrityError, transaction

from gjj.identity.claims import MemberClaims
from gjj.identity.models import MemberLogin
from gjj.members.models import Person

logger = logging.getLogger(__name__)

MEMBER_USERNAME_PREFIX = "member:"


class MemberHasNoFundAccount(Exception):
    """The SSO vouched for the person, but the centre has no fund account for their ID number.

    Deliberately not a SuspiciousOperation: nothing is wrong with the login, the visitor just
    cannot be served here, and the callback shows them a page saying so (and gives no session).
    """


class StaffAccountRefused(PermissionDenied):
    """A member login resolved to a staff or superuser account: never let the SSO grant that."""


def member_username(*, issuer: str, subject: str) -> str:
    """``member:<hash>``: stable per SSO account and reveals neither the subject nor the ID
    number. Should another user already carry the name, ``member_login_record`` refuses the
    login rather than hand that user's account to the member."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:40]
    return f"{MEMBER_USERNAME_PREFIX}{digest}"


def _user_is_privileged(user: AbstractUser) -> bool:
    return bool(user.is_staff or user.is_superuser)


def _member_login_create(*, claims: MemberClaims, person: Person) -> MemberLogin:
    user_model = get_user_model()
    # create_user without a password stores an unusable one: a member can only come in via the SSO.
    user = user_model.objects.create_user(
        username=member_username(issuer=claims.issuer, subject=claims.subject),
        first_name=claims.name[:150],
        is_staff=False,
        is_superuser=False,
    )
    return MemberLogin.objects.create(user=user, person=person, issuer=claims.issuer, subject=claims.subject)


def member_login_record(*, claims: MemberClaims, person: Person) -> AbstractUser:
    """The user for this SSO account, created on the first login; on every login the name from the
    SSO is stored and the link follows the ID number the SSO reports now.

    Raises StaffAccountRefused when the account behind the SSO identity has become staff.
    """
    with transaction.atomic():
        login = (
            MemberLogin.objects.select_for_update()
            .select_related("user")
            .filter(issuer=claims.issuer, subject=claims.subject)
            .first()
        )
        if login is None:
            try:
                # A savepoint: two tabs finishing the first login at once race here, and the loser
                # of the unique constraint reads the winner's row instead of failing.
                with transaction.atomic():
                    login = _member_login_create(claims=claims, person=person)
                logger.info("member login created: user %s, person %s", login.user_id, person.pk)
                return login.user
            except IntegrityError:
                login = (
                    MemberLogin.objects.select_for_update()
                    .select_related("user")
                    .filter(issuer=claims.issuer, subject=claims.subject)
                    .first()
                )
                if login is None:
                    # The username is taken by a user that is not this member's: refuse rather
                    # than log the member in as somebody else.
                    raise SuspiciousOperation("member username already taken by another user") from None

        user = login.user
        if _user_is_privileged(user):
            logger.warning("SSO login refused: user %s is staff or superuser", user.pk)
            raise StaffAccountRefused("a member login may not yield a staff session")

        new_name = claims.name[:150]
        if new_name and user.first_name != new_name:
            user.first_name = new_name
            user.save(update_fields=["first_name"])
        if login.person_id != person.pk:
            # The SSO now reports another ID number for this account (a corrected registration).
            logger.warning(
                "member login %s relinked from person %s to person %s", login.pk, login.person_id, person.pk
            )
            login.person = person
            login.save(update_fields=["person"])
        return user
