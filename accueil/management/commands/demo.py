from django.core.management.base import BaseCommand

from accueil.demo import DEMO_PASSWORD, construire_demo


class Command(BaseCommand):
    help = "Crée les données de démonstration (idempotent)."

    def handle(self, *args, **options):
        if construire_demo():
            self.stdout.write(self.style.SUCCESS("Données de démonstration créées."))
        else:
            self.stdout.write("Données de démonstration déjà présentes.")
        self.stdout.write(f"Mot de passe de tous les comptes de démonstration : {DEMO_PASSWORD}")
