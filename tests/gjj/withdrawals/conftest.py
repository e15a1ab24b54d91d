"""Fixtures for the withdrawal lifecycle: the sample dataset loaded into the hall and into the live
simulators (real HTTP), and helpers that walk an application through the services."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from PIL import Image

from gjj.datasets.hall_loader import dataset_load_into_hall
from gjj.members.models import Person
from gjj.policy.active import active_policy
from gjj.policy.reasons import declaration_for
from gjj.staff.roles import StaffRole
from gjj.staff.services import staff_role_grant
from gjj.withdrawals import services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.models import Application, Channel


def jpeg_bytes(*, size: tuple[int, int] = (64, 48), with_exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if with_exif:
        exif = Image.Exif()
        exif[0x010F] = "TestCamera"  # Make
        exif[0x9003] = "2026:11:27 10:00:00"  # DateTimeOriginal
        image.save(out, format="JPEG", exif=exif.tobytes())
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def pdf_bytes(*, pages: int = 1, size: tuple[int, int] = (595, 842)) -> bytes:
    """A real PDF (A4 pages of a scanned-looking picture), as a scanner or phone app writes one."""
    images = [Image.new("RGB", size, (240, 240, 235 - page)) for page in range(pages)]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=72)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def loaded(sims, sample_dataset, django_db_blocker):
    """The sample dataset in the hall (this test's database) and in the simulators."""
    sims.load_dataset(sample_dataset)
    dataset_load_into_hall(document=sample_dataset)
    return sample_dataset


@dataclass
class Walk:
    """Drives one member's application through the services, as a channel would."""

    person: Person
    channel: str = Channel.WEB
    reason: str = "purchase"

    @property
    def actor(self) -> Actor:
        return Actor.member(self.person, channel=self.channel)

    def start(self) -> Application:
        return services.application_start(person=self.person, actor=self.actor, reason=self.reason)

    def fill(
        self,
        *,
        contract_no: str | None = None,
        archive_no: str | None = None,
        bank: str,
        card_no: str,
        amount_fen: int | None = None,
    ) -> Application:
        """The draft with the house (when given: a purchase's), the card, the amount when typed, and
        the reason's 承诺书 accepted."""
        application = self.start()
        if contract_no or archive_no:
            field, key = ("contract_no", contract_no) if contract_no else ("archive_no", archive_no)
            services.application_lookup_house(
                application=application, lookup_field=field, key=key, actor=self.actor
            )
        services.application_update_draft(
            application=application, actor=self.actor, bank=bank, card_no=card_no, amount_fen=amount_fen
        )
        services.application_accept_declaration(
            application=application,
            actor=self.actor,
            version=declaration_for(active_policy(), application.reason).version,
            client_ip="127.0.0.1",
            user_agent="pytest",
        )
        application.refresh_from_db()
        return application

    def submit(self, application: Application) -> Application:
        return services.application_submit(application=application, actor=self.actor)

    def upload_all(self, application: Application) -> None:
        for kind in services.required_material_kinds(application):
            services.material_upload(
                application=application, kind=kind, name=f"{kind}.jpg", data=jpeg_bytes(), actor=self.actor
            )

    def final_submit(self, application: Application) -> Application:
        return services.application_final_submit(application=application, actor=self.actor)


def member(id_number: str, channel: str = Channel.WEB, *, reason: str = "purchase") -> Walk:
    return Walk(
        person=Person.objects.select_related("spouse", "account").get(id_number=id_number),
        channel=channel,
        reason=reason,
    )


def on_another_connection(change: Callable[[], object]) -> None:
    """Run ``change`` in another thread on its own database connection (as another request would),
    and fail the test with what it raised."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            change()
        except BaseException as exc:  # reported in the test's thread
            failure.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and not failure, failure


ZHANG_WEI = "210102198803120158"
LI_NA = "210103199007050241"
WANG_FANG = "21010419850101028X"
YANG_LEI = "210106198411110378"
WU_HAO = "210103198604040717"
ZHANG_HOUSE = "SY202605180001234"
ZHANG_CARD = "6217001376212461799"
LI_CARD = "6222024013192319654"


@pytest.fixture
def reviewers(db):
    user_model = get_user_model()
    first = user_model.objects.create_user(username="chushen", first_name="初审员", is_staff=True)
    second = user_model.objects.create_user(username="fushen", first_name="复审员", is_staff=True)
    staff_role_grant(user=first, role=StaffRole.FIRST_REVIEWER)
    staff_role_grant(user=second, role=StaffRole.SECOND_REVIEWER)
    return first, second


@pytest.fixture(autouse=True)
def _sample_day(monkeypatch):
    """Submissions are evaluated as of the sample dataset's date, whatever day the suite runs."""
    import datetime as dt

    monkeypatch.setattr("gjj.withdrawals.services.today_shanghai", lambda: dt.date(2026, 11, 27))
