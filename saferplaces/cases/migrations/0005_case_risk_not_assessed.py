"""A case's risk is "not assessed" until an assessment sets it (issue 30):
cases that were given "standard" by default, with no assessment, now say
so. A case with an assessment keeps the level the assessment gave."""

from django.db import migrations, models


def not_assessed_until_assessed(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    RiskAssessment = apps.get_model("cases", "RiskAssessment")
    assessed = RiskAssessment.objects.values("case_id")
    Case.objects.filter(risk_level="standard").exclude(pk__in=assessed).update(
        risk_level="not_assessed"
    )


def standard_again(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(risk_level="not_assessed").update(risk_level="standard")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_referral_outcomes_and_actions_done"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="risk_level",
            field=models.CharField(
                choices=[
                    ("standard", "Standard"),
                    ("medium", "Medium"),
                    ("high", "High"),
                    ("not_assessed", "Not assessed"),
                ],
                default="not_assessed",
                max_length=12,
            ),
        ),
        migrations.RunPython(not_assessed_until_assessed, standard_again),
    ]
