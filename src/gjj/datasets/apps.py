from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "gjj.datasets"
    label = "datasets"
    verbose_name = "数据导入"
