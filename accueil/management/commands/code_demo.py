import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accueil.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Affiche le code TOTP courant des comptes de démonstration (hors production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Indisponible en production.")
        self.stdout.write(pyotp.TOTP(DEMO_TOTP_SECRET).now())
