from django.db import migrations

from dui.rls import HistoryIndex


class Migration(migrations.Migration):
    dependencies = [("admission", "0002_rls")]

    operations = [HistoryIndex("admission_historicaldemandeadmission")]
