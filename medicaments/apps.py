from django.apps import AppConfig


class MedicamentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "medicaments"
    verbose_name = "Circuit du médicament"

    def ready(self) -> None:
        from habilitations.roles import Droit
        from soins.dlu import registre_dlu
        from usagers.dossier import registre

        from .selectors import lignes_en_cours

        registre.onglet(
            "medicaments",
            "Médicaments",
            ordre=130,
            url="medicaments:dossier",
            voir=Droit.MEDICAMENTS_VOIR,
            groupe="medicaments",
        )
        registre_dlu.section("traitements", lambda usager: lignes_en_cours(usager))
