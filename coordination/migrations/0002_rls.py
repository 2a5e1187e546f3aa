"""Row-level security on the agenda's tables. The feed tokens are read before any tenant is known (a
calendar application calls the feed without a session): their table also opens to the authentication
lookup, as the professionals' table does."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex

TABLES = ("ressource", "serie", "evenement", "transport", "reservation", "participation")
HISTORIQUES = ("ressource", "serie", "evenement", "transport", "participation")


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        *(EnableRLS(f"coordination_{t}") for t in TABLES),
        *(EnableRLS(f"coordination_historical{t}") for t in HISTORIQUES),
        *(HistoryIndex(f"coordination_historical{t}") for t in HISTORIQUES),
        EnableRLS("coordination_jetonagenda", auth_lookup=True),
    ]
