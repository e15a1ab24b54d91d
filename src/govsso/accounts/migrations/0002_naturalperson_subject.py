# The OIDC subject: a unique UUID per account. Added in three steps, because a unique column
# with a callable default would give every existing row the same value.

import uuid

from django.db import migrations, models


def fill_subjects(apps, schema_editor):
    NaturalPerson = apps.get_model("accounts", "NaturalPerson")
    people = list(NaturalPerson.objects.filter(subject__isnull=True).only("pk"))
    for person in people:
        person.subject = uuid.uuid4()
    NaturalPerson.objects.bulk_update(people, ["subject"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="naturalperson",
            name="subject",
            field=models.UUIDField(null=True, editable=False, verbose_name="OIDC 主体标识"),
        ),
        migrations.RunPython(fill_subjects, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="naturalperson",
            name="subject",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="OIDC 主体标识"
            ),
        ),
    ]
