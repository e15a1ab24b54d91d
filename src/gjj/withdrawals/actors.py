"""Who did something, and through which channel: recorded on every transition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gjj.core.masking import mask_id_number
from gjj.core.origin import NO_ORIGIN, Origin
from gjj.withdrawals.models import ActorKind, Channel

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from gjj.members.models import Person


@dataclass(frozen=True)
class Actor:
    kind: str
    label: str
    channel: str
    person: Person | None = None
    user: User | None = None
    origin: Origin = NO_ORIGIN

    @classmethod
    def member(cls, person: Person, *, channel: str) -> Actor:
        return cls(
            kind=ActorKind.MEMBER,
            label=f"{person.name}（{mask_id_number(person.id_number)}）",
            channel=channel,
            person=person,
        )

    @classmethod
    def staff(cls, user: User, *, origin: Origin = NO_ORIGIN) -> Actor:
        full_name = user.get_full_name() or user.get_username()
        return cls(
            kind=ActorKind.STAFF, label=full_name, channel=Channel.BACKOFFICE, user=user, origin=origin
        )

    @classmethod
    def system(cls, label: str = "系统") -> Actor:
        return cls(kind=ActorKind.SYSTEM, label=label, channel=Channel.SYSTEM)
