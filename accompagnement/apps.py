from django.apps import AppConfig


class AccompagnementConfig(AppConfig):
    name = "accompagnement"
    verbose_name = "Accompagnement"

    def ready(self) -> None:
        from .listes import declarer_listes

        declarer_listes()
        from dui.registre_accueil import registre_accueil
        from habilitations.roles import Droit
        from usagers.dossier import registre

        from .models import CATEGORIES_AGGIR
        from .selectors import rappels_du_jour

        registre.onglet(
            "projet",
            "Projet personnalisé",
            ordre=60,
            url="accompagnement:projets",
            voir=Droit.SOCIAL_VOIR,
            groupe="accompagnement",
        )
        # SERAFIN-PH and the ESMS's grids are social, AGGIR is soins: the tab shows for either
        registre.onglet(
            "evaluations",
            "Évaluations",
            ordre=70,
            url="accompagnement:evaluations",
            voir=(Droit.SOCIAL_VOIR, Droit.SOINS_VOIR),
            groupe="accompagnement",
        )
        registre.onglet(
            "suivi",
            "Journal de suivi",
            ordre=80,
            url="accompagnement:journal",
            voir=Droit.SOCIAL_VOIR,
            groupe="accompagnement",
        )
        registre_accueil.lien_etablissement(
            "bilans",
            "Projets personnalisés : bilans",
            ordre=20,
            url="accompagnement:bilans",
            action=Droit.PILOTAGE_VOIR,
        )
        registre_accueil.lien_etablissement(
            "gmp",
            "GIR moyen pondéré",
            ordre=30,
            url="accompagnement:gmp",
            action=Droit.PILOTAGE_VOIR,
            condition=lambda etab: etab.categorie in CATEGORIES_AGGIR,
        )
        registre_accueil.lien_etablissement(
            "grilles",
            "Grilles d'évaluation",
            ordre=90,
            url="accompagnement:grilles",
            action=Droit.PILOTAGE_MODIFIER,
            par_etablissement=False,
        )
        registre_accueil.aujourdhui("rappels", "Mes rappels", ordre=10, elements=rappels_du_jour)
