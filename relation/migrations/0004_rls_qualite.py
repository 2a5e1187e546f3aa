"""Row-level security on the complaints and the adverse events; the states of an adverse event enforced in
the database: forward only (déclaré → en analyse → actions → clos, or en analyse → clos), nothing after the
closure (relation.models.TRANSITIONS_EI)."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex

TABLES = ("reclamation", "evenementindesirable", "actioncorrective")

TRANSITIONS_SQL = """
CREATE OR REPLACE FUNCTION relation_ei_transition() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.statut = OLD.statut THEN
        IF OLD.statut = 'clos' THEN
            RAISE EXCEPTION 'Un événement indésirable clos ne se modifie plus.';
        END IF;
        RETURN NEW;
    END IF;
    IF (OLD.statut, NEW.statut) IN (('declare', 'en_analyse'), ('en_analyse', 'actions'),
                                    ('en_analyse', 'clos'), ('actions', 'clos')) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Passage interdit de « % » à « % » pour un événement indésirable.', OLD.statut, NEW.statut;
END $$;
CREATE TRIGGER relation_ei_transition BEFORE UPDATE ON relation_evenementindesirable
    FOR EACH ROW EXECUTE FUNCTION relation_ei_transition();
"""


class Migration(migrations.Migration):
    dependencies = [("relation", "0003_reclamations_evenements")]

    operations = [
        *(EnableRLS(f"relation_{t}") for t in TABLES),
        *(EnableRLS(f"relation_historical{t}") for t in TABLES),
        *(HistoryIndex(f"relation_historical{t}") for t in TABLES),
        migrations.RunSQL(
            TRANSITIONS_SQL,
            reverse_sql="DROP TRIGGER IF EXISTS relation_ei_transition ON relation_evenementindesirable; "
            "DROP FUNCTION IF EXISTS relation_ei_transition();",
        ),
    ]
