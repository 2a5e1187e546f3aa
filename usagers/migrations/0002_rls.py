"""Row-level security on the usagers tables."""

from django.db import migrations

from dui.rls import EnableRLS


class Migration(migrations.Migration):
    dependencies = [("usagers", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("usagers_usager"),
        EnableRLS("usagers_historicalusager"),
        EnableRLS("usagers_exceptionaccesusager"),
        EnableRLS("usagers_transitionidentite"),
        EnableRLS("usagers_sejour"),
        EnableRLS("usagers_historicalsejour"),
    ]
