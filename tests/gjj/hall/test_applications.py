"""我的业务: the list, the detail timeline, 撤回, ownership, 办理回执 — through the Django test client,
with the sample dataset in the hall and in the live simulators."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gjj.identity.models import MemberLogin
from gjj.members.models import Person
from gjj.withdrawals import services
from gjj.withdrawals.models import Application, State
from tests.gjj.withdrawals import conftest as withdrawal_fixtures
from tests.gjj.withdrawals.conftest import LI_NA, ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member

# The withdrawal tests' fixtures: the sample dataset in the hall and the live simulators, reviewers,
# media in a temporary folder and the sample dataset's day (the last two autouse).
loaded = withdrawal_fixtures.loaded
reviewers = withdrawal_fixtures.reviewers
_media_in_tmp = withdrawal_fixtures._media_in_tmp
_sample_day = withdrawal_fixtures._sample_day

pytestmark = pytest.mark.django_db


def login(client: Client, person: Person) -> None:
    """A member session as the OIDC login leaves it: a user tied to the person by a MemberLogin."""
    user, _ = get_user_model().objects.get_or_create(
        username=f"member-{person.pk}", defaults={"first_name": person.name}
    )
    MemberLogin.objects.get_or_create(
        user=user, person=person, issuer="http://sso.test/o", subject=f"sub-{person.pk}"
    )
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


@pytest.fixture
def no_auto_payout(monkeypatch):
    """Approval fixes the payout but nothing is sent to the bank by itself."""
    from gjj.withdrawals import payouts

    monkeypatch.setattr(payouts, "payout_enqueue_after_commit", lambda payout: None)


@pytest.fixture
def no_instant_approval(settings, tmp_path):
    """The centre switches 秒批 off: every application goes to staff."""
    from pathlib import Path

    import gjj.policy

    text = (Path(gjj.policy.__file__).parent / "default_policy.toml").read_text(encoding="utf-8")
    assert "instant_approval = true" in text
    custom = tmp_path / "policy.toml"
    custom.write_text(text.replace("instant_approval = true", "instant_approval = false"), encoding="utf-8")
    settings.GJJ_POLICY_FILE = str(custom)


def submitted(id_number: str = ZHANG_WEI, card: str = ZHANG_CARD, bank: str = "CCB") -> Application:
    walk = member(id_number)
    house = ZHANG_HOUSE if id_number == ZHANG_WEI else None
    application = walk.submit(walk.fill(contract_no=house, bank=bank, card_no=card))
    walk.upload_all(application)
    return walk.final_submit(application)


def awaiting_materials() -> Application:
    walk = member(ZHANG_WEI)
    return walk.submit(walk.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def zhang(loaded, client) -> Person:
    person = Person.objects.get(id_number=ZHANG_WEI)
    login(client, person)
    return person


# --- 我的业务 ---------------------------------------------------------------------------------------


def test_my_applications_needs_a_login(client):
    response = client.get("/hall/applications/")
    assert response.status_code == 302
    assert response["Location"] == "/hall/?next=/hall/applications/"


def test_nothing_yet_and_an_untouched_draft_is_not_a_business(zhang, client):
    services.application_start(person=zhang, actor=member(ZHANG_WEI).actor)

    page = client.get("/hall/applications/").content.decode()

    assert "<h1>我的业务</h1>" in page
    assert "您还没有办理过提取业务。" in page
    assert '<a class="button button--primary" href="/hall/withdrawals/">办理提取业务</a>' in page


def test_a_draft_with_content_shows_as_draft_with_continue(zhang, client):
    walk = member(ZHANG_WEI)
    services.application_update_draft(application=walk.start(), actor=walk.actor, bank="CCB")

    page = client.get("/hall/applications/").content.decode()

    assert '<span class="status status--draft">草稿</span>' in page
    assert (
        '<a href="/hall/withdrawals/purchase/">继续办理<span class="visually-hidden">购买商品住房提取</span></a>'
        in page
    )


def test_the_list_with_states_newest_first(zhang, client, no_auto_payout):
    first = awaiting_materials()
    services.application_cancel(application=first, actor=member(ZHANG_WEI).actor)
    second = submitted()  # instant approval: approved at once
    assert second.state == State.APPROVED

    page = client.get("/hall/applications/").content.decode()

    rows = re.findall(r"<tr>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1), re.S)
    assert len(rows) == 2
    newest, oldest = (text_of(row) for row in rows)
    assert second.business_no in newest and "已审批" in newest
    assert "购买商品住房提取" in newest and "86,420.50 元" in newest and "网厅" in newest
    assert first.business_no in oldest and "已撤回" in oldest
    assert f'href="/hall/applications/{second.business_no}/">查看' in page
    assert ZHANG_CARD not in page


# --- detail and timeline ----------------------------------------------------------------------------


def test_the_detail_shows_the_summary_masked(zhang, client, no_auto_payout):
    application = submitted()

    page = client.get(f"/hall/applications/{application.business_no}/").content.decode()

    assert "<h1>业务详情</h1>" in page
    text = text_of(page)
    assert f"业务流水号 {application.business_no}" in text
    assert "房屋坐落 沈阳市浑南区智慧四街18-2号2-8-1" in text
    assert f"备案合同号 {ZHANG_HOUSE}" in text
    assert "与购房人关系 本人" in text
    assert "收款银行 建设银行" in text
    assert "银行卡号码 6217 **** **** 1799" in text
    assert "提取金额 86,420.50 元" in text
    assert "已审批" in text and "（秒批）" in text
    assert ZHANG_CARD not in page and ZHANG_WEI not in page


def test_the_timeline_has_every_transition_with_reasons(
    zhang, client, no_auto_payout, no_instant_approval, reviewers
):
    application = submitted()
    first, _ = reviewers
    services.application_claim(application=application, reviewer=first)
    services.application_return(
        application=application, reviewer=first, what_to_fix=["purchase_invoice"], reason="购房发票不清晰"
    )

    page = client.get(f"/hall/applications/{application.business_no}/").content.decode()

    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S)
    assert timeline is not None
    items = [text_of(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", timeline.group(1), re.S)]
    assert len(items) == application.transitions.count() == 4
    assert "草稿 → 待上传材料" in items[0] and "提交申请，全部条件核验通过，待上传影像材料" in items[0]
    assert "办理人：张伟（2101**********0158）" in items[0] and "渠道：个人网厅" in items[0]
    assert "待上传材料 → 已提交" in items[1] and "影像材料已上传，提交申请" in items[1]
    assert "已提交 → 审核中" in items[2] and "初审员" in items[2] and "渠道：业务后台" in items[2]
    assert "审核中 → 退回补正" in items[3] and "购房发票不清晰" in items[3]
    assert re.search(
        r'<time class="timeline__time" datetime="[^"]+\+08:00">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</time>', page
    )
    # The rule results are shown for a returned application.
    assert "条件核验结果" in page and "银行账户类别" in page
    assert ZHANG_WEI not in page


# --- 撤回 ------------------------------------------------------------------------------------------


def test_cancel_before_review_with_a_confirmation(zhang, client, no_instant_approval, no_auto_payout):
    application = submitted()
    assert application.state == State.SUBMITTED
    detail_url = f"/hall/applications/{application.business_no}/"
    detail = client.get(detail_url).content.decode()
    assert f'<a class="button button--secondary" href="{detail_url}cancel/">撤回申请</a>' in detail

    confirm = client.get(f"{detail_url}cancel/").content.decode()
    assert "确认撤回本申请？" in confirm
    form = re.search(rf'<form method="post" action="{detail_url}cancel/"[^>]*>(.*?)</form>', confirm, re.S)
    assert form is not None and 'name="csrfmiddlewaretoken"' in form.group(1)
    assert ">确认撤回</button>" in form.group(1)

    response = client.post(f"{detail_url}cancel/")

    assert response.status_code == 302 and response["Location"] == detail_url
    application.refresh_from_db()
    assert application.state == State.CANCELLED
    page = client.get(detail_url).content.decode()
    assert "申请已撤回。" in page
    assert '<span class="status status--cancelled">已撤回</span>' in page
    assert "撤回申请</a>" not in page
    assert "申请人撤回" in page  # the timeline's reason


def test_cancel_while_awaiting_materials(zhang, client):
    application = awaiting_materials()

    client.post(f"/hall/applications/{application.business_no}/cancel/")

    application.refresh_from_db()
    assert application.state == State.CANCELLED


def test_cancel_is_refused_after_approval(zhang, client, no_auto_payout):
    application = submitted()
    assert application.state == State.APPROVED
    detail_url = f"/hall/applications/{application.business_no}/"
    assert "撤回申请</a>" not in client.get(detail_url).content.decode()

    assert client.get(f"{detail_url}cancel/")["Location"] == detail_url
    response = client.post(f"{detail_url}cancel/", follow=True)

    application.refresh_from_db()
    assert application.state == State.APPROVED
    page = response.content.decode()
    assert '<div class="flash flash--error" role="alert">' in page
    assert "申请当前状态为“已审批”，已进入审核或支付，不能撤回" in page


def test_posts_need_the_csrf_token(zhang, no_instant_approval, no_auto_payout):
    application = submitted()
    strict = Client(enforce_csrf_checks=True)
    login(strict, zhang)

    response = strict.post(f"/hall/applications/{application.business_no}/cancel/")

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


# --- ownership --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "cancel/", "resubmit/", "materials/", "card/", "receipt.pdf"])
def test_another_members_application_is_not_found(loaded, client, no_auto_payout, suffix):
    application = submitted()  # 张伟's
    login(client, Person.objects.get(id_number=LI_NA))

    url = f"/hall/applications/{application.business_no}/{suffix}"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code in (404, 405)
    application.refresh_from_db()
    assert application.state == State.APPROVED


def test_an_unknown_business_number_is_not_found(zhang, client):
    assert client.get("/hall/applications/TQ2099010100001/").status_code == 404


# --- 办理回执 ---------------------------------------------------------------------------------------


def test_no_receipt_before_submission(zhang, client):
    application = awaiting_materials()

    detail = client.get(f"/hall/applications/{application.business_no}/").content.decode()

    assert "办理回执" not in detail
    assert f'href="/hall/applications/{application.business_no}/materials/">上传影像材料</a>' in detail
    assert client.get(f"/hall/applications/{application.business_no}/receipt.pdf").status_code == 404


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_receipt_pdf(zhang, client, no_auto_payout, tmp_path):
    application = submitted()
    detail_url = f"/hall/applications/{application.business_no}/"
    detail = client.get(detail_url).content.decode()
    assert f'<a class="button button--secondary" href="{detail_url}receipt.pdf">办理回执</a>' in detail

    response = client.get(f"{detail_url}receipt.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout
    flat = "".join(text.decode("utf-8").split())
    assert application.business_no in flat
    assert "2101**********0158" in flat and "6217********1799" in flat
    assert "捌万陆仟肆佰贰拾元伍角" in flat and "已审批" in flat
    assert ZHANG_WEI not in flat and ZHANG_CARD not in flat
