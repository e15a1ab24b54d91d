from django.apps import AppConfig


class WechatConfig(AppConfig):
    name = "gjj.wechat"
    label = "wechat"
    verbose_name = "微信公众号"

    def ready(self) -> None:
        from gjj.wechat.notifications import wechat_notify
        from gjj.withdrawals.events import member_event_subscribe

        # Members who linked WeChat get a template message at each member event.
        member_event_subscribe(wechat_notify)
