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


def construire_vie_sociale(etabs: list[Any], pros: dict[str, Any]) -> None:
    """The EHPAD's council (members, an election, a meeting held and one planned) and a satisfaction survey
    with a few answers typed from paper."""
    import datetime

    from .models import Campagne, ElectionCVS, MembreCVS, ReunionCVS

    ehpad, direction = etabs[0], pros["direction"]
    aujourdhui = timezone.localdate()
    debut = aujourdhui - datetime.timedelta(days=300)
    fin = debut.replace(year=debut.year + 3)
    election = services.do_enregistrer_election_cvs(
        direction, ElectionCVS(etablissement=ehpad, college="familles", date=debut, inscrits=52, votants=31)
    )
    for college, nom, fonction, scrutin in (
        ("personnes", "Mme Hélène Dupont", "president", None),
        ("personnes", "M. Jean Moreau", "titulaire", None),
        ("familles", "Mme Sophie Moreau", "vice_president", election),
        ("professionnels", "Mme Julie Fournier", "titulaire", None),
        ("organisme", "M. Paul Garnier (administrateur)", "titulaire", None),
    ):
        services.do_enregistrer_membre_cvs(
            direction,
            MembreCVS(etablissement=ehpad, college=college, nom=nom, fonction=fonction, election=scrutin,
                      debut_mandat=debut, fin_mandat=fin),
        )  # fmt: skip
    tenue = services.do_planifier_reunion_cvs(
        direction,
        ReunionCVS(etablissement=ehpad, date=timezone.now() - datetime.timedelta(days=40), lieu="Salon du rez-de-jardin",
                   ordre_du_jour="1. Menus d'hiver\n2. Animations de fin d'année\n3. Questions diverses"),
    )  # fmt: skip
    services.do_tenir_reunion_cvs(
        direction, tenue, presents=list(MembreCVS.objects.filter(etablissement=ehpad)[:4]),
        compte_rendu="Avis favorable aux menus d'hiver. Demande d'une sortie au marché de Noël : acceptée.",
        suites="La salle à manger a été réaménagée comme demandé en juin.",
    )  # fmt: skip
    services.do_planifier_reunion_cvs(
        direction,
        ReunionCVS(etablissement=ehpad, date=timezone.now() + datetime.timedelta(days=20), lieu="Salon du rez-de-jardin",
                   ordre_du_jour="1. Bilan des fêtes\n2. Résultats de l'enquête de satisfaction"),
    )  # fmt: skip
    questionnaire = services.do_creer_questionnaire(
        direction, ehpad, titre="Satisfaction des résidents et des familles",
        introduction="Votre avis nous aide à améliorer la vie à la résidence.",
        questions=[
            {"libelle": "Êtes-vous satisfait(e) des repas ?", "type_question": "echelle", "obligatoire": True},
            {"libelle": "Êtes-vous satisfait(e) des animations ?", "type_question": "echelle"},
            {"libelle": "Recommanderiez-vous la résidence ?", "type_question": "oui_non"},
            {"libelle": "Une remarque, une idée ?", "type_question": "texte"},
        ],
    )  # fmt: skip
    campagne = services.do_ouvrir_campagne(
        direction,
        Campagne(questionnaire=questionnaire, etablissement=ehpad, titre="Enquête de satisfaction d'hiver",
                 public="tous", debut=aujourdhui - datetime.timedelta(days=10), fin=aujourdhui + datetime.timedelta(days=20)),
    )  # fmt: skip
    q = list(questionnaire.questions.all())
    for repas, animations, recommande, remarque in (
        ("4", "3", "oui", "Plus de sorties au jardin."), ("3", "4", "oui", ""), ("2", "3", "non", "Le dîner est trop tôt."),
        ("4", "4", "oui", ""), ("3", "2", "oui", "Merci à l'équipe de nuit."),
    ):  # fmt: skip
        services.do_saisir_reponse_papier(
            direction, campagne, {q[0].pk: repas, q[1].pk: animations, q[2].pk: recommande, q[3].pk: remarque}
        )
