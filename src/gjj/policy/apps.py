from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "gjj.policy"
    label = "policy"
    verbose_name = "提取政策"
