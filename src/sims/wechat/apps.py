from django.apps import AppConfig


class WechatConfig(AppConfig):
    name = "sims.wechat"
    label = "wechat"
    verbose_name = "微信公众平台（模拟）"
