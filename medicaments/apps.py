from django.apps import AppConfig


class MedicamentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "medicaments"
    verbose_name = "Circuit du médicament"

    def ready(self) -> None:
        from habilitations.roles import Droit
        from soins.dlu import registre_dlu
        from soins.registre_unite import registre_unite
        from usagers.dossier import registre

        from .selectors import lignes_en_cours, section_reevaluations

        registre.onglet(
            "medicaments",
            "Médicaments",
            ordre=130,
            url="medicaments:dossier",
            voir=Droit.MEDICAMENTS_VOIR,
            groupe="medicaments",
        )
        registre_dlu.section("traitements", lambda usager: lignes_en_cours(usager))
        # the relève and the day plan of a unit show the "si besoin" doses to re-evaluate (issue 23, item 4)
        registre_unite.section(
            "reevaluations",
            "« Si besoin » : effet à réévaluer",
            ordre=5,
            template="medicaments/_reevaluations_unite.html",
            elements=section_reevaluations,
        )
