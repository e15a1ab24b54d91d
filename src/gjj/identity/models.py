"""How a member's login at the government-service SSO is tied to the fund centre's records.

A member never has a password at the hall. Their Django user exists only so that sessions,
``request.user`` and audit trails work; it is created on the first login through the SSO, has no
usable password, and is never staff. ``MemberLogin`` says which SSO account (issuer + subject) it
stands for and which 缴存职工 that account was matched to by its ID number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MemberLogin(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="网厅用户",
        on_delete=models.CASCADE,
        related_name="member_login",
    )
    person = models.ForeignKey(
        "members.Person",
        verbose_name="缴存职工",
        on_delete=models.PROTECT,
        related_name="member_logins",
    )
    # The OpenID Connect identity: `sub` is only unique per issuer, so both together are the key.
    issuer = models.CharField("身份提供方（iss）", max_length=255)
    subject = models.CharField("身份标识（sub）", max_length=255)
    created_at = models.DateTimeField("首次登录时间", auto_now_add=True)

    class Meta:
        verbose_name = "统一身份认证登录"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="member_login_subject_once"),
        ]

    def __str__(self) -> str:
        return f"MemberLogin(user={self.user_id}, person={self.person_id})"

    @property
    def display_name(self) -> str:
        """The name the SSO reported at the last login; the centre's record if it sent none."""
        return self.user.first_name or self.person.name
