from django.apps import AppConfig


class BankConfig(AppConfig):
    name = "sims.bank"
    label = "bank"
    verbose_name = "银行网关（模拟）"
