"""Row-level security on the coupes Pathos (and their history) and the activity reports."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex


class Migration(migrations.Migration):
    dependencies = [("pilotage", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("pilotage_coupepathos"),
        EnableRLS("pilotage_historicalcoupepathos"),
        HistoryIndex("pilotage_historicalcoupepathos"),
        EnableRLS("pilotage_rapportactivite"),
    ]
