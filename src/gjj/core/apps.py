from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gjj.core"
    label = "core"
    verbose_name = "基础设施"
