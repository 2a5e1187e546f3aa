"""Reads of the relation usager. Professionals read through the policy (``social.voir`` on the person in
the ESMS of the access or thread; documents also under their own category); the portal reads only through
an access the portal's check returned (``relation.portail.acces_ou_404``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Avg, Case, Count, F, Q, QuerySet, When
from django.utils import timezone

from dui.models import Etablissement
from habilitations import policy
from habilitations.roles import Droit

from .models import AccesPortail, Fil, Message, PartageDocument

# --- the team ------------------------------------------------------------------------------------------------


def fils_visibles(user: Any) -> QuerySet[Fil]:
    return policy.scope_contenu(user, Droit.SOCIAL_VOIR, Fil.objects.all())


def etablissements_boite(user: Any) -> QuerySet[Etablissement]:
    return Etablissement.objects.filter(
        organisme_id=user.organisme_id, pk__in=policy.etablissements_autorises(user, Droit.SOCIAL_VOIR)
    )


def etablissements_pour_ecrire(user: Any, usager: Any) -> QuerySet[Etablissement]:
    """The ESMS where the person is accompanied today and ``user`` may write on her relation (the choices of
    the invitation and refusal forms)."""
    from usagers.selectors import etablissements_du_dossier

    ids = [e.pk for e in etablissements_du_dossier(user, usager, Droit.SOCIAL_MODIFIER)]
    return Etablissement.objects.filter(organisme_id=user.organisme_id, pk__in=ids).order_by("nom")


def boite(user: Any, etablissement: Etablissement, filtre: str = "") -> QuerySet[Fil]:
    """The team inbox of an ESMS: threads with unread messages first, then the latest."""
    qs = (
        fils_visibles(user)
        .filter(etablissement=etablissement)
        .select_related("usager", "referent", "acces__compte", "acces__proche")
    )
    if filtre == "a_moi":
        qs = qs.filter(referent=user)
    elif filtre == "non_attribues":
        qs = qs.filter(referent__isnull=True, clos_le__isnull=True)
    elif filtre == "non_lus":
        qs = qs.filter(non_lus_equipe__gt=0)
    elif filtre != "tous":
        qs = qs.filter(clos_le__isnull=True)
    return qs.order_by(Case(When(non_lus_equipe=0, then=1), default=0), "-dernier_message_le")


def boites_de_l_accueil(user: Any) -> list:
    """The home page: per ESMS, the threads waiting for the team (one grouped query)."""
    from django.urls import reverse

    from dui.registre_accueil import ElementDuJour

    lignes = (
        fils_visibles(user)
        .filter(non_lus_equipe__gt=0)
        .values("etablissement__public_id", "etablissement__nom")
        .annotate(n=Count("pk"), a_moi=Count("pk", filter=Q(referent_id=user.pk)))
        .order_by("etablissement__nom")
    )
    elements = []
    for ligne in lignes[:20]:
        a_moi = f", dont {ligne['a_moi']} qui vous sont confiés" if ligne["a_moi"] else ""
        pluriel = "s" if ligne["n"] > 1 else ""
        elements.append(
            ElementDuJour(
                f"{ligne['etablissement__nom']} — {ligne['n']} fil{pluriel} avec des messages non lus{a_moi}",
                reverse("relation:boite", args=[ligne["etablissement__public_id"]]),
            )
        )
    return elements


def messages_du_fil(fil: Fil) -> QuerySet[Message]:
    return fil.messages.select_related("auteur_pro", "auteur_compte").prefetch_related("pieces")


def acces_du_dossier(user: Any, usager: Any) -> list[AccesPortail]:
    return list(
        policy.scope_contenu_du_dossier(user, Droit.SOCIAL_VOIR, AccesPortail.objects.all(), usager)
        .select_related("compte", "proche", "etablissement", "accorde_par", "revoque_par")
        .order_by("statut", "qualite", "id")
    )


def fils_du_dossier(user: Any, usager: Any) -> QuerySet[Fil]:
    return (
        policy.scope_contenu_du_dossier(user, Droit.SOCIAL_VOIR, Fil.objects.all(), usager)
        .select_related("referent", "acces__compte", "acces__proche", "etablissement")
        .order_by("-dernier_message_le")
    )


def partages_du_dossier(user: Any, usager: Any) -> QuerySet[PartageDocument]:
    from documents.selectors import documents_du_dossier

    return (
        PartageDocument.objects.filter(
            organisme_id=user.organisme_id,
            usager=usager,
            retire_le__isnull=True,
            document__in=documents_du_dossier(user, usager).values("pk"),
        )
        .select_related("document", "partage_par")
        .order_by("-cree_le")
    )


def documents_partageables(user: Any, usager: Any) -> QuerySet[Any]:
    """The person's documents ``user`` may read that may be shown in the space: not restricted, not medical,
    not destroyed, not shared already (the rules of the dossier's documents, decided on the person once)."""
    from documents.models import Confidentialite
    from documents.selectors import documents_du_dossier
    from habilitations.roles import Categorie

    return (
        documents_du_dossier(user, usager)
        .filter(detruit_le__isnull=True)
        .exclude(fichier="")
        .exclude(confidentialite=Confidentialite.RESTREINTE)
        .exclude(categorie=Categorie.MEDICAL)
        .exclude(
            pk__in=PartageDocument.objects.filter(usager=usager, retire_le__isnull=True).values("document_id")
        )
        .order_by("-cree_le")[:50]
    )


# --- the portal ----------------------------------------------------------------------------------------------


def projet_du_portail(acces: AccesPortail, complet: bool = True):
    """The projet personnalisé the space shows: the draft submitted to the person (co-construction) if there
    is one, else the validated one; in the ESMS of the access. ``complet``: with its expectations,
    objectives, actions and opinions (the page of the project)."""
    from accompagnement.models import ProjetPersonnalise, StatutPP

    qs = ProjetPersonnalise.objects.filter(
        organisme_id=acces.organisme_id,
        usager_id=acces.usager_id,
        etablissement_id=acces.etablissement_id,
        statut__in=[StatutPP.CO_CONSTRUCTION, StatutPP.EN_OEUVRE, StatutPP.BILAN],
    ).order_by(Case(When(statut=StatutPP.CO_CONSTRUCTION, then=0), default=1), "-version")
    if complet:
        qs = qs.select_related("etablissement").prefetch_related(
            "attentes", "objectifs__referent", "objectifs__actions", "avis"
        )
    return qs.first()


def agenda_du_portail(acces: AccesPortail, jours: int = 60) -> list[Any]:
    """The person's upcoming rendez-vous and activities (title, time, place; never the team's notes)."""
    from coordination.models import Evenement, Participation, StatutEvenement

    maintenant = timezone.now()
    fin = maintenant + datetime.timedelta(days=jours)
    base = Evenement.objects.filter(
        organisme_id=acces.organisme_id, fin__gte=maintenant, debut__lte=fin
    ).exclude(statut=StatutEvenement.ANNULE)
    inscrites = Participation.objects.filter(
        organisme_id=acces.organisme_id, usager_id=acces.usager_id
    ).values("evenement_id")
    return list(
        base.filter(Q(usager_id=acces.usager_id) | Q(pk__in=inscrites))
        .only("public_id", "titre", "genre", "debut", "fin", "lieu", "a_jeun", "documents_a_apporter")
        .order_by("debut")[:30]
    )


def documents_du_portail(acces: AccesPortail) -> QuerySet[PartageDocument]:
    return (
        PartageDocument.objects.filter(
            organisme_id=acces.organisme_id,
            usager_id=acces.usager_id,
            retire_le__isnull=True,
            document__detruit_le__isnull=True,
        )
        .select_related("document")
        .order_by("-cree_le")
    )


def fils_du_portail(acces: AccesPortail) -> QuerySet[Fil]:
    return (
        Fil.objects.filter(organisme_id=acces.organisme_id, acces=acces)
        .annotate(
            non_lus=Count(
                "messages", filter=Q(messages__auteur_pro__isnull=False, messages__lu_le__isnull=True)
            )
        )
        .order_by("-dernier_message_le")
    )


def reclamations_du_portail(acces: AccesPortail) -> QuerySet[Any]:
    from .models import Reclamation

    return Reclamation.objects.filter(organisme_id=acces.organisme_id, acces=acces).order_by(
        "-recue_le", "-id"
    )


# --- quality: complaints and adverse events -----------------------------------------------------------------


def etablissements_qualite(user: Any) -> QuerySet[Etablissement]:
    """The ESMS whose complaints and adverse events ``user`` handles (the encadrement: pilotage.voir)."""
    return Etablissement.objects.filter(
        organisme_id=user.organisme_id, pk__in=policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR)
    )


def etablissements_declaration(user: Any) -> QuerySet[Etablissement]:
    """The ESMS where ``user`` holds a habilitation: where they declare an event or record a complaint."""
    return Etablissement.objects.filter(
        organisme_id=user.organisme_id, pk__in=list(policy.roles_par_etablissement(user))
    ).order_by("nom")


def personnes_pour_declaration(user: Any, etablissement: Etablissement) -> QuerySet[Any]:
    """The persons accompanied today in the ESMS that ``user`` may see (the choices of « personne
    concernée » on a complaint or an adverse event): nobody else's name reaches the form."""
    from usagers.models import Sejour, Usager

    jour = timezone.localdate()
    presents = (
        Sejour.objects.filter(etablissement=etablissement, date_entree__lte=jour)
        .exclude(date_sortie__lt=jour)
        .values("usager_id")
    )
    return policy.scope(
        user, Droit.ADMINISTRATIF_VOIR, Usager.objects.filter(organisme_id=user.organisme_id, pk__in=presents)
    ).order_by("nom_recherche")


def reclamations_visibles(user: Any) -> QuerySet[Any]:
    from .models import Reclamation

    return Reclamation.objects.filter(
        organisme_id=user.organisme_id,
        etablissement_id__in=policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR),
    ).select_related("etablissement", "usager", "acces__compte", "repondue_par")


def evenements_visibles(user: Any) -> QuerySet[Any]:
    """The events of the ESMS the user handles, and the ones they declared themself."""
    from .models import EvenementIndesirable

    return (
        EvenementIndesirable.objects.filter(organisme_id=user.organisme_id)
        .filter(
            Q(etablissement_id__in=policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR))
            | Q(declarant=user)
        )
        .select_related("etablissement", "usager", "declarant", "analyse_par")
    )


def statistiques_qualite(etablissement: Etablissement, annee: int) -> dict[str, Any]:
    """Counts only (no name, no text): the director's page. A few grouped queries, whatever the volume."""
    from .models import (
        DELAI_REPONSE_JOURS,
        CanalReclamation,
        EvenementIndesirable,
        Gravite,
        Reclamation,
        StatutReclamation,
        TypeEvenement,
    )

    aujourd_hui = timezone.localdate()
    rec = Reclamation.objects.filter(etablissement=etablissement, recue_le__year=annee)
    par_statut = dict(rec.values_list("statut").annotate(n=Count("pk")).values_list("statut", "n"))
    par_canal = dict(rec.values_list("canal").annotate(n=Count("pk")).values_list("canal", "n"))
    en_retard = Reclamation.objects.filter(
        etablissement=etablissement,
        statut__in=[StatutReclamation.RECUE, StatutReclamation.EN_ANALYSE],
        recue_le__lt=aujourd_hui - datetime.timedelta(days=DELAI_REPONSE_JOURS),
    ).count()
    delai = rec.filter(repondue_le__isnull=False).aggregate(moyenne=Avg(F("repondue_le") - F("recue_le")))[
        "moyenne"
    ]
    ei = EvenementIndesirable.objects.filter(etablissement=etablissement, survenu_le__year=annee)
    par_type = dict(
        ei.values_list("type_evenement").annotate(n=Count("pk")).values_list("type_evenement", "n")
    )
    par_gravite = dict(
        ei.exclude(gravite__isnull=True)
        .values_list("gravite")
        .annotate(n=Count("pk"))
        .values_list("gravite", "n")
    )
    return {
        "annee": annee,
        "reclamations": sum(par_statut.values()),
        "reclamations_par_statut": [(s.label, par_statut.get(s.value, 0)) for s in StatutReclamation],
        "reclamations_par_canal": [
            (c.label, par_canal[c.value]) for c in CanalReclamation if par_canal.get(c.value)
        ],
        "reclamations_en_retard": en_retard,
        "delai_moyen_reponse": round(delai.total_seconds() / 86400, 1) if delai is not None else None,
        "evenements": sum(par_type.values()),
        "evenements_par_type": [(t.label, par_type[t.value]) for t in TypeEvenement if par_type.get(t.value)],
        "evenements_par_gravite": [(g.label, par_gravite.get(g.value, 0)) for g in Gravite],
        "eigs": ei.filter(Q(eigs=True) | Q(dysfonctionnement_grave=True)).count(),
    }


# --- Conseil de la vie sociale --------------------------------------------------------------------------------


def cvs_de(etablissement: Etablissement, annee: int) -> dict[str, Any]:
    from .models import REUNIONS_CVS_PAR_AN, ElectionCVS, MembreCVS, ReunionCVS, StatutReunionCVS

    jour = timezone.localdate()
    reunions = list(ReunionCVS.objects.filter(etablissement=etablissement, date__year=annee).order_by("date"))
    comptees = [r for r in reunions if r.statut != StatutReunionCVS.ANNULEE]
    return {
        "membres": MembreCVS.objects.filter(
            etablissement=etablissement, fin_mandat__gt=jour, debut_mandat__lte=jour
        )
        .select_related("election")
        .order_by("college", "fonction", "nom"),
        "anciens": MembreCVS.objects.filter(etablissement=etablissement, fin_mandat__lte=jour).order_by(
            "-fin_mandat"
        )[:20],
        "elections": ElectionCVS.objects.filter(etablissement=etablissement)[:20],
        "reunions": reunions,
        "manque": max(REUNIONS_CVS_PAR_AN - len(comptees), 0),
        "minimum": REUNIONS_CVS_PAR_AN,
    }


def rappels_cvs(user: Any) -> list:
    """The home page: the ESMS whose council has fewer than three meetings held or planned this year (CASF
    D311-16), among those the user pilots. One grouped query."""
    from django.urls import reverse

    from dui.registre_accueil import ElementDuJour

    from .models import REUNIONS_CVS_PAR_AN, StatutReunionCVS

    annee = timezone.localdate().year
    autorises = policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR)
    if not autorises:
        return []
    lignes = (
        Etablissement.objects.filter(organisme_id=user.organisme_id, pk__in=autorises)
        .annotate(
            n=Count(
                "reunions_cvs",
                filter=Q(reunions_cvs__date__year=annee) & ~Q(reunions_cvs__statut=StatutReunionCVS.ANNULEE),
            )
        )
        .filter(n__lt=REUNIONS_CVS_PAR_AN)
        .order_by("nom")
        .values_list("public_id", "nom", "n")
    )
    return [
        ElementDuJour(
            f"{nom} — {n} réunion{'s' if n > 1 else ''} du CVS prévue{'s' if n > 1 else ''} ou tenue{'s' if n > 1 else ''} "
            f"en {annee} : le conseil se réunit au moins {REUNIONS_CVS_PAR_AN} fois par an",
            reverse("relation:cvs", args=[public_id]),
        )
        for public_id, nom, n in lignes[:20]
    ]


# --- Enquêtes de satisfaction ---------------------------------------------------------------------------------


def campagnes_de(etablissement: Etablissement) -> QuerySet[Any]:
    from .models import Campagne

    return (
        Campagne.objects.filter(etablissement=etablissement)
        .select_related("questionnaire")
        .annotate(nb_reponses=Count("reponses"))
        .order_by("-debut")
    )


def campagnes_visibles(user: Any) -> QuerySet[Any]:
    from .models import Campagne

    return Campagne.objects.filter(
        organisme_id=user.organisme_id,
        etablissement_id__in=policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR),
    ).select_related("questionnaire", "etablissement")


def campagnes_saisissables(user: Any) -> QuerySet[Any]:
    """The campaigns whose paper answers ``user`` may type (encadrement, or social.modifier in the ESMS)."""
    from .models import Campagne

    etabs = policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR) | policy.etablissements_autorises(
        user, Droit.SOCIAL_MODIFIER
    )
    return Campagne.objects.filter(organisme_id=user.organisme_id, etablissement_id__in=etabs).select_related(
        "questionnaire", "etablissement"
    )


def resultats(campagne: Any) -> dict[str, Any]:
    """Per question: the distribution of the answers (counts), the mean of a scale, the free texts in
    alphabetical order (never in the order they came). Two queries, whatever the number of answers."""
    from .models import ECHELLE_SATISFACTION, TypeQuestion, ValeurReponse

    questions = list(campagne.questionnaire.questions.all())
    comptes: dict[tuple[int, Any], int] = {}
    for question_id, nombre, texte, n in (
        ValeurReponse.objects.filter(reponse__campagne=campagne)
        .exclude(question__type_question=TypeQuestion.TEXTE)
        .values_list("question_id", "nombre", "texte")
        .annotate(n=Count("pk"))
        .values_list("question_id", "nombre", "texte", "n")
    ):
        comptes[(question_id, nombre if nombre is not None else texte)] = n
    textes: dict[int, list[str]] = {}
    for question_id, texte in (
        ValeurReponse.objects.filter(reponse__campagne=campagne, question__type_question=TypeQuestion.TEXTE)
        .order_by("texte")
        .values_list("question_id", "texte")
    ):
        textes.setdefault(question_id, []).append(texte)
    lignes = []
    for q in questions:
        if q.type_question == TypeQuestion.ECHELLE:
            repartition = [(ECHELLE_SATISFACTION[v], comptes.get((q.pk, v), 0)) for v in (1, 2, 3, 4)]
            total = sum(n for _l, n in repartition)
            moyenne = (
                round(sum(v * comptes.get((q.pk, v), 0) for v in (1, 2, 3, 4)) / total, 2) if total else None
            )
        elif q.type_question == TypeQuestion.OUI_NON:
            repartition = [("Oui", comptes.get((q.pk, 1), 0)), ("Non", comptes.get((q.pk, 0), 0))]
            total, moyenne = sum(n for _l, n in repartition), None
        elif q.type_question == TypeQuestion.CHOIX:
            repartition = [(o, comptes.get((q.pk, o), 0)) for o in q.options]
            total, moyenne = sum(n for _l, n in repartition), None
        else:
            repartition, total, moyenne = [], len(textes.get(q.pk, [])), None
        lignes.append(
            {
                "question": q,
                "repartition": [
                    (libelle, n, round(100 * n / total) if total else 0) for libelle, n in repartition
                ],
                "total": total,
                "moyenne": moyenne,
                "textes": textes.get(q.pk, []),
            }
        )
    return {"questions": lignes, "reponses": campagne.reponses.count()}


def tableau_des_reponses(campagne: Any) -> tuple[list[str], list[list[Any]]]:
    """The export: one row per answer in a random order (by its random key), a column per question; no
    respondent, no time."""
    from .models import ECHELLE_SATISFACTION, TypeQuestion, ValeurReponse

    questions = list(campagne.questionnaire.questions.all())
    lignes: dict[Any, dict[int, Any]] = {}
    saisies = dict(campagne.reponses.values_list("id", "saisie"))
    for reponse_id, question_id, nombre, texte in ValeurReponse.objects.filter(
        reponse__campagne=campagne
    ).values_list("reponse_id", "question_id", "nombre", "texte"):
        lignes.setdefault(reponse_id, {})[question_id] = (nombre, texte)
    entetes = ["Saisie", *[q.libelle for q in questions]]
    rangs = []
    for reponse_id in sorted(saisies, key=str):
        valeurs = lignes.get(reponse_id, {})
        rang: list[Any] = ["papier" if saisies[reponse_id] == "papier" else "en ligne"]
        for q in questions:
            nombre, texte = valeurs.get(q.pk, (None, ""))
            if q.type_question == TypeQuestion.ECHELLE and nombre is not None:
                rang.append(f"{nombre} — {ECHELLE_SATISFACTION[nombre]}")
            elif q.type_question == TypeQuestion.OUI_NON and nombre is not None:
                rang.append("oui" if nombre else "non")
            else:
                rang.append(texte)
        rangs.append(rang)
    return entetes, rangs


def campagnes_du_portail(acces: AccesPortail, compte: Any) -> list[Any]:
    from .models import Campagne, ParticipationEnquete, PublicEnquete, Qualite

    jour = timezone.localdate()
    public = [
        PublicEnquete.TOUS,
        PublicEnquete.PERSONNES if acces.qualite == Qualite.PERSONNE else PublicEnquete.PROCHES,
    ]
    return list(
        Campagne.objects.filter(
            organisme_id=acces.organisme_id, etablissement_id=acces.etablissement_id, public__in=public,
            debut__lte=jour, fin__gte=jour, close_le__isnull=True,
        )
        .exclude(pk__in=ParticipationEnquete.objects.filter(compte=compte).values("campagne_id"))
        .order_by("fin")
    )  # fmt: skip


def elections_de(etablissement: Etablissement) -> QuerySet[Any]:
    from .models import ElectionCVS

    return ElectionCVS.objects.filter(organisme_id=etablissement.organisme_id, etablissement=etablissement)


def membres_en_mandat(etablissement: Etablissement, jour: datetime.date) -> QuerySet[Any]:
    from .models import MembreCVS

    return MembreCVS.objects.filter(
        organisme_id=etablissement.organisme_id,
        etablissement=etablissement,
        debut_mandat__lte=jour,
        fin_mandat__gt=jour,
    )


def questionnaires_de(etablissement: Etablissement) -> QuerySet[Any]:
    from .models import Questionnaire

    return Questionnaire.objects.filter(organisme_id=etablissement.organisme_id, etablissement=etablissement)
