from django.db import migrations

from dui.rls import EnableRLS


class Migration(migrations.Migration):
    dependencies = [("admission", "0001_initial"), ("dui", "0003_rls")]

    operations = [EnableRLS(t) for t in (
        "admission_demandeadmission", "admission_historicaldemandeadmission",
        "admission_decisioncommission", "admission_piecejointe",
    )]
