"""Row-level security on the contracts, their templates and the documents handed at admission."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex

TABLES = ("modelecontrat", "contrat", "remisedocument")


class Migration(migrations.Migration):
    dependencies = [("administratif", "0006_contrats"), ("dui", "0003_rls")]

    operations = [
        *(EnableRLS(f"administratif_{t}") for t in TABLES),
        *(EnableRLS(f"administratif_historical{t}") for t in TABLES),
        *(HistoryIndex(f"administratif_historical{t}") for t in TABLES),
    ]
