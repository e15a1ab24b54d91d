from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govsso.accounts"
    label = "accounts"
    verbose_name = "自然人账户"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from gjj.core.apps import cache_table_create

        post_migrate.connect(cache_table_create, dispatch_uid="govsso.accounts.cache_table_create")
