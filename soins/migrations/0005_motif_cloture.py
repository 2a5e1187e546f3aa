"""One name for the reason of a closed row (dui.models.ClotureMotivee): the column is renamed, its data kept."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("soins", "0004_releve_evenements")]

    operations = [
        migrations.RemoveConstraint(
            model_name="allergie",
            name="allergie_inactive_motif",
        ),
        migrations.RenameField(model_name="allergie", old_name="inactive_motif", new_name="motif_cloture"),
        migrations.RenameField(
            model_name="historicalallergie", old_name="inactive_motif", new_name="motif_cloture"
        ),
        migrations.RenameField(model_name="constante", old_name="annulee_motif", new_name="motif_cloture"),
        migrations.RenameField(
            model_name="historicalconstante", old_name="annulee_motif", new_name="motif_cloture"
        ),
        migrations.RenameField(model_name="soinplanifie", old_name="arrete_motif", new_name="motif_cloture"),
        migrations.RenameField(
            model_name="historicalsoinplanifie", old_name="arrete_motif", new_name="motif_cloture"
        ),
        migrations.AlterField(
            model_name="constante",
            name="motif_cloture",
            field=models.CharField(blank=True, max_length=300, verbose_name="motif"),
        ),
        migrations.AlterField(
            model_name="historicalconstante",
            name="motif_cloture",
            field=models.CharField(blank=True, max_length=300, verbose_name="motif"),
        ),
        migrations.AlterField(
            model_name="historicalsoinplanifie",
            name="motif_cloture",
            field=models.CharField(blank=True, max_length=300, verbose_name="motif"),
        ),
        migrations.AlterField(
            model_name="soinplanifie",
            name="motif_cloture",
            field=models.CharField(blank=True, max_length=300, verbose_name="motif"),
        ),
        migrations.AddConstraint(
            model_name="allergie",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("inactive_le__isnull", True),
                    models.Q(("motif_cloture", ""), _negated=True),
                    _connector="OR",
                ),
                name="allergie_inactive_motif",
            ),
        ),
    ]
