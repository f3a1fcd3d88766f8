"""Problem-solving records say what their assessment compares with (issue
26). New records compare with the rest of the district, the target and its
ring of cells taken out; a record saved with a comparison area keeps the
meaning it was assessed with: that area whole, the target included."""

from django.db import migrations, models

CHOICES = [
    ("rest-of-district", "The rest of the district"),
    ("rest-of-area", "The rest of another area"),
    ("whole-area", "The whole area, target included"),
]


def keep_saved_comparisons(apps, schema_editor):
    """Records (and their history) that named a comparison area were
    assessed against the whole of it; those that named none had no
    assessment, and take the new default."""
    for name in ("ProblemSolving", "HistoricalProblemSolving"):
        model = apps.get_model("tasking", name)
        model.objects.exclude(comparison_area="").update(compare_with="whole-area")


class Migration(migrations.Migration):
    dependencies = [
        ("tasking", "0001_problem_solving"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalproblemsolving",
            name="compare_with",
            field=models.CharField(
                choices=CHOICES, default="rest-of-district", max_length=16
            ),
        ),
        migrations.AddField(
            model_name="problemsolving",
            name="compare_with",
            field=models.CharField(
                choices=CHOICES, default="rest-of-district", max_length=16
            ),
        ),
        migrations.RunPython(keep_saved_comparisons, migrations.RunPython.noop),
    ]
