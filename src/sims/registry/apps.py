from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "sims.registry"
    label = "registry"
    verbose_name = "房屋登记系统（模拟）"
