"""Row-level security on the administrative tables."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex


class Migration(migrations.Migration):
    dependencies = [("administratif", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("administratif_parametresfacturation"),
        EnableRLS("administratif_historicalparametresfacturation"),
        HistoryIndex("administratif_historicalparametresfacturation"),
        EnableRLS("administratif_exportpresence"),
    ]
