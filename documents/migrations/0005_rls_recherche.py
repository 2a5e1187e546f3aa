"""Row-level security on the classification plan; the French full-text configuration that ignores accents
(a search for « hopital » finds « hôpital »), from the trusted ``unaccent`` extension; the documents that were
replaced by a newer version marked as such."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex

CONFIGURATION = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'fr_dui') THEN
        CREATE TEXT SEARCH CONFIGURATION fr_dui (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION fr_dui
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
END
$$;
"""


def marquer_remplaces(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    base = Document.objects.using(schema_editor.connection.alias)
    remplaces = base.filter(remplace__isnull=False).values_list("remplace_id", flat=True)
    base.filter(pk__in=list(remplaces)).update(derniere_version=False)


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_gestion_documentaire"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("documents_classedocument"),
        EnableRLS("documents_historicalclassedocument"),
        HistoryIndex("documents_historicalclassedocument"),
        # trusted; usually created beforehand by scripts/provision_db.py, never dropped (other apps use it)
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS unaccent", migrations.RunSQL.noop),
        migrations.RunSQL(CONFIGURATION, "DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_dui"),
        migrations.RunPython(marquer_remplaces, migrations.RunPython.noop),
    ]
