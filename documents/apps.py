from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Gestion documentaire"

    def ready(self) -> None:
        from habilitations.roles import Droit
        from usagers.dossier import registre

        registre.onglet(
            "documents",
            "Documents",
            ordre=140,
            url="documents:dossier",
            voir=Droit.DOCUMENTS_VOIR,
            groupe="documents",
        )
