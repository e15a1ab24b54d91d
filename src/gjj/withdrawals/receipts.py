"""办理回执: the PDF a member prints for a submitted withdrawal application (ReportLab, Chinese text).

The font is a TrueType/TrueType-collection file named by ``settings.GJJ_PDF_FONT`` (Debian's
fonts-wqy-microhei by default), embedded as a subset; when that file is missing, ReportLab's
built-in CID font STSong-Light is used instead (not embedded: the reader supplies it).

Personal data on the receipt is masked like on the pages. A verification code (校验码) lets staff
check that a printed receipt was issued by the hall: ``receipt_verification_code(business_no)``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from gjj.core import glossary
from gjj.core.member_links import public_url
from gjj.core.money import format_yuan
from gjj.core.timeutil import to_shanghai
from gjj.policy.active import active_policy
from gjj.withdrawals.models import Application
from gjj.withdrawals.selectors import application_facts, next_step_text

logger = logging.getLogger(__name__)

DEFAULT_PDF_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TTF_FONT_NAME = "GJJReceiptSans"
CID_FALLBACK_FONT = "STSong-Light"
RECEIPT_TITLE = "住房公积金提取业务办理回执"
CENTRE_NAME = "辽宁省省直住房资金管理中心"
_VERIFICATION_SALT = "gjj.withdrawals.receipts.verification"

# --- 大写金额 ---------------------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")


def _integer_in_capitals(number: int) -> str:
    """The whole 元 in capitals, without the unit 元: 86420 → 捌万陆仟肆佰贰拾."""
    text = str(number)
    length = len(text)
    out: list[str] = []
    zero_pending = False
    for index, char in enumerate(text):
        position = length - 1 - index  # counted from the ones digit
        digit = int(char)
        if digit == 0:
            zero_pending = True
        else:
            if zero_pending and out:
                out.append("零")
            zero_pending = False
            out.append(_DIGITS[digit] + _SMALL_UNITS[position % 4])
        if position % 4 == 0 and position > 0:
            group = text[max(0, index - 3) : index + 1]
            if int(group) != 0:
                out.append(_GROUP_UNITS[position // 4])
    return "".join(out)


def amount_in_chinese_capitals(fen: int) -> str:
    """An amount in fen in Chinese capital numerals (大写金额), as written on receipts and cheques:
    0 → 零元整, 8642050 → 捌万陆仟肆佰贰拾元伍角, 10000000 → 壹拾万元整, 100101 → 壹仟零壹元零壹分."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("金额必须是整数分")
    if fen < 0:
        raise ValueError("金额不能为负数")
    if fen >= 10**16:
        raise ValueError("金额过大")
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    parts: list[str] = []
    if yuan:
        parts.append(_integer_in_capitals(yuan) + "元")
    if cents == 0:
        parts.append("整")
        return "".join(parts)
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    if fen_digit:
        if yuan and not jiao:
            parts.append("零")
        parts.append(_DIGITS[fen_digit] + "分")
    return "".join(parts)


# --- 校验码 ------------------------------------------------------------------------------------------


def receipt_verification_code(business_no: str) -> str:
    """12 hex characters of an HMAC-SHA256 of the business number under the project's SECRET_KEY
    (Django's salted_hmac), in capitals: staff recompute it to check a printed receipt."""
    digest = salted_hmac(_VERIFICATION_SALT, business_no, algorithm="sha256").hexdigest()
    return digest[:12].upper()


def receipt_verify_url(*, business_no: str, code: str) -> str:
    """The absolute address of 核验回执 for this receipt: what its QR code encodes."""
    query = urlencode({"no": business_no, "code": code})
    return public_url(f"{reverse('receipt_verify')}?{query}")


def receipt_verification_check(business_no: str, code: str) -> bool:
    from django.utils.crypto import constant_time_compare

    cleaned = "".join(code.split()).upper()
    return constant_time_compare(receipt_verification_code(business_no), cleaned)


# --- the font --------------------------------------------------------------------------------------


def receipt_font_name() -> str:
    """Register the receipt's font once and return its name: the TTF of GJJ_PDF_FONT, or
    STSong-Light when that file is missing or unusable."""
    path = str(getattr(settings, "GJJ_PDF_FONT", "") or DEFAULT_PDF_FONT)
    name = f"{TTF_FONT_NAME}-{zlib.crc32(path.encode()):08x}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    if Path(path).is_file():
        try:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
            return name
        except (TTFError, OSError) as exc:
            logger.warning("回执字体 %s 无法使用（%s），改用 %s", path, exc, CID_FALLBACK_FONT)
    else:
        logger.warning("回执字体 %s 不存在，改用 %s", path, CID_FALLBACK_FONT)
    if CID_FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK_FONT))
    return CID_FALLBACK_FONT


# --- the receipt -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptContent:
    """What the receipt says, before layout (tests read it without parsing the PDF)."""

    title: str
    centre_name: str
    rows: list[tuple[str, str]]
    next_step: str
    hotline: str
    verification_code: str
    printed_at: str
    verify_url: str = ""  # 核验回执 with this receipt's number and code (its QR code)

    def text(self) -> str:
        lines = [self.title, self.centre_name]
        lines += [f"{label}：{value}" for label, value in self.rows]
        lines += [self.next_step, self.hotline, self.verification_code, self.printed_at]
        return "\n".join(lines)


def _moment(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def receipt_content(*, application: Application) -> ReceiptContent:
    policy = active_policy()
    facts = application_facts(application=application, policy=policy)
    snapshot = application.house_snapshot or {}
    contract_no = str(snapshot.get("contract_no") or "")
    archive_no = str(snapshot.get("archive_no") or "")
    if application.lookup_field == "contract_no":
        contract_no = contract_no or application.house_key
    elif application.lookup_field == "archive_no":
        archive_no = archive_no or application.house_key
    amount_fen = facts.amount_fen or 0
    # The pages' words for the same facts (gjj.core.glossary).
    rows: list[tuple[str, str]] = [
        (glossary.BUSINESS_NO, facts.business_no),
        ("申请人", facts.applicant_name),
        (glossary.ID_NUMBER, facts.masked_id_number),
        (glossary.ACCOUNT_NO, facts.account_no),
        (glossary.REASON, facts.reason_name),
    ]
    if facts.has_house:  # the other reasons name no house
        rows.append((glossary.HOUSE_ADDRESS, facts.house_address or "—"))
        if contract_no:
            rows.append((glossary.CONTRACT_NO, contract_no))
        if archive_no:
            rows.append((glossary.ARCHIVE_NO, archive_no))
        rows.append((glossary.RELATION, facts.relation_label or "—"))
    rows += [
        (glossary.BANK, facts.bank_name or "—"),
        (glossary.CARD_NO, facts.masked_card_no or "—"),
        (glossary.AMOUNT, format_yuan(amount_fen)),
        (glossary.AMOUNT_IN_CAPITALS, amount_in_chinese_capitals(amount_fen)),
        (glossary.CHANNEL, facts.channel_label),
        (glossary.SUBMITTED_AT, _moment(facts.submitted_at)),
        (glossary.STATE, facts.state_label),
    ]
    if facts.paid_at:
        rows.append((glossary.PAID_AT, _moment(facts.paid_at)))
    if facts.account_closed:
        rows.append((glossary.ACCOUNT_STATUS, "已销户"))
    hotline = policy.hotline
    return ReceiptContent(
        title=RECEIPT_TITLE,
        centre_name=policy.centre_name or CENTRE_NAME,
        rows=rows,
        next_step=next_step_text(application=application, policy=policy),
        hotline=f"服务热线：{hotline}" if hotline else "",
        verification_code=f"校验码：{receipt_verification_code(facts.business_no)}",
        verify_url=receipt_verify_url(
            business_no=facts.business_no, code=receipt_verification_code(facts.business_no)
        ),
        printed_at=f"打印时间：{_moment(to_shanghai(timezone.now()))}",
    )


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=2 * mm
        ),
        "centre": ParagraphStyle("centre", parent=base, fontSize=12, leading=18, alignment=TA_CENTER),
        "label": ParagraphStyle("label", parent=base, textColor=colors.HexColor("#333333")),
        "value": base,
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=18, spaceBefore=4 * mm),
        "body": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=9, leading=14, textColor=colors.HexColor("#333333")
        ),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _qr_drawing(data: str, *, size: float) -> Drawing:
    widget = QrCodeWidget(data, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def receipt_pdf(*, application: Application) -> bytes:
    """The receipt of one submitted application as an A4 PDF."""
    content = receipt_content(application=application)
    font = receipt_font_name()
    styles = _styles(font)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{content.title} {application.business_no or ''}".strip(),
        author=content.centre_name,
        subject=content.title,
        lang="zh-CN",
    )
    story: list[Flowable] = [
        Paragraph(_escape(content.title), styles["title"]),
        Paragraph(_escape(content.centre_name), styles["centre"]),
        Spacer(1, 6 * mm),
    ]
    table_rows = [
        [Paragraph(_escape(label), styles["label"]), Paragraph(_escape(value), styles["value"])]
        for label, value in content.rows
    ]
    table = Table(table_rows, colWidths=[42 * mm, None], repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#808080")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#EEF2F7")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5 * mm),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    story += [
        table,
        Paragraph("后续办理", styles["heading"]),
        Paragraph(_escape(content.next_step), styles["body"]),
    ]
    story += [
        Spacer(1, 6 * mm),
        HRFlowable(width="100%", thickness=0.5, color=colors.HexColor("#808080")),
        Spacer(1, 2 * mm),
    ]
    lines: list[Flowable] = [
        Paragraph(_escape(line), styles["small"])
        for line in (content.hotline, content.verification_code, content.printed_at)
        if line
    ]
    lines.append(
        Paragraph(
            "本回执由个人网上服务大厅生成，仅证明申请已受理，不作为提取资金到账凭证。"
            f"扫描右侧二维码或访问 {_escape(content.verify_url)} 可核验回执真伪。",
            styles["small"],
        )
    )
    footer = Table([[lines, _qr_drawing(content.verify_url, size=28 * mm)]], colWidths=[None, 32 * mm])
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(footer)
    document.build(story)
    return buffer.getvalue()
