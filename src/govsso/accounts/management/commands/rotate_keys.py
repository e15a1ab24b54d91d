"""rotate_keys (govsso): rewrite the 身份证号 and phone numbers at rest under the current field key."""

from __future__ import annotations

from gjj.core.management.commands.rotate_keys import Command as HallRotateKeys


class Command(HallRotateKeys):
    help = "用当前字段密钥（GOVSSO_FIELD_KEYS 的第一个）重新加密所有以旧密钥加密的身份证号、手机号"
