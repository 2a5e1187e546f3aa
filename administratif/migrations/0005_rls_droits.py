"""Row-level security on the rights and aids."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex


class Migration(migrations.Migration):
    dependencies = [("administratif", "0004_droits_aides"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("administratif_droitaide"),
        EnableRLS("administratif_historicaldroitaide"),
        HistoryIndex("administratif_historicaldroitaide"),
    ]
