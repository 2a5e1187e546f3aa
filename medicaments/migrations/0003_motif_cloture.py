"""One name for the reason of a closed row (dui.models.ClotureMotivee): the column is renamed, its data kept."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("medicaments", "0002_rls")]

    operations = [
        migrations.RemoveConstraint(
            model_name="prescription",
            name="prescription_arret_motif",
        ),
        migrations.RenameField(model_name="prescription", old_name="arret_motif", new_name="motif_cloture"),
        migrations.RenameField(
            model_name="historicalprescription", old_name="arret_motif", new_name="motif_cloture"
        ),
        migrations.AlterField(
            model_name="historicalprescription",
            name="motif_cloture",
            field=models.CharField(blank=True, max_length=300, verbose_name="motif"),
        ),
        migrations.AlterField(
            model_name="prescription",
            name="motif_cloture",
            field=models.CharField(blank=True, max_length=300, verbose_name="motif"),
        ),
        migrations.AddConstraint(
            model_name="prescription",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("arrete_le__isnull", True),
                    models.Q(("motif_cloture", ""), _negated=True),
                    _connector="OR",
                ),
                name="prescription_arret_motif",
            ),
        ),
    ]
