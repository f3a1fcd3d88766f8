"""An audit entry's time is set when the thing happened (an entry may be
written a moment later, in a batch), not when its row is inserted.

Only Django's state changes: the column holds no default in the database.
On SQLite a real AlterField would rebuild the table and drop the triggers
that keep the log append-only (migrations 0002 and 0003), so no database
operation runs here.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_manager_with_agency")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="at",
                    field=models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now
                    ),
                )
            ],
            database_operations=[],
        )
    ]
