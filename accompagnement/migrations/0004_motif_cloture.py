"""One name for the reason of a closed row (dui.models.ClotureMotivee): the column is renamed, its data kept."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0003_serafin")]

    operations = [
        migrations.RemoveConstraint(
            model_name="evaluationaggir",
            name="aggir_annulation_motif",
        ),
        migrations.RenameField(
            model_name="evaluationaggir", old_name="motif_annulation", new_name="motif_cloture"
        ),
        migrations.RenameField(
            model_name="historicalevaluationaggir", old_name="motif_annulation", new_name="motif_cloture"
        ),
        migrations.AlterField(
            model_name="evaluationaggir",
            name="motif_cloture",
            field=models.CharField(blank=True, max_length=300, verbose_name="motif"),
        ),
        migrations.AlterField(
            model_name="historicalevaluationaggir",
            name="motif_cloture",
            field=models.CharField(blank=True, max_length=300, verbose_name="motif"),
        ),
        migrations.AddConstraint(
            model_name="evaluationaggir",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("annulee_le__isnull", True),
                    models.Q(("motif_cloture", ""), _negated=True),
                    _connector="OR",
                ),
                name="aggir_annulation_motif",
            ),
        ),
    ]
