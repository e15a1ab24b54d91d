"""购房提取 (01 购买住房): the house the member (or the spouse) bought, echoed from the registry."""

from __future__ import annotations

from gjj.policy.reasons import SUBJECT_HOUSE, Reason
from gjj.policy.rules import RULES, max_amount_fen
from gjj.policy.schema import Policy


def _materials(policy: Policy, house_kind: str | None, relation: str | None) -> tuple[str, ...]:
    return policy.required_materials(house_kind=house_kind or "", relation=relation)


REASON = Reason(
    summary="购买新建商品房（凭备案合同号）或存量房（凭房证新档案号）的，本人或配偶可申请提取住房公积金，资金转入本人名下的一类银行卡。",
    key="purchase",
    subject=SUBJECT_HOUSE,
    rules=RULES,
    max_amount=lambda policy, facts: max_amount_fen(facts),
    national_code=lambda policy: policy.reason_code,
    name=lambda policy: policy.reason_name,
    materials=_materials,
)
