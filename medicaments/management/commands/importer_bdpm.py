"""manage.py importer_bdpm [--dossier D]: load or update the BDPM drug base (idempotent)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from medicaments import bdpm


class Command(BaseCommand):
    help = "Importe la base de données publique des médicaments (fichiers ANSM) ; idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dossier",
            default=None,
            help="Dossier des fichiers CIS_*.txt (par défaut : l'extrait livré avec le dépôt).",
        )
        parser.add_argument("--sans-progression", action="store_true", help="Pas de barre de progression.")

    def handle(self, *args, dossier=None, sans_progression=False, **options):
        progression = None if sans_progression else self._progression
        try:
            bilan = bdpm.importer(dossier, progression=progression)
        except (OSError, bdpm.FichierInvalide) as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write("")
        self.stdout.write(
            f"BDPM importée depuis {dossier or bdpm.DOSSIER_EXTRAIT}"
            + (" — aucune modification" if bilan.ecritures == 0 else "")
        )
        for ligne in bilan.lignes():
            self.stdout.write(f"  {ligne}")

    def _progression(self, nom: str, fait: int, total: int) -> None:
        largeur = 30
        plein = largeur * fait // max(total, 1)
        sys.stderr.write(f"\r  {nom:<14} [{'#' * plein}{'.' * (largeur - plein)}] {fait}/{total}")
        if fait == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
