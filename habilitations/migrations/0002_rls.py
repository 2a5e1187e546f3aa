"""Row-level security on the habilitations tables. The authentication tables also open to the narrow
``dui_auth_lookup()`` window used by the login code (dui.tenancy.auth_lookup)."""

from django.db import migrations

from dui.rls import AppendOnly, EnableRLS


class Migration(migrations.Migration):
    dependencies = [("habilitations", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("habilitations_professionnel", auth_lookup=True),
        EnableRLS("habilitations_historicalprofessionnel", auth_lookup=True),
        EnableRLS("habilitations_dispositiftotp", auth_lookup=True),
        EnableRLS("habilitations_codesecours", auth_lookup=True),
        EnableRLS("habilitations_evenementauthentification", auth_lookup=True),
        AppendOnly("habilitations_evenementauthentification"),
        EnableRLS("habilitations_habilitation"),
        EnableRLS("habilitations_historicalhabilitation"),
        EnableRLS("habilitations_exceptionaccesetablissement"),
        EnableRLS("habilitations_brisdeglace"),
        EnableRLS("habilitations_historicalbrisdeglace"),
    ]
