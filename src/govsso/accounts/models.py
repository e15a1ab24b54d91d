"""The natural-person account (自然人账户) of the government-service site.

It is the user model of govsso (``AUTH_USER_MODEL``): people sign in with their 身份证号 or
手机号 and password, and the OpenID Connect provider issues ID tokens for it, with the ID-card
number among the claims the hall relies on.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from gjj.core.encrypted import EncryptedCharField


class NaturalPersonManager(BaseUserManager["NaturalPerson"]):
    def create_user(self, id_number: str, password: str | None = None, **extra_fields: Any) -> NaturalPerson:
        if not id_number:
            raise ValueError("身份证号不能为空")
        person = self.model(id_number=id_number, **extra_fields)
        person.set_password(password)
        person.save(using=self._db)
        return person


class NaturalPerson(AbstractBaseUser):
    id_number = EncryptedCharField("身份证号", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=64)
    phone = EncryptedCharField("手机号", max_length=11, unique=True)
    date_joined = models.DateTimeField("注册时间", default=timezone.now)
    is_active = models.BooleanField("有效", default=True)
    # The OpenID Connect subject (``sub``): stable and opaque, so that a relying party never
    # learns a row id or keys anything on the ID number through it.
    subject = models.UUIDField("OIDC 主体标识", default=uuid.uuid4, unique=True, editable=False)

    USERNAME_FIELD = "id_number"
    REQUIRED_FIELDS = ["name", "phone"]

    objects = NaturalPersonManager()

    class Meta:
        verbose_name = "自然人账户"

    def __str__(self) -> str:
        return self.name

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name
