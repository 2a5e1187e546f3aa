"""Row-level security on every tenant table of the circuit du médicament (the BDPM tables are reference
data: no organisme, read-only for the application role), and the trigger that refuses an administration
outside its prescription's period."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex

PERIODE = """
CREATE FUNCTION medicaments_administration_dans_la_periode() RETURNS trigger AS $$
DECLARE
    p record;
BEGIN
    SELECT debut, fin, arrete_le INTO p FROM medicaments_prescription WHERE id = NEW.prescription_id;
    IF NOT FOUND OR NEW.administree_le < p.debut
       OR (p.fin IS NOT NULL AND NEW.administree_le >= p.fin)
       OR (p.arrete_le IS NOT NULL AND NEW.administree_le >= p.arrete_le) THEN
        RAISE EXCEPTION 'administration hors de la période de la prescription %', NEW.prescription_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'administration_dans_la_periode';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER administration_dans_la_periode
    BEFORE INSERT OR UPDATE OF administree_le, prescription_id, statut ON medicaments_administration
    FOR EACH ROW EXECUTE FUNCTION medicaments_administration_dans_la_periode();
"""

SANS_PERIODE = """
DROP TRIGGER administration_dans_la_periode ON medicaments_administration;
DROP FUNCTION medicaments_administration_dans_la_periode();
"""


class Migration(migrations.Migration):
    dependencies = [("medicaments", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("medicaments_administration"),
        EnableRLS("medicaments_alerteprescription"),
        EnableRLS("medicaments_articlestock"),
        EnableRLS("medicaments_doseplanifiee"),
        EnableRLS("medicaments_historicaladministration"),
        HistoryIndex("medicaments_historicaladministration"),
        EnableRLS("medicaments_historicalarticlestock"),
        HistoryIndex("medicaments_historicalarticlestock"),
        EnableRLS("medicaments_historicalpilulier"),
        HistoryIndex("medicaments_historicalpilulier"),
        EnableRLS("medicaments_historicalprescription"),
        HistoryIndex("medicaments_historicalprescription"),
        EnableRLS("medicaments_mouvementstock"),
        EnableRLS("medicaments_pilulier"),
        EnableRLS("medicaments_prescription"),
        migrations.RunSQL(PERIODE, SANS_PERIODE),
    ]
