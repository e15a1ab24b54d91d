from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "gjj.members"
    label = "members"
    verbose_name = "缴存职工与账户"
