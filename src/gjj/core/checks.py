"""`gjj check --deploy` also reads the Content-Security-Policy (Django 5.2 has no check of its own)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

from gjj.core.csp import content_security_policy

CSP_MIDDLEWARE = "gjj.core.csp.ContentSecurityPolicyMiddleware"


@register(Tags.security, deploy=True)
def content_security_policy_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        return [
            Warning(f"{CSP_MIDDLEWARE} 不在 MIDDLEWARE 中：页面没有 Content-Security-Policy", id="gjj.W001")
        ]
    loose = [
        word
        for word in ("'unsafe-inline'", "'unsafe-eval'", "*")
        if word in content_security_policy().split()
    ]
    if loose:
        return [Warning(f"Content-Security-Policy 含有 {'、'.join(loose)}", id="gjj.W002")]
    return []
