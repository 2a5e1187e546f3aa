"""Trigram search on the normalised names, when the server has pg_trgm (a trusted extension the
database owner may create). Without it, search falls back to substring matching."""

from django.db import migrations


def creer(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if not cursor.fetchone():
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("CREATE INDEX IF NOT EXISTS usager_nom_trgm_idx ON usagers_usager "
                       "USING gin (nom_recherche gin_trgm_ops)")


def supprimer(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS usager_nom_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("usagers", "0002_rls")]

    operations = [migrations.RunPython(creer, supprimer)]
