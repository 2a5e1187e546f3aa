from django.db import migrations

from dui.rls import EnableRLS


class Migration(migrations.Migration):
    dependencies = [("usagers", "0004_dossier_administratif")]

    operations = [EnableRLS(t) for t in (
        "usagers_dossieradministratif", "usagers_historicaldossieradministratif",
        "usagers_proche", "usagers_historicalproche",
        "usagers_mesureprotection", "usagers_historicalmesureprotection",
        "usagers_consentement",
    )]
