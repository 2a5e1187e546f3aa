from django.db import migrations

from dui.rls import EnableRLS


class Migration(migrations.Migration):
    dependencies = [("usagers", "0006_appel_insi")]

    operations = [EnableRLS("usagers_appelinsi")]
