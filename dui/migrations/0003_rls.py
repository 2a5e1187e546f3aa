"""Row-level security on every tenant table of the core (ARCHITECTURE.md §2)."""

from django.db import migrations

from dui.rls import AppendOnly, CreateFunctions, EnableRLS


class Migration(migrations.Migration):
    dependencies = [("dui", "0002_initial")]

    operations = [
        CreateFunctions(),
        EnableRLS("dui_etablissement"),
        EnableRLS("dui_historicaletablissement"),
        EnableRLS("dui_unite"),
        EnableRLS("dui_historicalunite"),
        EnableRLS("dui_journalacces"),
        AppendOnly("dui_journalacces"),
        EnableRLS("dui_exportjournal"),
    ]
