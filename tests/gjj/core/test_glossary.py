"""One wording for the same thing on every channel: the glossary, its template tag, and the
channel labels every page, the receipt, the API and the back office take from it."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from gjj.core import glossary
from gjj.withdrawals.models import Channel
from gjj.withdrawals.selectors import channel_label


def test_the_term_tag_gives_the_glossary_s_words():
    rendered = Template(
        '{% load glossary %}{% term "id_number" %}|{% term "card_no" %}|{% term "business_no" %}'
    ).render(Context())

    assert rendered == "身份证号|银行卡号码|业务流水号"


def test_an_unknown_term_is_a_mistake_not_a_page():
    with pytest.raises(KeyError, match="术语表中没有"):
        Template('{% load glossary %}{% term "id_no" %}').render(Context())


def test_the_seed_s_form_words():
    """DESIGN.md: forms label every field with the seed's own words."""
    assert {
        glossary.CONTRACT_NO,
        glossary.ARCHIVE_NO,
        glossary.BANK,
        glossary.CARD_NO,
        glossary.AMOUNT,
        glossary.DECLARATION,
        glossary.SUBMIT,
        glossary.MATERIALS_UPLOAD,
        glossary.SUBMITTED,
        glossary.BUSINESS_NO,
    } == {
        "备案合同号",
        "房证新档案号",
        "收款银行",
        "银行卡号码",
        "提取金额",
        "承诺书",
        "提交申请",
        "影像上传",
        "提交成功",
        "业务流水号",
    }


def test_each_channel_has_one_label_a_member_understands():
    labels = {channel: channel_label(channel) for channel in Channel}

    assert labels == {
        Channel.WEB: "个人网厅",
        Channel.WECHAT: "微信公众号",
        Channel.APP: "手机APP",
        Channel.API: "手机APP客户端",
        Channel.BACKOFFICE: "业务后台",
        Channel.SYSTEM: "系统",
    }
    assert len(set(labels.values())) == len(labels)  # a filter never offers two alike
