"""办理回执: the amount in Chinese capitals, the verification code and the PDF itself (A4, Chinese
text in an embedded TTF, personal data masked). The PDF's text is read back with poppler's
``pdftotext`` (Debian's poppler-utils, which scripts/ensure-system.sh installs)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from gjj.members.models import AccountStatus, Employer, FundAccount, Person
from gjj.withdrawals.models import Application, Channel, State
from gjj.withdrawals.receipts import (
    CID_FALLBACK_FONT,
    amount_in_chinese_capitals,
    receipt_content,
    receipt_font_name,
    receipt_pdf,
    receipt_verification_check,
    receipt_verification_code,
)
from gjj.withdrawals.selectors import channel_label

ID_NUMBER = "210102198803120158"
CARD = "6217001376212461799"
BUSINESS_NO = "TQ2026112700001"

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


@pytest.mark.parametrize(
    ("fen", "capitals"),
    [
        (0, "零元整"),
        (8_642_050, "捌万陆仟肆佰贰拾元伍角"),
        (10_000_000, "壹拾万元整"),
        (100_101, "壹仟零壹元零壹分"),
        (12_050_080, "壹拾贰万零伍佰元捌角"),
        (1, "壹分"),
        (50, "伍角"),
        (1_005, "壹拾元零伍分"),
        (1_000, "壹拾元整"),
        (12_345, "壹佰贰拾叁元肆角伍分"),
        (100_000_000, "壹佰万元整"),
        (10_500_000, "壹拾万零伍仟元整"),
        (20_000_050_000, "贰亿零伍佰元整"),
        (10_001_000_000, "壹亿零壹万元整"),
        (1_000_000_100, "壹仟万零壹元整"),
        (98_000_000, "玖拾捌万元整"),
    ],
)
def test_amount_in_chinese_capitals(fen, capitals):
    assert amount_in_chinese_capitals(fen) == capitals


@pytest.mark.parametrize("bad", [-1, 1.5, "100", True])
def test_amount_in_chinese_capitals_takes_non_negative_integer_fen(bad):
    with pytest.raises((TypeError, ValueError)):
        amount_in_chinese_capitals(bad)


def test_the_verification_code_is_an_hmac_of_the_business_number(settings):
    code = receipt_verification_code(BUSINESS_NO)

    assert len(code) == 12 and all(c in "0123456789ABCDEF" for c in code)
    assert receipt_verification_code(BUSINESS_NO) == code
    assert receipt_verification_code("TQ2026112700002") != code
    assert receipt_verification_check(BUSINESS_NO, code.lower())
    assert not receipt_verification_check("TQ2026112700002", code)
    settings.SECRET_KEY = "another-secret-key-for-another-installation-0123456789"
    assert receipt_verification_code(BUSINESS_NO) != code


@pytest.fixture
def application(db) -> Application:
    employer = Employer.objects.create(code="E0001", name="辽宁省测试单位")
    person = Person.objects.create(id_number=ID_NUMBER, name="张伟", phone="13804001001")
    account = FundAccount.objects.create(
        account_no="210100000001",
        person=person,
        employer=employer,
        status=AccountStatus.NORMAL,
        balance_fen=8_642_050,
        opened_on=dt.date(2016, 7, 1),
        paid_through="2026-10",
        consecutive_months=48,
    )
    return Application.objects.create(
        business_no=BUSINESS_NO,
        person=person,
        account=account,
        channel=Channel.WEB,
        state=State.SUBMITTED,
        lookup_field="contract_no",
        house_key="SY202605180001234",
        house_snapshot={
            "contract_no": "SY202605180001234",
            "archive_no": None,
            "kind": "new",
            "address": "沈阳市浑南区智慧四街18-2号2-8-1",
            "area_m2": "98.60",
            "total_price_fen": 98_000_000,
            "total_price": "980000.00",
            "filed_on": "2026-05-18",
            "registered_on": None,
            "status": "valid",
            "buyers": [{"id_number": ID_NUMBER, "name": "张伟"}],
        },
        relation="buyer",
        bank="CCB",
        card_no=CARD,
        amount_fen=8_642_050,
        submitted_at=dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC),
    )


def test_the_receipt_content(application):
    content = receipt_content(application=application)
    rows = dict(content.rows)

    assert content.title == "住房公积金提取业务办理回执"
    assert content.centre_name == "辽宁省省直住房资金管理中心"
    assert rows["业务流水号"] == BUSINESS_NO
    assert rows["申请人"] == "张伟"
    assert rows["身份证号"] == "2101**********0158"
    assert rows["个人账号"] == "210100000001"
    assert rows["提取原因"] == "购买商品住房提取"
    assert rows["房屋坐落"] == "沈阳市浑南区智慧四街18-2号2-8-1"
    assert rows["备案合同号"] == "SY202605180001234"
    assert rows["与购房人关系"] == "本人"
    assert rows["收款银行"] == "建设银行"
    assert rows["银行卡号码"] == "6217 **** **** 1799"  # the pages' word
    assert rows["提取金额"] == "86,420.50 元"
    assert rows["提取金额（大写）"] == "捌万陆仟肆佰贰拾元伍角"
    assert rows["受理渠道"] == "个人网厅"
    assert rows["提交时间"] == "2026-11-27 10:30:00"  # Asia/Shanghai
    assert rows["办理状态"] == "已提交"
    assert "3 个工作日内完成审核" in content.next_step
    assert content.hotline == "服务热线：024-12329"
    assert content.verification_code == f"校验码：{receipt_verification_code(BUSINESS_NO)}"
    assert content.printed_at.startswith("打印时间：" + timezone.localdate().strftime("%Y-%m-%d")[:4])
    text = content.text()
    assert ID_NUMBER not in text and CARD not in text


@pytest.mark.parametrize("channel", list(Channel))
def test_the_receipt_names_the_channel_as_the_pages_do(application, channel):
    """One label per channel: 我的业务, the detail, the back office and the receipt."""
    application.channel = channel
    application.save(update_fields=["channel"])

    rows = dict(receipt_content(application=application).rows)

    assert rows["受理渠道"] == channel_label(channel) == channel.label
    assert rows["受理渠道"] not in ("API", "APP", "网厅", "后台")


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=30
    )
    return result.stdout.decode("utf-8")


def test_the_pdf_is_a4_with_an_embedded_chinese_font(application):
    pdf = receipt_pdf(application=application)

    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4
    assert receipt_font_name() != CID_FALLBACK_FONT  # Debian's wqy-microhei is there
    assert b"/FontFile2" in pdf  # the TTF subset is embedded
    assert ID_NUMBER.encode() not in pdf and CARD.encode() not in pdf


@needs_pdftotext
def test_the_pdf_text(application, tmp_path):
    text = _pdf_text(receipt_pdf(application=application), tmp_path)
    flat = "".join(text.split())

    assert "住房公积金提取业务办理回执" in flat
    assert "辽宁省省直住房资金管理中心" in flat
    assert BUSINESS_NO in flat
    assert "2101**********0158" in flat
    assert "6217********1799" in flat  # 6217 **** **** 1799
    assert "捌万陆仟肆佰贰拾元伍角" in flat
    assert "86,420.50元" in flat
    assert "沈阳市浑南区智慧四街18-2号2-8-1" in flat
    assert "SY202605180001234" in flat
    assert receipt_verification_code(BUSINESS_NO) in flat
    assert "024-12329" in flat
    assert "打印时间" in flat
    assert ID_NUMBER not in flat and CARD not in flat


def test_a_missing_font_file_falls_back_to_stsong(application, settings, tmp_path):
    settings.GJJ_PDF_FONT = str(tmp_path / "no-such-font.ttc")

    assert receipt_font_name() == CID_FALLBACK_FONT
    pdf = receipt_pdf(application=application)
    assert pdf.startswith(b"%PDF")
    assert b"STSong-Light" in pdf
