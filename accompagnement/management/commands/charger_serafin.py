"""manage.py charger_serafin [--dossier D] [--version-jeux V]: load (or update) the SERAFIN-PH nomenclatures."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accompagnement import serafin
from accompagnement.models import CodeSerafin


class Command(BaseCommand):
    help = "Charge les nomenclatures SERAFIN-PH (J285, J284, J283) ; idempotent, versionné."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dossier", default=None, help="Dossier des fichiers TSV (par défaut : ceux du dépôt)."
        )
        parser.add_argument(
            "--version-jeux",
            dest="version_jeux",
            default=serafin.VERSION,
            help="Version des jeux de valeurs (par défaut : celle du dépôt).",
        )

    def handle(self, *args, dossier=None, version_jeux=None, **options):
        version = version_jeux
        try:
            with transaction.atomic(using="owner"):
                stats = serafin.charger(CodeSerafin, dossier, version, using="owner")
        except (OSError, serafin.NomenclatureInvalide) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"SERAFIN-PH version {version} : {stats['crees']} codes créés, "
            f"{stats['mis_a_jour']} mis à jour, {stats['desactives']} désactivés "
            f"(versions antérieures)."
        )
