from django.db import migrations

from dui.rls import HistoryIndex


class Migration(migrations.Migration):
    dependencies = [("dui", "0003_rls")]

    operations = [HistoryIndex("dui_historicaletablissement"), HistoryIndex("dui_historicalunite")]
