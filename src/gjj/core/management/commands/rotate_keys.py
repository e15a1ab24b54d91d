"""gjj rotate-keys: rewrite the personal numbers at rest under the current field key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gjj.core.encrypted import encrypted_values_rotate, key_ring


class Command(BaseCommand):
    help = "用当前字段密钥（GJJ_FIELD_KEYS 的第一个）重新加密所有以旧密钥加密的身份证号、手机号、银行卡号"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = encrypted_values_rotate()
        for column, count in counts.items():
            self.stdout.write(f"{column}：重新加密 {count} 条")
        self.stdout.write(f"全部数据已使用密钥 {key_ring().current_id} 加密；旧密钥可从密钥列表中移除")
