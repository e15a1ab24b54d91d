from django.apps import AppConfig


class WithdrawalsConfig(AppConfig):
    name = "gjj.withdrawals"
    label = "withdrawals"
    verbose_name = "提取业务"

    def ready(self) -> None:
        from gjj.withdrawals import notifications
        from gjj.withdrawals.events import member_event_subscribe

        # The member is told of each event by SMS; other senders subscribe in their own apps.
        member_event_subscribe(notifications.notify)
