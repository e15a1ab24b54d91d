"""What every hall page shows around its content: the centre, the hotline, the member's name."""

from __future__ import annotations

from django.http import HttpRequest

from gjj.identity.selectors import member_for_request
from gjj.policy.active import active_policy

CENTRE_NAME = "辽宁省省直住房资金管理中心"


def hall_chrome(request: HttpRequest) -> dict[str, str]:
    policy = active_policy()
    member = member_for_request(request)
    return {
        "hall_centre_name": policy.centre_name or CENTRE_NAME,
        "hall_hotline": policy.hotline,
        # Empty for visitors and staff: the top bar shows 退出 only to a logged-in member.
        "hall_member_name": member.display_name if member is not None else "",
    }
