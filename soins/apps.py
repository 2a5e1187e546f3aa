from django.apps import AppConfig


class SoinsConfig(AppConfig):
    name = "soins"
    verbose_name = "Soins"

    def ready(self) -> None:
        from habilitations.roles import Droit
        from usagers.dossier import registre

        from .selectors import bandeau_soins

        voir = Droit.SOINS_VOIR
        registre.onglet(
            "soins", "Soins et dossier médical", ordre=90, url="soins:dossier", voir=voir, groupe="soins"
        )
        registre.onglet(
            "constantes", "Constantes", ordre=100, url="soins:constantes", voir=voir, groupe="soins"
        )
        registre.onglet(
            "transmissions", "Transmissions", ordre=110, url="soins:transmissions", voir=voir, groupe="soins"
        )
        registre.onglet("plan", "Plan de soins", ordre=120, url="soins:plan", voir=voir, groupe="soins")
        # allergies, diet and risks above every tab, for the équipe de soins only (secret professionnel partagé)
        registre.bandeau(
            "allergies", ordre=10, voir=voir, template="soins/_bandeau.html", contexte=bandeau_soins
        )
