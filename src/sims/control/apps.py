from django.apps import AppConfig


class ControlConfig(AppConfig):
    name = "sims.control"
    label = "control"
    verbose_name = "模拟器控制（故障注入、数据加载）"
