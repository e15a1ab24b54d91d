"""影像上传 after a passed 提交申请 (the dialog, and the same content without JavaScript), then the
dialog's 提交申请 and the result page: 提交成功, 业务流水号, 秒批 and the payout as it happens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gjj.policy.active import active_policy
from gjj.withdrawals.models import Application, Material, State
from tests.gjj.hall import test_withdrawal_form as form
from tests.gjj.hall.test_withdrawal_form import (
    ZHAO_CCB,
    ZHAO_HOUSE,
    ZHAO_MIN,
    assert_nothing_unmasked,
    login,
    submit,
    text_of,
)
from tests.gjj.withdrawals.conftest import (
    LI_CARD,
    LI_NA,
    ZHANG_CARD,
    ZHANG_HOUSE,
    ZHANG_WEI,
    jpeg_bytes,
    pdf_bytes,
)

loaded = form.loaded
_media_in_tmp = form._media_in_tmp
_sample_day = form._sample_day

pytestmark = pytest.mark.django_db

XHR = {"X-Requested-With": "XMLHttpRequest"}
NEW_HOUSE_MATERIALS = ["身份证正面", "身份证反面", "购房合同", "购房发票", "银行卡"]
PDF = pdf_bytes()


@pytest.fixture
def passed(loaded, client) -> Application:
    """张伟, his application through 提交申请 (awaiting materials)."""
    person = login(client, ZHANG_WEI)
    response = submit(client, contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Application.objects.get(person=person, state=State.AWAITING_MATERIALS)


def base(application: Application) -> str:
    return f"/hall/withdrawals/{application.business_no}"


def upload(client: Client, application: Application, kind: str, *, name="photo.jpg", data=None, xhr=False):
    content_type = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
    return client.post(
        f"{base(application)}/materials/{kind}/",
        {"file": SimpleUploadedFile(name, jpeg_bytes() if data is None else data, content_type)},
        headers=XHR if xhr else {},
    )


def upload_all(client: Client, application: Application) -> None:
    policy = active_policy()
    for kind in policy.required_materials(house_kind="new", relation=application.relation):
        assert upload(client, application, kind).status_code == 302


def row(page: str, kind: str) -> str:
    match = re.search(rf'<li class="material[^"]*" id="material-{kind}">(.*?)</li>', page, re.S)
    assert match is not None, f"no row for {kind}"
    return match.group(1)


def test_the_upload_step_is_a_dialog_with_one_row_per_material(passed, client):
    response = client.get(f"{base(passed)}/materials/")

    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(
        r'<dialog id="upload-dialog" class="upload-dialog" aria-labelledby="upload-dialog-title" open', page
    )
    assert '<h2 class="upload-dialog__title" id="upload-dialog-title" tabindex="-1">影像上传</h2>' in page
    labels = re.findall(r'<label class="material__label" for="file-(\w+)">([^<]+)</label>', page)
    assert [name for _, name in labels] == NEW_HOUSE_MATERIALS
    for kind, _ in labels:
        assert re.search(
            rf'<input class="material__input" type="file" id="file-{kind}" name="file" '
            r'accept="image/jpeg,image/png,application/pdf"',
            page,
        )
        assert "<svg" in row(page, kind) and "示例：" in text_of(row(page, kind))
    assert "结婚证" not in page  # the buyer himself: no marriage certificate
    assert re.search(
        r'<button type="submit" class="button button--primary button--large" id="final-submit" disabled', page
    )
    assert "还需上传：身份证正面、身份证反面、购房合同、购房发票、银行卡" in text_of(page)
    assert passed.business_no in page and "6217 **** **** 1799" in page
    assert_nothing_unmasked(page)
    assert "http://" not in page and "https://" not in page


def test_the_spouse_also_uploads_the_marriage_certificate(loaded, client):
    person = login(client, LI_NA)
    submit(client, contract_no=ZHANG_HOUSE, bank="ICBC", card_no=LI_CARD)
    application = Application.objects.get(person=person, state=State.AWAITING_MATERIALS)

    page = client.get(f"{base(application)}/materials/").content.decode()

    assert '<label class="material__label" for="file-marriage_certificate">结婚证</label>' in page


def test_a_file_of_the_wrong_type_is_refused_next_to_its_row(passed, client):
    response = upload(
        client, passed, "id_card_front", name="notes.jpg", data=b"just some text, not a picture"
    )

    assert response.status_code == 400
    page = response.content.decode()
    message = "文件“notes.jpg”不是 JPG、PNG 或 PDF 格式，请上传照片、扫描件或 PDF 文件"
    assert message in row(page, "id_card_front")
    assert 'aria-invalid="true"' in row(page, "id_card_front")
    assert not Material.objects.filter(application=passed).exists()


def test_a_file_too_big_is_refused_with_its_size(passed, client):
    big = b"\xff\xd8\xff" + b"0" * (active_policy().material_max_bytes + 1024)

    response = upload(client, passed, "bank_card", name="card.jpg", data=big, xhr=True)

    assert response.status_code == 400
    fragment = response.content.decode()
    assert fragment.startswith('<div class="materials" data-materials')  # the dialog's content only
    assert "超过 10 MB 的上限，请压缩后重新上传" in row(fragment, "bank_card")
    assert 'data-announce="银行卡上传失败：' in fragment


def test_uploads_show_a_preview_can_be_replaced_and_removed(passed, client):
    image = upload(client, passed, "id_card_front", xhr=True)
    assert image.status_code == 200
    fragment = image.content.decode()
    front = row(fragment, "id_card_front")
    assert "已上传" in front and "photo.jpg" in front
    preview = re.search(r'<img class="material__thumb" src="([^"]+)" alt="已上传的身份证正面预览">', front)
    assert preview is not None
    assert 'data-announce="身份证正面已上传"' in fragment
    assert re.search(r'aria-label="重新上传身份证正面">重新上传</button>', front)
    assert re.search(r'aria-label="删除身份证正面">删除</button>', front)

    # The preview is the stored file (re-encoded), served to its owner only.
    served = client.get(preview.group(1))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8\xff")
    stranger = Client()
    login(stranger, ZHAO_MIN)
    assert stranger.get(preview.group(1)).status_code == 404
    assert stranger.get(f"{base(passed)}/materials/").status_code == 404

    pdf = upload(client, passed, "purchase_contract", name="contract.pdf", data=PDF)
    assert pdf.status_code == 302 and pdf["Location"].endswith("#material-purchase_contract")
    page = client.get(f"{base(passed)}/materials/").content.decode()
    assert '<span class="badge badge--pdf">PDF</span>' in row(page, "purchase_contract")

    replaced = upload(client, passed, "id_card_front", name="again.png", xhr=True).content.decode()
    assert "again.png" in row(replaced, "id_card_front")
    assert Material.objects.filter(application=passed, kind="id_card_front").count() == 2
    assert Material.objects.filter(application=passed, kind="id_card_front", is_current=True).count() == 1

    removed = client.post(f"{base(passed)}/materials/id_card_front/remove/", headers=XHR).content.decode()
    assert "未上传" in row(removed, "id_card_front")
    assert 'data-announce="身份证正面已删除"' in removed


def test_the_dialogs_submit_is_enabled_only_when_every_material_is_there(passed, client):
    early = client.post(f"{base(passed)}/submit/")
    assert early.status_code == 400
    assert "请先上传以下材料：身份证正面、身份证反面、购房合同、购房发票、银行卡" in early.content.decode()

    upload_all(client, passed)
    page = client.get(f"{base(passed)}/materials/").content.decode()

    assert re.search(r'id="final-submit" aria-describedby="materials-ready">提交申请</button>', page)
    assert "全部材料已上传" in page


def test_submitted_with_instant_approval_and_paid_as_it_happens(
    passed, client, django_capture_on_commit_callbacks
):
    upload_all(client, passed)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"{base(passed)}/submit/")
    assert response.status_code == 302 and response["Location"] == f"{base(passed)}/result/"

    # Approved at once (秒批); the payout has not run yet: the page polls its status every 2 s.
    page = client.get(response["Location"]).content.decode()
    text = text_of(page)
    assert '<h1 class="result__title">提交成功</h1>' in page
    assert f"业务流水号 {passed.business_no}" in text
    assert "提取金额 86,420.50 元" in text
    assert "收款银行 建设银行" in text and "银行卡号码 6217 **** **** 1799" in text
    assert "秒批" in text
    assert re.search(rf'hx-get="{base(passed)}/status/" hx-trigger="every 2s" hx-swap="outerHTML"', page)
    assert_nothing_unmasked(page)

    # The worker pays (here: the task the approval enqueued after commit, against the bank simulator).
    for callback in callbacks:
        callback()
    passed.refresh_from_db()
    assert passed.state == State.PAID
    status = client.get(f"{base(passed)}/status/", headers={"HX-Request": "true"}).content.decode()
    assert "已到账" in status and "86,420.50 元已转入您在建设银行的银行卡（6217 **** **** 1799）" in status
    assert "hx-trigger" not in status  # polling stops
    assert '<span id="result-state" hx-swap-oob="true">已到账（秒批）' in status
    assert "已到账" in client.get(f"{base(passed)}/result/").content.decode()
    # Back at 【提取】 → 购买商品住房提取 the member starts afresh (a new draft).
    assert client.get(form.PURCHASE).status_code == 200


def test_without_instant_approval_the_result_says_what_happens_next(passed, client, settings, tmp_path):
    policy_file = tmp_path / "policy.toml"
    default = Path(active_policy().source).read_text(encoding="utf-8")
    policy_file.write_text(
        default.replace("instant_approval = true", "instant_approval = false"), encoding="utf-8"
    )
    settings.GJJ_POLICY_FILE = str(policy_file)
    upload_all(client, passed)

    result = client.get(client.post(f"{base(passed)}/submit/")["Location"]).content.decode()

    text = text_of(result)
    assert "提交成功" in text and passed.business_no in text
    assert "中心将在 3 个工作日内完成审核" in text and "138****1001" in text
    assert "hx-trigger" not in result
    passed.refresh_from_db()
    assert passed.state == State.SUBMITTED


def test_zhao_min_from_her_ccb_card_to_submitted(loaded, client):
    person = login(client, ZHAO_MIN)
    submit(client, contract_no=ZHAO_HOUSE, bank="CCB", card_no=ZHAO_CCB)
    application = Application.objects.get(person=person, state=State.AWAITING_MATERIALS)

    upload_all(client, application)
    result = client.get(client.post(f"{base(application)}/submit/")["Location"])

    assert result.status_code == 200 and "提交成功" in result.content.decode()
    assert "6227 **** **** 4117" in result.content.decode()


def test_the_result_of_someone_elses_application_is_not_found(passed, client):
    stranger = Client()
    login(stranger, ZHAO_MIN)

    assert stranger.get(f"{base(passed)}/result/").status_code == 404
    assert stranger.get(f"{base(passed)}/status/").status_code == 404
    assert stranger.post(f"{base(passed)}/submit/").status_code == 404


def test_the_result_page_of_an_application_awaiting_materials_is_the_upload_step(passed, client):
    response = client.get(f"{base(passed)}/result/")

    assert response.status_code == 302 and response["Location"] == f"{base(passed)}/materials/"


def test_upload_without_a_file_says_so(passed, client):
    response = client.post(f"{base(passed)}/materials/id_card_back/")

    assert response.status_code == 400
    assert "请选择身份证反面的文件后再上传" in row(response.content.decode(), "id_card_back")
    assert client.post(f"{base(passed)}/materials/marriage_certificate/").status_code == 404
