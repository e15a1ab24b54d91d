"""通知公告 on the portal home page. Kept in code for now; the back office will edit them later."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    slug: str
    title: str
    published_on: dt.date
    body: str


NOTICES: tuple[Notice, ...] = (
    Notice(
        slug="purchase-online-guide",
        title="购房提取业务线上办理指南",
        published_on=dt.date(2026, 11, 20),
        body=(
            "缴存职工购买商品住房的，可通过个人网厅、微信公众号“辽宁省直公积金”或手机APP在线申请提取住房公积金："
            "登录后选择【提取】→购买商品住房提取，填写备案合同号或房证新档案号，填写本人名下一类银行卡，"
            "阅读并同意承诺书后提交申请，再按提示上传身份证、购房合同、购房发票、银行卡等影像材料。"
        ),
    ),
    Notice(
        slug="instant-approval",
        title="秒批秒到服务上线",
        published_on=dt.date(2026, 11, 15),
        body=(
            "自即日起，房屋备案、银行账户和缴存信息全部经数据核验通过的购房提取申请，提交后即时审批，"
            "资金实时转入本人收款银行卡，无需等待人工审核。"
        ),
    ),
    Notice(
        slug="service-hours",
        title="业务办理时间",
        published_on=dt.date(2026, 11, 1),
        body=(
            "网上服务大厅全天24小时受理申请；人工审核时间为工作日 8:30—11:30、13:00—17:00，"
            "需人工审核的申请一般在3个工作日内办结。"
        ),
    ),
    Notice(
        slug="unified-login",
        title="个人网厅启用辽宁政务服务网统一身份认证",
        published_on=dt.date(2026, 10, 28),
        body=(
            "个人网厅使用辽宁政务服务网统一身份认证登录。尚未注册的缴存职工，请在登录页面点击“注册账号”，"
            "按自然人用户注册后即可登录办理业务。"
        ),
    ),
)
