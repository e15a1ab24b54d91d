from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gjj.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        from gjj.core import checks  # noqa: F401 - registers the deploy checks
