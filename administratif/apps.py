from django.apps import AppConfig


class AdministratifConfig(AppConfig):
    name = "administratif"
    verbose_name = "Gestion administrative"

    def ready(self) -> None:
        from dui.registre_accueil import registre_accueil
        from habilitations.roles import Droit
        from usagers.dossier import registre

        from .selectors import rappels_contrats, rappels_droits

        registre.onglet(
            "droits",
            "Droits et aides",
            ordre=35,
            url="administratif:droits",
            voir=Droit.ADMINISTRATIF_VOIR,
            groupe="identite",
        )
        registre_accueil.aujourdhui(
            "droits", "Droits et aides à renouveler", ordre=30, elements=rappels_droits
        )
        registre.onglet(
            "contrats",
            "Contrat de séjour",
            ordre=36,
            url="administratif:contrats",
            voir=Droit.ADMINISTRATIF_VOIR,
            groupe="identite",
        )
        registre_accueil.aujourdhui(
            "contrats", "Contrats de séjour à remettre ou à signer", ordre=25, elements=rappels_contrats
        )
        registre_accueil.lien_etablissement(
            "suivi_contrats",
            "Contrats de séjour",
            ordre=65,
            url="administratif:suivi_contrats",
            action=Droit.PILOTAGE_VOIR,
        )
        registre_accueil.lien_etablissement(
            "presence_facturation",
            "Présence pour la facturation",
            ordre=70,
            url="administratif:presence",
            action=Droit.ADMINISTRATIF_MODIFIER,
        )
