"""Users belong to partnerships, with a role in each; a site administrator
runs the installation. Each existing user keeps the role they had, now in
every partnership that exists (they could read all of them before), and
administrators become site administrators.
"""

import django.db.models.deletion
from django.db import migrations, models


def roles_to_memberships(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    Partnership = apps.get_model("partnership", "Partnership")
    partnerships = list(Partnership.objects.all())
    for user in User.objects.all():
        user.is_site_administrator = user.role == "administrator"
        user.save(update_fields=["is_site_administrator"])
        Membership.objects.bulk_create(
            Membership(user=user, partnership=p, role=user.role) for p in partnerships
        )


def memberships_to_roles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.all():
        first = user.memberships.order_by("id").first()
        user.role = (
            "administrator"
            if user.is_site_administrator
            else (first.role if first else "viewer")
        )
        user.save(update_fields=["role"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_refuses_replace"),
        ("partnership", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_site_administrator",
            field=models.BooleanField(
                default=False,
                help_text="Runs the installation: every partnership, users, "
                "the audit log.",
            ),
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("administrator", "Partnership administrator"),
                            ("analyst", "Analyst"),
                            ("group_lead", "Group lead"),
                            ("case_worker", "Case worker"),
                            ("viewer", "Viewer"),
                        ],
                        default="viewer",
                        max_length=20,
                    ),
                ),
                (
                    "partnership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="partnership.partnership",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="accounts.user",
                    ),
                ),
            ],
            options={"ordering": ["partnership__name"]},
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                fields=("user", "partnership"), name="one_membership_per_partnership"
            ),
        ),
        migrations.RunPython(roles_to_memberships, memberships_to_roles),
        migrations.RemoveField(model_name="user", name="role"),
    ]
