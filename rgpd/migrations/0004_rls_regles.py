"""Row-level security on the retention rules."""

from django.db import migrations

from dui.rls import EnableRLS


class Migration(migrations.Migration):
    dependencies = [("rgpd", "0003_regles_conservation")]

    operations = [EnableRLS("rgpd_regleconservation")]
