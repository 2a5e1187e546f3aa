"""Demo data of the relation usager (``manage.py demo``): Claire Dupont, daughter of Hélène Dupont (née
Lefèvre, under curatelle renforcée: she keeps the decision and agreed), has an account of the space; she
wrote about Sunday's visit (answered by the social worker) and about her mother's glasses (waiting in the
EHPAD's inbox)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from . import portail, services

EMAIL_DEMO = "claire.dupont@proches.demo"


def construire(
    organisme: Any, etabs: list[Any], pros: dict[str, Any], usagers: dict[str, Any], mot_de_passe: str
) -> None:
    ehpad = etabs[0]
    referente = pros["assistante-sociale"]
    helene = usagers["Lefèvre"]
    acces = services.do_inviter(
        referente,
        helene,
        ehpad,
        qualite="proche",
        proche=helene.proches.get(prenom="Claire"),
        email=EMAIL_DEMO,
        accord_personne_le=timezone.localdate(),
        accord_modalite="Oralement, lors de l'entretien avec sa référente",
    )
    jeton = acces.jeton_invitation  # type: ignore[attr-defined]  # set by do_inviter for a new address
    compte = services.accepter_invitation(jeton, prenom="Claire", nom="Dupont", password=mot_de_passe)
    portail.confirmer_second_facteur(compte, "courriel")
    acces.refresh_from_db()
    fil = services.ecrire_depuis_le_portail(
        compte, acces, fil=None, objet="Visite de dimanche",
        texte="Bonjour, je viendrai dimanche avec mes enfants. Maman peut-elle déjeuner avec nous ?", fichiers=[],
    )  # fmt: skip
    services.do_attribuer(referente, fil, referente)
    services.do_repondre(
        referente, fil, "Bonjour Madame, bien sûr : nous prévoyons trois couverts à 12 h.", []
    )
    services.ecrire_depuis_le_portail(
        compte, acces, fil=None, objet="Lunettes de maman",
        texte="Maman me dit qu'elle ne retrouve plus ses lunettes de lecture. Pouvez-vous regarder ?", fichiers=[],
    )  # fmt: skip


def construire_qualite(etabs: list[Any], pros: dict[str, Any], usagers: dict[str, Any]) -> None:
    """A complaint in analysis (from the telephone) and a fall under analysis, with its corrective action."""
    import datetime

    from .models import ActionCorrective, EvenementIndesirable, Reclamation

    ehpad = etabs[0]
    aujourdhui = timezone.localdate()
    rec = services.do_enregistrer_reclamation(
        pros["infirmiere"],
        Reclamation(
            etablissement=ehpad, usager=usagers["Moreau"], canal="telephone", auteur="Mme Sophie Moreau (fille)",
            coordonnees="06 45 12 78 90", recue_le=aujourdhui - datetime.timedelta(days=5),
            objet="Toilette tardive le week-end",
            description="Mon père attend sa toilette jusqu'à 11 h le samedi et le dimanche.",
        ),
    )  # fmt: skip
    services.do_faire_avancer_reclamation(pros["direction"], rec, "accuser")
    services.do_faire_avancer_reclamation(
        pros["direction"], rec, "analyser", "Planning du week-end à revoir."
    )
    ei = services.do_declarer_evenement(
        pros["aide-soignant"],
        EvenementIndesirable(
            etablissement=ehpad, usager=usagers["Bonnet"], survenu_le=timezone.now() - datetime.timedelta(days=2),
            lieu="Couloir du Pavillon Cèdre", type_evenement="chute",
            description="M. Bonnet a chuté en se levant seul la nuit, sans sa canne.",
            actions_immediates="Relevé à deux, infirmière appelée, surveillance neurologique.",
            consequences="Hématome au bras gauche.",
        ),
    )  # fmt: skip
    services.do_analyser_evenement(
        pros["direction"], ei, gravite=2, causes="Veilleuse de chambre en panne ; canne hors de portée.",
        eigs=False, dysfonctionnement_grave=False, famille_informee=True,
    )  # fmt: skip
    services.do_ajouter_action_corrective(
        pros["direction"], ei,
        ActionCorrective(libelle="Vérifier les veilleuses de toutes les chambres", responsable=pros["infirmiere"],
                         echeance=aujourdhui + datetime.timedelta(days=14)),
    )  # fmt: skip
