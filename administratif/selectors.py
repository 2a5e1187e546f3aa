"""Read paths of the administrative side: the data of a month of presence, in three queries, within the
requester's habilitations; the exports a professional may see."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from accompagnement.models import EvaluationAggir
from dui.models import Etablissement
from habilitations import policy
from habilitations.roles import Droit
from usagers.models import Absence, Sejour, Usager

from .models import ExportPresence, ParametresFacturation
from .presence import SejourDuMois, bornes


def etablissements_factures(user) -> QuerySet[Etablissement]:
    """The ESMS whose presence ``user`` may export (the administrative record, written)."""
    return policy.scope(
        user, Droit.ADMINISTRATIF_MODIFIER, Etablissement.objects.filter(actif=True)
    ).order_by("nom")


def parametres(etablissement) -> ParametresFacturation:
    return ParametresFacturation.objects.filter(etablissement=etablissement).first() or ParametresFacturation(
        organisme_id=etablissement.organisme_id, etablissement=etablissement
    )


def exports(user, etablissement) -> QuerySet[ExportPresence]:
    """The month records of the ESMS asked by ``user`` (a record holds names: each sees his own)."""
    return ExportPresence.objects.filter(
        organisme_id=user.organisme_id, etablissement=etablissement, demandeur=user
    ).select_related("etablissement")


def donnees_du_mois(user, etablissement, mois: datetime.date) -> tuple[list[SejourDuMois], dict]:
    """The séjours of the month in the ESMS of the persons ``user`` may read (DENY exceptions included), their
    absences, and their AGGIR evaluations up to the month's end."""
    debut, fin = bornes(mois)
    lisibles = policy.scope(user, Droit.ADMINISTRATIF_VOIR, Usager.objects.all()).values("pk")
    sejours = list(
        Sejour.objects.filter(
            organisme_id=etablissement.organisme_id,
            etablissement=etablissement,
            date_entree__lte=fin,
            usager_id__in=lisibles,
        )
        .filter(Q(date_sortie__isnull=True) | Q(date_sortie__gte=debut))
        .select_related("usager")
    )
    absences = defaultdict(list)
    for a in Absence.objects.filter(sejour__in=[s.pk for s in sejours], debut__lte=fin).filter(
        Q(fin__isnull=True) | Q(fin__gte=debut)
    ):
        absences[a.sejour_id].append((a.motif, a.debut, a.fin))
    girs = defaultdict(list)
    for usager_id, jour, gir in EvaluationAggir.objects.filter(
        organisme_id=etablissement.organisme_id,
        usager_id__in={s.usager_id for s in sejours},
        annulee_le__isnull=True,
        date_evaluation__lte=fin,
    ).values_list("usager_id", "date_evaluation", "gir"):
        girs[usager_id].append((jour, gir))
    return (
        [
            SejourDuMois(
                s.usager_id,
                s.usager.nom_affiche,
                s.usager.prenom_affiche,
                s.usager.date_naissance,
                s.chambre,
                s.date_entree,
                s.date_sortie,
                absences.get(s.pk, []),
            )
            for s in sejours
        ],
        girs,
    )


def mes_exports(user) -> QuerySet[ExportPresence]:
    """The records ``user`` asked, in the ESMS where he still may export."""
    return ExportPresence.objects.filter(
        organisme_id=user.organisme_id,
        demandeur=user,
        etablissement__in=etablissements_factures(user),
    ).select_related("etablissement")


# --- Droits et aides --------------------------------------------------------------------------------------


def droits_du_dossier(user, usager) -> list:
    from .models import DroitAide

    return list(
        policy.scope_contenu_du_dossier(user, Droit.ADMINISTRATIF_VOIR, DroitAide.objects.all(), usager)
        .select_related("etablissement", "justificatif")
        .order_by("type_droit", "-debut")
    )


def droit_du_dossier_ou_none(user, usager, public_id):
    from .models import DroitAide

    return (
        policy.scope_contenu_du_dossier(user, Droit.ADMINISTRATIF_VOIR, DroitAide.objects.all(), usager)
        .filter(public_id=public_id)
        .first()
    )


def demandes_cdaph(user, usager):
    """The admission requests of the person that carry a CDAPH decision, as ``user`` may write them."""
    from admission.models import DemandeAdmission

    return policy.scope(
        user, Droit.ADMINISTRATIF_MODIFIER, DemandeAdmission.objects.filter(usager=usager)
    ).exclude(cdaph_numero_decision="")


def orientations_a_reprendre(user, usager) -> list:
    """The admission requests that brought the person with a CDAPH decision not yet in the dossier."""
    from admission.models import DemandeAdmission

    from .models import DroitAide, TypeDroit

    reprises = DroitAide.objects.filter(usager=usager, type_droit=TypeDroit.ORIENTATION).values("reference")
    return list(
        policy.scope(user, Droit.ADMINISTRATIF_MODIFIER, DemandeAdmission.objects.filter(usager=usager))
        .exclude(cdaph_numero_decision="")
        .exclude(cdaph_numero_decision__in=reprises)
        .select_related("etablissement")
    )


def justificatifs(user, usager):
    """The dossier's documents ``user`` may read, as a right's supporting document."""
    from documents.selectors import documents_du_dossier

    return documents_du_dossier(user, usager).filter(derniere_version=True, en_erreur_le__isnull=True)


def droits_a_renouveler(user) -> list:
    """Rights ending within their renewal notice (or ended less than a month ago), in the ESMS where ``user``
    writes the administrative record: the home page's reminders."""
    from django.utils import timezone

    from .models import PREAVIS_RENOUVELLEMENT, DroitAide

    jour = timezone.localdate()
    horizon = jour + datetime.timedelta(days=max(PREAVIS_RENOUVELLEMENT.values()))
    candidats = policy.scope_contenu(
        user,
        Droit.ADMINISTRATIF_MODIFIER,
        DroitAide.objects.filter(fin__gte=jour - datetime.timedelta(days=30), fin__lte=horizon),
    ).select_related("usager")
    # the newest right of each type and person: a renewed right is not reminded any more
    derniers = {}
    for d in candidats.order_by("usager_id", "type_droit", "debut"):
        derniers[(d.usager_id, d.type_droit)] = d
    if not derniers:
        return []
    recents = set(
        DroitAide.objects.filter(usager_id__in={u for u, _t in derniers})
        .filter(Q(fin__isnull=True) | Q(fin__gt=horizon))
        .values_list("usager_id", "type_droit")
    )
    return sorted(
        (d for cle, d in derniers.items() if cle not in recents and (d.a_renouveler(jour) or d.expire(jour))),
        key=lambda d: d.fin,
    )


def rappels_droits(user) -> list:
    """The home page's reminders (``dui.registre_accueil``)."""
    from django.urls import reverse
    from django.utils import timezone

    from dui.registre_accueil import ElementDuJour

    elements = []
    for d in droits_a_renouveler(user)[:20]:
        quand = (
            f"a pris fin le {d.fin:%d/%m/%Y}"
            if d.fin < timezone.localdate()
            else f"prend fin le {d.fin:%d/%m/%Y}"
        )
        elements.append(
            ElementDuJour(
                f"{d.usager} — {d.get_type_droit_display()} {quand} : à renouveler",
                reverse("administratif:droits", args=[d.usager.public_id]),
            )
        )
    return elements


# --- Contrat de séjour / DIPC -----------------------------------------------------------------------------


def modeles(organisme_id: int, actifs: bool = True):
    from .models import ModeleContrat

    qs = ModeleContrat.objects.filter(organisme_id=organisme_id)
    return qs.filter(actif=True) if actifs else qs


def contrats_du_dossier(user, usager) -> list:
    """The contracts, DIPC and avenants of the person as ``user`` may read them, with their legal state."""
    from django.utils import timezone

    from .contrats import etat
    from .models import Contrat

    jour = timezone.localdate()
    lignes = list(
        policy.scope_contenu_du_dossier(user, Droit.ADMINISTRATIF_VOIR, Contrat.objects.all(), usager)
        .select_related("sejour", "etablissement", "document_signe", "avenant_de")
        .order_by("-sejour__date_entree", "cree_le")
    )
    for c in lignes:
        c.etat = etat(  # type: ignore[attr-defined]
            c.sejour.date_entree,
            c.remis_le,
            timezone.localtime(c.signe_le).date() if c.signe_le else None,
            c.refus_le is not None,
            jour,
        )
    return lignes


def contrat_du_dossier_ou_none(user, usager, public_id):
    from .models import Contrat

    return (
        policy.scope_contenu_du_dossier(user, Droit.ADMINISTRATIF_VOIR, Contrat.objects.all(), usager)
        .select_related("sejour", "etablissement", "usager")
        .filter(public_id=public_id)
        .first()
    )


def remises_du_dossier(user, usager) -> list:
    from .models import RemiseDocument

    return list(
        policy.scope_contenu_du_dossier(
            user, Droit.ADMINISTRATIF_VOIR, RemiseDocument.objects.all(), usager
        ).select_related("sejour")
    )


def suivi_contrats(user, etablissements, jour: datetime.date, action=Droit.ADMINISTRATIF_VOIR) -> list[dict]:
    """The admissions of the last months in these ESMS (ids), each with the state of its contract (or DIPC)
    against the legal deadlines: the director's list, the home page's reminders. Two queries whatever the
    number of ESMS and admissions (one when there is no admission)."""
    from .contrats import FENETRE_SUIVI, Etat, echeances, etat
    from .models import Contrat, GenreContrat

    lisibles = policy.scope(user, action, Usager.objects.all()).values("pk")
    sejours = list(
        Sejour.objects.filter(
            organisme_id=user.organisme_id,
            etablissement_id__in=list(etablissements),
            date_entree__gte=jour - FENETRE_SUIVI,
            date_entree__lte=jour,
            usager_id__in=lisibles,
        )
        .select_related("usager", "etablissement")
        .order_by("date_entree")
    )
    if not sejours:
        return []
    contrats: dict[int, Any] = {}
    for c in Contrat.objects.filter(
        sejour__in=[s.pk for s in sejours], genre__in=[GenreContrat.CONTRAT, GenreContrat.DIPC]
    ).order_by("cree_le"):
        contrats[c.sejour_id] = c  # the last contract or DIPC of the séjour
    lignes = []
    for s in sejours:
        dernier = contrats.get(s.pk)
        if dernier is None:
            remise, _signature = echeances(s.date_entree)
            e = Etat(
                "a_etablir" if jour <= remise else "remise_en_retard",
                f"aucun contrat établi, à remettre avant le {remise:%d/%m/%Y}",
                jour > remise,
            )
        else:
            from django.utils import timezone

            signe = timezone.localtime(dernier.signe_le).date() if dernier.signe_le else None
            e = etat(s.date_entree, dernier.remis_le, signe, dernier.refus_le is not None, jour)
        lignes.append({"sejour": s, "usager": s.usager, "contrat": dernier, "etat": e})
    return lignes


def rappels_contrats(user) -> list:
    """Home page: the contracts to hand or to sign in the ESMS where ``user`` writes the administrative
    record, the late ones first."""
    from django.urls import reverse
    from django.utils import timezone

    from dui.registre_accueil import ElementDuJour

    jour = timezone.localdate()
    elements = []
    ecriture = policy.etablissements_autorises(user, Droit.ADMINISTRATIF_MODIFIER)
    for ligne in suivi_contrats(user, ecriture, jour, Droit.ADMINISTRATIF_MODIFIER) if ecriture else []:
        if ligne["etat"].code in ("signe", "refuse"):
            continue
        prefixe = "En retard — " if ligne["etat"].en_retard else ""
        nom = ligne["sejour"].etablissement.nom
        elements.append(
            (
                not ligne["etat"].en_retard,
                ElementDuJour(
                    f"{prefixe}contrat de séjour de {ligne['usager']} ({nom}) : {ligne['etat'].libelle}",
                    reverse("administratif:contrats", args=[ligne["usager"].public_id]),
                ),
            )
        )
    return [e for _ordre, e in sorted(elements, key=lambda x: x[0])][:20]


def contrats_signes_queryset(user, usager):
    """The signed contracts of the person (an avenant amends one)."""
    from .models import Contrat, GenreContrat

    return policy.scope_contenu_du_dossier(
        user, Droit.ADMINISTRATIF_VOIR, Contrat.objects.filter(genre=GenreContrat.CONTRAT), usager
    ).select_related("sejour")
