"""Row-level security on the partner directory."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex


class Migration(migrations.Migration):
    dependencies = [("annuaire", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("annuaire_partenaire"),
        EnableRLS("annuaire_historicalpartenaire"),
        HistoryIndex("annuaire_historicalpartenaire"),
    ]
