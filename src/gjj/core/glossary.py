"""One wording for the same thing on every channel: the words a member reads on the desktop hall,
the H5, the PDF receipt, WeChat and SMS messages, and what staff read about the same application.

Templates use ``{% load glossary %}{% term "id_number" %}`` (gjj.core.templatetags.glossary);
Python code (receipts, messages, model labels) imports the constants. The words are the seed's
(DESIGN.md: 备案合同号, 房证新档案号, 收款银行, 银行卡号码, 提取金额, 承诺书, 提交申请, 影像上传,
提交成功, 业务流水号) and 身份证号 for the member's ID number everywhere."""

from __future__ import annotations

from typing import Final

ID_NUMBER: Final = "身份证号"
NAME: Final = "姓名"
ACCOUNT_NO: Final = "个人账号"
ACCOUNT_STATUS: Final = "账户状态"
REASON: Final = "提取原因"
RETIRED_ON: Final = "退休日期"
CONTRACT_NO: Final = "备案合同号"
ARCHIVE_NO: Final = "房证新档案号"
HOUSE_ADDRESS: Final = "房屋坐落"
RELATION: Final = "与购房人关系"
BANK: Final = "收款银行"
CARD_NO: Final = "银行卡号码"
AMOUNT: Final = "提取金额"
AMOUNT_IN_CAPITALS: Final = "提取金额（大写）"
DECLARATION: Final = "承诺书"
SUBMIT: Final = "提交申请"
MATERIALS_UPLOAD: Final = "影像上传"
SUBMITTED: Final = "提交成功"
BUSINESS_NO: Final = "业务流水号"
CHANNEL: Final = "受理渠道"
STATE: Final = "办理状态"
SUBMITTED_AT: Final = "提交时间"
PAID_AT: Final = "到账时间"
MY_APPLICATIONS: Final = "我的业务"
ACCOUNT_ENQUIRY: Final = "账户查询"

# The channel an application came through (gjj.withdrawals.models.Channel), one label each, as
# lists, details, the receipt, the API and the back office show it.
CHANNEL_WEB: Final = "个人网厅"
CHANNEL_WECHAT: Final = "微信公众号"
CHANNEL_APP: Final = "手机APP"
CHANNEL_API: Final = "手机APP客户端"
CHANNEL_BACKOFFICE: Final = "业务后台"
CHANNEL_SYSTEM: Final = "系统"

# The names templates use with {% term %}.
TERMS: Final[dict[str, str]] = {
    "id_number": ID_NUMBER,
    "name": NAME,
    "account_no": ACCOUNT_NO,
    "account_status": ACCOUNT_STATUS,
    "reason": REASON,
    "retired_on": RETIRED_ON,
    "contract_no": CONTRACT_NO,
    "archive_no": ARCHIVE_NO,
    "house_address": HOUSE_ADDRESS,
    "relation": RELATION,
    "bank": BANK,
    "card_no": CARD_NO,
    "amount": AMOUNT,
    "amount_in_capitals": AMOUNT_IN_CAPITALS,
    "declaration": DECLARATION,
    "submit": SUBMIT,
    "materials_upload": MATERIALS_UPLOAD,
    "submitted": SUBMITTED,
    "business_no": BUSINESS_NO,
    "channel": CHANNEL,
    "state": STATE,
    "submitted_at": SUBMITTED_AT,
    "paid_at": PAID_AT,
    "my_applications": MY_APPLICATIONS,
    "account_enquiry": ACCOUNT_ENQUIRY,
}


def term(name: str) -> str:
    """The wording of ``name``; an unknown name is a mistake in the code, never shown."""
    try:
        return TERMS[name]
    except KeyError:
        raise KeyError(f"术语表中没有“{name}”") from None
