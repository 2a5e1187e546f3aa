"""Row-level security on the outbox."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex


class Migration(migrations.Migration):
    dependencies = [("interop", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("interop_envoi"),
        EnableRLS("interop_historicalenvoi"),
        HistoryIndex("interop_historicalenvoi"),
    ]
