"""Evidence is addressed by a random id, not its sequential key."""

import uuid

from django.db import migrations, models


def give_each_a_random_id(apps, schema_editor):
    Evidence = apps.get_model("partnership", "Evidence")
    for evidence in Evidence.objects.all():
        evidence.public_id = uuid.uuid4()
        evidence.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("partnership", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_a_random_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="evidence",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
