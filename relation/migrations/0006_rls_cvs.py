from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex

TABLES = ("electioncvs", "membrecvs", "reunioncvs")
AUTRES = ("presencecvs",)


class Migration(migrations.Migration):
    dependencies = [("relation", "0005_cvs")]

    operations = [
        *(EnableRLS(f"relation_{t}") for t in TABLES),
        *(EnableRLS(f"relation_{t}") for t in AUTRES),
        *(EnableRLS(f"relation_historical{t}") for t in TABLES),
        *(HistoryIndex(f"relation_historical{t}") for t in TABLES),
    ]
