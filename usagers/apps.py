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
        # the sections of the dossier's navigation (issue 23, item 5): a domain's tabs go in one of them,
        # or in a section it declares
        registre.groupe("identite", "Identité", ordre=10)
        registre.groupe("accompagnement", "Accompagnement", ordre=20)
        registre.groupe("soins", "Soins", ordre=30)
        registre.groupe("medicaments", "Médicaments", ordre=40)
        registre.groupe("documents", "Documents", ordre=50)
        voir, g = Droit.ADMINISTRATIF_VOIR, "identite"
        registre.onglet("identite", "Identité", ordre=10, url="usagers:dossier", voir=voir, groupe=g)
        registre.onglet(
            "administratif", "Administratif", ordre=20, url="usagers:administratif", voir=voir, groupe=g
        )
        registre.onglet(
            "entourage", "Entourage et protection", ordre=30, url="usagers:entourage", voir=voir, groupe=g
        )
        registre.onglet(
            "consentements", "Consentements", ordre=40, url="usagers:consentements", voir=voir, groupe=g
        )
        registre.onglet(
            "presence", "Séjours et présence", ordre=50, url="usagers:presence", voir=voir, groupe=g
        )
        registre_accueil.lien_etablissement(
            "occupation",
            "Occupation de l'établissement",
            ordre=10,
            url="usagers:occupation",
            action=Droit.PILOTAGE_VOIR,
        )
