from django.apps import AppConfig


class AdministratifConfig(AppConfig):
    name = "administratif"
    verbose_name = "Gestion administrative"

    def ready(self) -> None:
        from dui.registre_accueil import registre_accueil
        from habilitations.roles import Droit

        registre_accueil.lien_etablissement(
            "presence_facturation",
            "Présence pour la facturation",
            ordre=70,
            url="administratif:presence",
            action=Droit.ADMINISTRATIF_MODIFIER,
        )
