from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govsso.accounts"
    label = "accounts"
    verbose_name = "自然人账户"
