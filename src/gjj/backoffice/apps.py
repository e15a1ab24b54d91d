from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "gjj.backoffice"
    label = "backoffice"
    verbose_name = "后台管理"
