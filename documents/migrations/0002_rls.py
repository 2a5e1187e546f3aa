"""Row-level security on the documents tables."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("documents_document"),
        EnableRLS("documents_historicaldocument"),
        HistoryIndex("documents_historicaldocument"),
    ]
