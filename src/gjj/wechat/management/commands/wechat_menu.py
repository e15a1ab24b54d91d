"""gjj wechat-menu: publish the official account's menu through the platform API."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from gjj.clients.wechat import WechatUnavailable, get_wechat_client
from gjj.wechat.menu import official_menu


class Command(BaseCommand):
    help = "通过微信公众平台接口发布公众号自定义菜单（业务办理、办理进度）"

    def handle(self, *args: object, **options: object) -> None:
        menu = official_menu()
        try:
            answer = get_wechat_client().menu_create(menu)
        except WechatUnavailable as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps({"menu": menu, "answer": answer}, ensure_ascii=False))
