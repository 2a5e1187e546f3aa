"""Row-level security on the RGPD tables."""

from django.db import migrations

from dui.rls import EnableRLS


class Migration(migrations.Migration):
    dependencies = [("rgpd", "0001_initial"), ("dui", "0003_rls")]

    operations = [EnableRLS("rgpd_demandedroitacces")]
