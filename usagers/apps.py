from django.apps import AppConfig


class UsagersConfig(AppConfig):
    name = "usagers"
    verbose_name = "Dossier usager"

    def ready(self) -> None:
        from dui.registre_accueil import registre_accueil
        from habilitations.policy import register_exception_model
        from habilitations.roles import Droit

        from .dossier import registre
        from .models import ExceptionAccesUsager, Usager

        register_exception_model(Usager, ExceptionAccesUsager)
        from .listes import declarer_listes

        declarer_listes()
        voir = Droit.ADMINISTRATIF_VOIR
        registre.onglet("identite", "Identité", ordre=10, url="usagers:dossier", voir=voir)
        registre.onglet("administratif", "Administratif", ordre=20, url="usagers:administratif", voir=voir)
        registre.onglet("entourage", "Entourage et protection", ordre=30, url="usagers:entourage", voir=voir)
        registre.onglet("consentements", "Consentements", ordre=40, url="usagers:consentements", voir=voir)
        registre.onglet("presence", "Séjours et présence", ordre=50, url="usagers:presence", voir=voir)
        registre_accueil.lien_etablissement(
            "occupation",
            "Occupation de l'établissement",
            ordre=10,
            url="usagers:occupation",
            action=Droit.PILOTAGE_VOIR,
        )
