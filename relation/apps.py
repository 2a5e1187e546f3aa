from django.apps import AppConfig


class RelationConfig(AppConfig):
    name = "relation"
    verbose_name = "Relation usager"

    def ready(self) -> None:
        from dui.chiffrement import declarer_champ_chiffre
        from dui.registre_accueil import registre_accueil
        from habilitations.roles import Droit
        from usagers.dossier import registre

        from .selectors import boites_de_l_accueil, rappels_cvs

        declarer_champ_chiffre("relation.CompteProche", "totp_secret")
        registre.onglet(
            "relation",
            "Relation",
            ordre=37,
            url="relation:dossier",
            voir=Droit.SOCIAL_VOIR,
            groupe="accompagnement",
        )
        registre_accueil.aujourdhui(
            "messages_proches",
            "Messages des personnes et des proches",
            ordre=15,
            elements=boites_de_l_accueil,
        )
        registre_accueil.lien_etablissement(
            "qualite", "Qualité : réclamations et événements indésirables", ordre=42, url="relation:qualite",
            action=Droit.PILOTAGE_VOIR,
        )  # fmt: skip
        registre_accueil.lien_etablissement(
            "enquetes",
            "Enquêtes de satisfaction",
            ordre=44,
            url="relation:enquetes",
            action=Droit.PILOTAGE_VOIR,
        )
        registre_accueil.lien_etablissement(
            "cvs", "Conseil de la vie sociale", ordre=43, url="relation:cvs", action=Droit.PILOTAGE_VOIR
        )
        registre_accueil.aujourdhui("cvs", "Conseil de la vie sociale", ordre=40, elements=rappels_cvs)
        registre_accueil.lien_etablissement(
            "boite_relation", "Messages des proches", ordre=41, url="relation:boite", action=Droit.SOCIAL_VOIR
        )
