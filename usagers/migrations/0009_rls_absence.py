from django.db import migrations

from dui.rls import EnableRLS


class Migration(migrations.Migration):
    dependencies = [("usagers", "0008_absence")]

    operations = [EnableRLS("usagers_absence"), EnableRLS("usagers_historicalabsence")]
