from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def cache_table_create(**kwargs: Any) -> None:
    """The database cache's table (CACHES), after every migrate: idempotent, and nothing when the
    cache is Redis or memory."""
    from django.core.management import call_command

    call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)


class CoreConfig(AppConfig):
    name = "gjj.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        from gjj.core import checks  # noqa: F401 - registers the deploy checks

        # This app has no models, so no post_migrate is sent for it: after any app's migrations.
        post_migrate.connect(cache_table_create, dispatch_uid="gjj.core.cache_table_create")
