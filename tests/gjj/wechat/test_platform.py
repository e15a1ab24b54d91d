"""The platform client, `gjj wechat-menu` and template messages against the LIVE simulator."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import requests
from django.core.cache import cache
from django.core.management import CommandError, call_command

from gjj.clients.wechat import HttpWechatClient, WechatRefused, get_wechat_client
from gjj.wechat import services
from gjj.wechat.models import WechatNotification
from gjj.wechat.notifications import wechat_notifications_reconcile
from gjj.withdrawals.models import Notification, NotificationState, State
from tests.gjj.wechat.conftest import wechat_log
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member

pytestmark = pytest.mark.django_db


def _expire_tokens(sims) -> None:
    requests.post(f"{sims.url}/wechat/_expire_tokens", timeout=10).raise_for_status()


def test_the_access_token_is_fetched_once_and_cached(wechat_sims, monkeypatch) -> None:
    client = get_wechat_client()
    fetched = []
    original = HttpWechatClient._fetch_token
    monkeypatch.setattr(HttpWechatClient, "_fetch_token", lambda self: fetched.append(1) or original(self))

    first = client.access_token()
    again = get_wechat_client().access_token()

    assert first and first == again
    assert len(fetched) == 1


def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(wechat_sims) -> None:
    client = get_wechat_client()
    stale = client.access_token()
    _expire_tokens(wechat_sims)  # the platform now answers 40001 to the cached token

    answer = client.template_send(
        openid="oREFRESH", template_id="tpl", url="", data={"first": {"value": "x"}}
    )

    assert answer["errcode"] == 0 and answer["msgid"]
    assert client.access_token() != stale
    assert [m["openid"] for m in wechat_log(wechat_sims, "oREFRESH")] == ["oREFRESH"]


def test_wrong_credentials_are_refused_with_the_platforms_errcode(wechat_sims, settings) -> None:
    settings.GJJ_WECHAT_SECRET = "wrong"
    with pytest.raises(WechatRefused) as refused:
        get_wechat_client().access_token()
    assert refused.value.errcode == 40125
    assert cache.get(get_wechat_client()._cache_key) is None


def test_wechat_menu_publishes_the_menu(wechat_sims, settings) -> None:
    settings.GJJ_PUBLIC_BASE_URL = "https://gjj.example.cn"
    out = StringIO()

    call_command("wechat_menu", stdout=out)

    printed = json.loads(out.getvalue())
    assert printed["answer"]["errcode"] == 0
    published = requests.get(f"{wechat_sims.url}/wechat/_menu", timeout=10).json()["menu"]
    assert published["button"][0] == {"type": "view", "name": "业务办理", "url": "https://gjj.example.cn/m/"}
    assert published["button"][1] == {"type": "click", "name": "办理进度", "key": "PROGRESS"}


def test_wechat_menu_fails_plainly_when_the_platform_is_down(settings) -> None:
    settings.GJJ_WECHAT_API_URL = "http://127.0.0.1:9/wechat"
    with pytest.raises(CommandError, match="微信公众平台"):
        call_command("wechat_menu", stdout=StringIO())


# Template messages at state changes ------------------------------------------------------------


def test_a_linked_members_state_changes_send_template_messages(
    loaded, wechat_sims, django_capture_on_commit_callbacks
) -> None:
    zhang = member(ZHANG_WEI)
    services.wechat_binding_link(person=zhang.person, openid="oZHANGWEI")
    application = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)
    application = zhang.submit(application)
    zhang.upload_all(application)

    with django_capture_on_commit_callbacks(execute=True):
        application = zhang.final_submit(application)
    application.refresh_from_db()
    assert application.state == State.PAID

    log = wechat_log(wechat_sims, "oZHANGWEI")
    statuses = [m["data"]["keyword2"]["value"] for m in reversed(log)]
    assert statuses == ["已提交，待审核", "审批通过", "已到账"]
    newest = log[0]
    assert newest["data"]["keyword1"]["value"] == application.business_no
    assert newest["data"]["first"]["value"] and "remark" in newest["data"]
    assert newest["url"].startswith(f"https://gjj.example.cn/m/applications/{application.business_no}/?wx=")
    assert newest["template_id"]
    # The SMS went out as before, one per state change.
    assert Notification.objects.filter(application=application).count() == 3
    assert set(WechatNotification.objects.values_list("state", flat=True)) == {NotificationState.SENT}


def test_an_unlinked_member_gets_no_template_message(loaded, wechat_sims, django_capture_on_commit_callbacks):
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    with django_capture_on_commit_callbacks(execute=True):
        zhang.final_submit(application)

    assert not WechatNotification.objects.exists()
    assert Notification.objects.exists()


def test_a_message_the_platform_could_not_take_is_resent_by_the_reconciler(
    loaded, wechat_sims, settings, django_capture_on_commit_callbacks
) -> None:
    zhang = member(ZHANG_WEI)
    services.wechat_binding_link(person=zhang.person, openid="oRECONCILE")
    application = zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)
    application = zhang.submit(application)
    zhang.upload_all(application)
    real_url = settings.GJJ_WECHAT_API_URL
    settings.GJJ_WECHAT_API_URL = "http://127.0.0.1:9/wechat"  # the platform is unreachable

    with django_capture_on_commit_callbacks(execute=True):
        zhang.final_submit(application)

    assert WechatNotification.objects.filter(state=NotificationState.PENDING).count() == 3
    assert wechat_log(wechat_sims, "oRECONCILE") == []

    settings.GJJ_WECHAT_API_URL = real_url
    assert wechat_notifications_reconcile(older_than_seconds=0) == 3
    assert len(wechat_log(wechat_sims, "oRECONCILE")) == 3
    assert wechat_notifications_reconcile(older_than_seconds=0) == 0
