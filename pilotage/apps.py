from django.apps import AppConfig


class PilotageConfig(AppConfig):
    name = "pilotage"
    verbose_name = "Pilotage"

    def ready(self) -> None:
        from dui.models import CategorieESMS
        from dui.registre_accueil import registre_accueil
        from habilitations.roles import Droit

        registre_accueil.lien_etablissement(
            "tableau_de_bord",
            "Tableau de bord",
            ordre=5,
            url="pilotage:esms",
            action=Droit.PILOTAGE_VOIR,
        )
        registre_accueil.lien_etablissement(
            "coupes_pathos",
            "Coupes Pathos et GMPS",
            ordre=46,
            url="pilotage:coupes",
            action=Droit.PILOTAGE_VOIR,
            condition=lambda etab: etab.categorie == CategorieESMS.EHPAD,
        )
