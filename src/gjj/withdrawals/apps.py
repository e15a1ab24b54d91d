from django.apps import AppConfig


class WithdrawalsConfig(AppConfig):
    name = "gjj.withdrawals"
    label = "withdrawals"
    verbose_name = "提取业务"
