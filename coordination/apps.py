from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "Coordination et agenda"

    def ready(self) -> None:
        from .listes import declarer_listes

        declarer_listes()
        from accompagnement.registre_projet import registre_projet
        from dui.registre_accueil import registre_accueil
        from habilitations.roles import Droit
        from soins.registre_unite import registre_unite
        from usagers.dossier import registre

        from .selectors import agenda_du_jour, participations_aux_actions, rendez_vous_de_l_unite

        registre.onglet(
            "agenda",
            "Agenda",
            ordre=145,
            url="coordination:dossier",
            voir=Droit.COORDINATION_VOIR,
            groupe="accompagnement",
        )
        registre_accueil.lien_etablissement(
            "coordination",
            "Agenda et coordination",
            ordre=60,
            url="coordination:etablissement",
            action=Droit.COORDINATION_VOIR,
        )
        registre_accueil.aujourdhui(
            "agenda", "Agenda : aujourd'hui et demain", ordre=5, elements=agenda_du_jour
        )
        registre_unite.section(
            "agenda",
            "Rendez-vous et transports du jour",
            ordre=10,
            template="coordination/_unite_du_jour.html",
            elements=rendez_vous_de_l_unite,
        )
        registre_projet.suivi_des_actions("activites", ordre=10, fournisseur=participations_aux_actions)
