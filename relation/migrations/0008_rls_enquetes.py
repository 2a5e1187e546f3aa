from django.db import migrations

from dui.rls import EnableRLS

TABLES = ("questionnaire", "questionenquete", "campagne", "participationenquete", "reponseenquete", "valeurreponse")


class Migration(migrations.Migration):
    dependencies = [("relation", "0007_enquetes")]

    operations = [*(EnableRLS(f"relation_{t}") for t in TABLES)]
