"""Row-level security on the relation usager's tables. The portal's accounts and the invitations are read
before any tenant is known (a login, an invitation link): their tables also open to the authentication
lookup, as the professionals' table does."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex

TABLES = ("accesportail", "fil", "message", "piecejointe", "partagedocument")
HISTORIQUES = ("accesportail", "partagedocument")


class Migration(migrations.Migration):
    dependencies = [("relation", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        *(EnableRLS(f"relation_{t}") for t in TABLES),
        *(EnableRLS(f"relation_historical{t}") for t in HISTORIQUES),
        *(HistoryIndex(f"relation_historical{t}") for t in HISTORIQUES),
        EnableRLS("relation_compteproche", auth_lookup=True),
        EnableRLS("relation_invitation", auth_lookup=True),
    ]
