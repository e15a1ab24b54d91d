from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    """Installed for its templates only: the parts of a page both member channels render alike
    (the house echo)."""

    name = "gjj.applications"
    label = "applications"
    verbose_name = "申请办理（渠道共用）"
