"""Load the SERAFIN-PH nomenclatures shipped in the repository (accompagnement/nomenclatures/)."""

from django.db import migrations


def charger(apps, schema_editor):
    from accompagnement import serafin

    serafin.charger(apps.get_model("accompagnement", "CodeSerafin"), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0002_rls")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
