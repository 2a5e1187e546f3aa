from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "Échanges nationaux (DMP, MSSanté, FHIR)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .listes import declarer_listes

        declarer_listes()
        from dui.registre_accueil import registre_accueil
        from habilitations.roles import Droit
        from usagers.dossier import registre

        registre.onglet(
            "echanges",
            "Échanges",
            ordre=150,
            url="interop:dossier",
            voir=Droit.DOCUMENTS_VOIR,
            groupe="documents",
        )
        registre_accueil.lien_etablissement(
            "indicateurs",
            "Indicateurs ESMS numérique",
            ordre=40,
            url="interop:indicateurs",
            action=Droit.PILOTAGE_VOIR,
        )
