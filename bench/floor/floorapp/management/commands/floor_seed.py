from django.conf import settings
from django.core.management.base import BaseCommand

from floorapp.models import Row


class Command(BaseCommand):
    help = "The rows /read/ reads (primary keys 1..FLOOR_SEED_ROWS)."

    def handle(self, *args: object, **options: object) -> None:
        Row.objects.bulk_create(
            Row(pk=pk, name="seed", amount_fen=pk * 100) for pk in range(1, settings.FLOOR_SEED_ROWS + 1)
        )
        # The sequence past the seeded keys, so that /insert/ does not collide with them.
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('floorapp_row', 'id'), %s)",
                    [settings.FLOOR_SEED_ROWS],
                )
