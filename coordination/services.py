"""Every write of the agenda: rights checked here, one transaction, history kept, and the bookings
(``Reservation``) rewritten with the event so that the exclusion constraints hold the promise of no double
booking.

A booking refused gets a French message naming the other booking when the user may see it ("déjà pris :
« Consultation cardiologie » le 12/03/2027 de 10:00 à 11:00"), and only the slot otherwise."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from psycopg.errors import DeadlockDetected

from annuaire.models import Partenaire
from dui.models import Etablissement
from dui.queue import enqueue_on_commit
from habilitations import policy
from habilitations.roles import Droit

from . import recurrence
from .models import (
    DUREE_MAX_EVENEMENT,
    STATUTS_ACTIFS,
    STATUTS_MOTIVES,
    Evenement,
    FeuilleTransports,
    GenreEvenement,
    GenreRessource,
    InviteReunion,
    JetonAgenda,
    ModeTransport,
    Participation,
    Presence,
    Reservation,
    Ressource,
    Serie,
    StatutEvenement,
    StatutFeuille,
    Transport,
)
from .selectors import evenements_visibles, professionnels_de

# --- Rights ----------------------------------------------------------------------------------------------


def _exiger_etablissement(auteur: Any, etablissement: Etablissement) -> None:
    if (
        etablissement.organisme_id != auteur.organisme_id
        or etablissement.pk not in policy.etablissements_autorises(auteur, Droit.COORDINATION_MODIFIER)
    ):
        raise PermissionDenied


def _exiger_usager(auteur: Any, usager: Any, etablissement: Etablissement) -> None:
    if not policy.can_dans_etablissement(auteur, Droit.COORDINATION_MODIFIER, usager, etablissement):
        raise PermissionDenied


def _exiger_evenement(auteur: Any, evenement: Evenement) -> Evenement:
    """The event, locked, if ``auteur`` may modify it."""
    if not evenements_visibles(auteur, Droit.COORDINATION_MODIFIER).filter(pk=evenement.pk).exists():
        raise PermissionDenied
    return Evenement.objects.select_for_update().get(pk=evenement.pk)


# --- Bookings ------------------------------------------------------------------------------------------


def _heure(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def _creneau(evenement: Evenement) -> str:
    debut, fin = timezone.localtime(evenement.debut), timezone.localtime(evenement.fin)
    return f"le {debut:%d/%m/%Y} de {debut:%H:%M} à {fin:%H:%M}"


def _cibles(
    evenement: Evenement, professionnels: Iterable[Any], participants: Iterable[Any]
) -> dict[tuple[str, int], tuple[datetime.datetime, datetime.datetime]]:
    """What the event occupies, and for how long: the person and the professionals for the event, and for
    its transport as well (one slot each, from the earliest start to the latest end); the room for the
    event; the vehicle for the transport."""
    debut, fin = evenement.debut, evenement.fin
    transport = Transport.objects.filter(evenement=evenement).first() if evenement.pk else None
    large = (min(debut, transport.depart), max(fin, transport.retour)) if transport else (debut, fin)
    cibles: dict[tuple[str, int], tuple[datetime.datetime, datetime.datetime]] = {}
    if evenement.usager_id and evenement.genre != GenreEvenement.REUNION:
        cibles[("usager", evenement.usager_id)] = large
    for usager in participants:
        cibles[("usager", usager.pk)] = large
    for pro in professionnels:
        cibles[("professionnel", pro.pk)] = (debut, fin)
    if evenement.ressource_id:
        cibles[("ressource", evenement.ressource_id)] = (debut, fin)
    if transport is not None:
        if transport.conducteur_id:
            actuel = cibles.get(("professionnel", transport.conducteur_id))
            cibles[("professionnel", transport.conducteur_id)] = (
                (min(actuel[0], transport.depart), max(actuel[1], transport.retour))
                if actuel
                else (transport.depart, transport.retour)
            )
        if transport.vehicule_id:
            cibles[("ressource", transport.vehicule_id)] = (transport.depart, transport.retour)
    return cibles


def _nom_cible(champ: str, objet: Any) -> str:
    if champ == "usager":
        return f"{objet} a déjà un engagement à ce moment"
    if champ == "professionnel":
        return f"{objet.get_full_name()} est déjà pris(e) à ce moment"
    return f"« {objet} » est déjà réservé(e) à ce moment"


def conflits(
    auteur: Any,
    evenement: Evenement,
    cibles: dict[tuple[str, int], tuple[datetime.datetime, datetime.datetime]],
) -> list[str]:
    """French messages for the active bookings that overlap ``cibles`` (other events only); an event the
    author may not see is told by its slot only."""
    trouvees: list[tuple[str, Reservation]] = []
    for (champ, ident), (debut, fin) in cibles.items():
        autres = (
            Reservation.objects.filter(
                organisme_id=evenement.organisme_id,
                active=True,
                periode__overlap=DateTimeTZRange(debut, fin),
                **{f"{champ}_id": ident},
            )
            .exclude(evenement_id=evenement.pk)
            .select_related("evenement", champ)
            .order_by("periode")[:3]
        )
        trouvees.extend((champ, r) for r in autres)
    if not trouvees:
        return []
    visibles = set(
        evenements_visibles(auteur)
        .filter(pk__in={r.evenement_id for _, r in trouvees})
        .values_list("pk", flat=True)
    )
    messages = []
    for champ, reservation in trouvees:
        autre = reservation.evenement
        quoi = (
            f"« {autre.titre} » {_creneau(autre)}"
            if autre.pk in visibles
            else f"un autre engagement de {_heure(reservation.periode.lower)} à {_heure(reservation.periode.upper)}"
            f" le {timezone.localtime(reservation.periode.lower):%d/%m/%Y}"
        )
        messages.append(f"{_nom_cible(champ, getattr(reservation, champ))} : {quoi}.")
    return messages


def _ecrire_reservations(
    auteur: Any, evenement: Evenement, professionnels: Iterable[Any], participants: Iterable[Any] = ()
) -> None:
    """Replace the event's bookings. Checked first (message), guaranteed by the exclusion constraints."""
    cibles = _cibles(evenement, professionnels, participants)
    Reservation.objects.filter(evenement=evenement).delete()
    if not evenement.actif:
        return
    if messages := conflits(auteur, evenement, cibles):
        raise ValidationError(messages)
    lignes = [
        Reservation(
            organisme_id=evenement.organisme_id,
            evenement=evenement,
            periode=DateTimeTZRange(debut, fin),
            **{f"{champ}_id": ident},
        )
        for (champ, ident), (debut, fin) in cibles.items()
    ]
    for essai in (1, 2):
        try:
            with transaction.atomic():
                Reservation.objects.bulk_create(lignes)
            return
        except OperationalError as exc:
            # Two bookings of the same slot written at the same instant: each exclusion check waits for the
            # other's transaction, and PostgreSQL breaks the deadlock by aborting one. That one writes once
            # more: it now waits for the other's commit, then meets the constraint (the message below).
            if essai == 1 and isinstance(exc.__cause__, DeadlockDetected):
                continue
            raise
        except IntegrityError as exc:
            # Someone booked the same slot between the check and the write: the constraint kept theirs.
            if messages := conflits(auteur, evenement, cibles):
                raise ValidationError(messages) from exc
            raise


def _professionnels(evenement: Evenement) -> list[Any]:
    return [
        r.professionnel
        for r in Reservation.objects.filter(evenement=evenement, professionnel__isnull=False).select_related(
            "professionnel"
        )
    ]


def _verifier_professionnels(etablissement: Etablissement, professionnels: Sequence[Any]) -> None:
    autorises = set(professionnels_de(etablissement).values_list("pk", flat=True))
    if any(p.pk not in autorises for p in professionnels):
        raise ValidationError(
            {"professionnels": "Choisissez des professionnels habilités dans cet établissement."}
        )


def _verifier_ressource(
    ressource: Ressource | None, etablissement: Etablissement, genres: tuple[str, ...], champ: str
) -> None:
    if ressource is not None and (
        ressource.etablissement_id != etablissement.pk
        or not ressource.active
        or ressource.genre not in genres
    ):
        raise ValidationError({champ: "Cette ressource n'appartient pas à cet établissement."})


def _verifier_horaires(debut: datetime.datetime, fin: datetime.datetime) -> None:
    if fin <= debut:
        raise ValidationError({"fin": "La fin doit suivre le début."})
    if fin - debut > DUREE_MAX_EVENEMENT:
        raise ValidationError({"fin": "Un événement dure au plus 24 heures."})


def _preparer_transport(evenement: Evenement, transport: dict[str, Any] | None) -> Transport | None:
    if not transport or not transport.get("mode"):
        return None
    depart, retour = transport["depart"], transport["retour"]
    if retour <= depart:
        raise ValidationError({"retour": "Le retour doit suivre le départ."})
    if depart > evenement.debut or retour < evenement.fin:
        raise ValidationError(
            {"depart": "Le transport doit partir avant le rendez-vous et revenir après sa fin."}
        )
    vehicule = transport.get("vehicule")
    if transport["mode"] == ModeTransport.VEHICULE and vehicule is None:
        raise ValidationError({"vehicule": "Choisissez le véhicule de l'établissement."})
    if transport["mode"] != ModeTransport.VEHICULE:
        vehicule = None
    _verifier_ressource(vehicule, evenement.etablissement, (GenreRessource.VEHICULE,), "vehicule")
    return Transport(
        organisme_id=evenement.organisme_id,
        mode=transport["mode"],
        vehicule=vehicule,
        conducteur=transport.get("conducteur"),
        depart=depart,
        retour=retour,
        commentaire=transport.get("commentaire", ""),
    )


def _verifier_invites(auteur: Any, usager: Any, invites: Sequence[Any]) -> None:
    for invite in invites:
        if isinstance(invite, Partenaire):
            if invite.organisme_id != auteur.organisme_id or not invite.actif:
                raise ValidationError({"partenaires": "Choisissez des partenaires de l'annuaire."})
        elif usager is None or invite.usager_id != usager.pk:
            raise ValidationError({"proches": "On invite un proche de la personne concernée."})


@transaction.atomic
def do_inviter(auteur: Any, evenement: Evenement, invites: Sequence[Any]) -> int:
    """Add partners or relatives to a meeting (those already invited are kept once)."""
    evenement = _exiger_evenement(auteur, evenement)
    if evenement.genre != GenreEvenement.REUNION:
        raise ValidationError("On invite des partenaires ou des proches à une réunion.")
    usager = evenement.usager
    _verifier_invites(auteur, usager, invites)
    deja = {(i.partenaire_id, i.proche_id) for i in evenement.invites.all()}
    n = 0
    for invite in invites:
        cle = (invite.pk, None) if isinstance(invite, Partenaire) else (None, invite.pk)
        if cle in deja:
            continue
        InviteReunion.objects.create(
            organisme_id=auteur.organisme_id,
            evenement=evenement,
            partenaire=invite if isinstance(invite, Partenaire) else None,
            proche=None if isinstance(invite, Partenaire) else invite,
        )
        n += 1
    return n


# --- Planning ------------------------------------------------------------------------------------------

CHAMPS_EVENEMENT = (
    "titre",
    "lieu",
    "partenaire",
    "ressource",
    "preparation",
    "a_jeun",
    "documents_a_apporter",
    "dlu_a_imprimer",
    "accompagnement_requis",
    "capacite",
    "prestation",
    "projet",
    "genre_reunion",
    "ordre",
    "compte_rendu",
    "ordre_du_jour",
)


@transaction.atomic
def do_planifier(
    auteur: Any,
    etablissement: Etablissement,
    *,
    genre: str,
    debut: datetime.datetime,
    fin: datetime.datetime,
    usager: Any = None,
    professionnels: Sequence[Any] = (),
    participants: Sequence[Any] = (),
    transport: dict[str, Any] | None = None,
    regle: recurrence.Regle | None = None,
    invites: Sequence[Any] = (),
    **valeurs: Any,
) -> Evenement:
    """Plan an event (and its occurrences when ``regle`` is given): a rendez-vous or a home visit of
    ``usager``, an activity with ``participants``, a meeting (``usager``: the person it is about). Returns the
    first occurrence. A conflict on any occurrence refuses the whole plan, naming it."""
    _exiger_etablissement(auteur, etablissement)
    if genre not in GenreEvenement.values:
        raise ValidationError({"genre": "Type d'événement inconnu."})
    if (
        genre in (GenreEvenement.RDV_INTERNE, GenreEvenement.RDV_EXTERNE, GenreEvenement.VISITE)
        and usager is None
    ):
        raise ValidationError("Un rendez-vous concerne une personne.")
    for personne in ([usager] if usager is not None else []) + list(participants):
        _exiger_usager(auteur, personne, etablissement)
    _verifier_horaires(debut, fin)
    _verifier_professionnels(etablissement, professionnels)
    if genre == GenreEvenement.VISITE and len(professionnels) != 1:
        raise ValidationError(
            {"professionnels": "Une intervention à domicile a un professionnel, et un seul."}
        )
    _verifier_ressource(
        valeurs.get("ressource"),
        etablissement,
        (GenreRessource.SALLE, GenreRessource.EQUIPEMENT),
        "ressource",
    )
    capacite = valeurs.get("capacite")
    if capacite and len(participants) > capacite:
        raise ValidationError(
            {"participants": f"Cette activité compte {capacite} places : {len(participants)} inscrits."}
        )
    titre = (valeurs.get("titre") or "").strip()
    if not titre:
        raise ValidationError({"titre": "Indiquez l'objet."})
    if invites and genre != GenreEvenement.REUNION:
        raise ValidationError("On invite des partenaires ou des proches à une réunion.")
    _verifier_invites(auteur, usager, invites)
    projet = valeurs.get("projet")
    if projet is not None and (
        usager is None or projet.usager_id != usager.pk or projet.etablissement_id != etablissement.pk
    ):
        raise ValidationError(
            {"projet": "Ce projet personnalisé n'est pas celui de la personne dans cet établissement."}
        )

    departs = [debut]
    serie = None
    if regle is not None:
        horizon = regle.jusqu_au or (timezone.localdate(debut) + recurrence.HORIZON)
        try:
            departs = recurrence.occurrences(regle.rrule(), debut, jusqu=horizon)
        except recurrence.RegleInvalide as exc:
            raise ValidationError({"jusqu_au": str(exc)}) from exc
        serie = Serie.objects.create(
            organisme_id=auteur.organisme_id,
            etablissement=etablissement,
            regle=regle.rrule(),
            debut=debut,
            jusqu_au=regle.jusqu_au,
            developpee_jusqu_au=horizon,
            cree_par=auteur,
        )
    duree = fin - debut
    premier = None
    problemes: list[str] = []
    for depart in departs:
        decalage = depart - debut  # wall-clock shift of this occurrence (DST included)
        evenement = Evenement(
            organisme_id=auteur.organisme_id,
            etablissement=etablissement,
            genre=genre,
            usager=usager,
            debut=depart,
            fin=depart + duree,
            serie=serie,
            cree_par=auteur,
            **{c: valeurs[c] for c in CHAMPS_EVENEMENT if c in valeurs},
        )
        evenement.titre = titre
        if transport and transport.get("mode"):
            decale = {
                **transport,
                "depart": transport["depart"] + decalage,
                "retour": transport["retour"] + decalage,
            }
            prepare = _preparer_transport(evenement, decale)
        else:
            prepare = None
        evenement.save()
        try:
            if prepare is not None:
                prepare.evenement = evenement
                prepare.save()
            with transaction.atomic():
                _ecrire_reservations(auteur, evenement, professionnels, participants)
        except ValidationError as exc:
            problemes.extend(
                exc.messages if len(departs) == 1 else [f"{_creneau(evenement)} — {m}" for m in exc.messages]
            )
            if len(problemes) >= 5:
                break
        for invite in invites:
            InviteReunion.objects.create(
                organisme_id=auteur.organisme_id,
                evenement=evenement,
                partenaire=invite if isinstance(invite, Partenaire) else None,
                proche=None if isinstance(invite, Partenaire) else invite,
            )
        for personne in participants:
            Participation.objects.create(
                organisme_id=auteur.organisme_id,
                evenement=evenement,
                usager=personne,
                etablissement=etablissement,
                prestation=valeurs.get("prestation"),
            )
        premier = premier or evenement
    if problemes:
        raise ValidationError(problemes)
    assert premier is not None
    return premier


@transaction.atomic
def do_deplacer(
    auteur: Any, evenement: Evenement, debut: datetime.datetime, fin: datetime.datetime
) -> Evenement:
    """Move one event (one occurrence of a series: it becomes an exception of it), its transport with it."""
    evenement = _exiger_evenement(auteur, evenement)
    if evenement.statut != StatutEvenement.PREVU:
        raise ValidationError("Seul un événement prévu peut être déplacé.")
    _verifier_horaires(debut, fin)
    decalage = debut - evenement.debut
    professionnels = _professionnels(evenement)
    participants = [p.usager for p in evenement.participations.select_related("usager")]
    evenement.debut, evenement.fin = debut, fin
    evenement.exception = evenement.serie_id is not None
    transport = Transport.objects.filter(evenement=evenement).first()
    if transport is not None:
        transport.depart += decalage
        transport.retour += decalage
        transport.save()
    evenement.save()
    _ecrire_reservations(auteur, evenement, professionnels, participants)
    return evenement


@transaction.atomic
def do_changer_statut(
    auteur: Any, evenement: Evenement, statut: str, motif: str = "", compte_rendu: str | None = None
) -> Evenement:
    """Done, cancelled, postponed, absent, not done (with its reason); a cancelled or postponed event frees
    its slots. The compte rendu may be written with "fait"."""
    evenement = _exiger_evenement(auteur, evenement)
    if statut not in StatutEvenement.values:
        raise ValidationError({"statut": "Statut inconnu."})
    motif = Evenement.motif_nettoye(motif)
    if statut in STATUTS_MOTIVES and not motif:
        raise ValidationError({"motif": "Indiquez le motif."})
    if statut == StatutEvenement.FAIT and evenement.debut > timezone.now():
        raise ValidationError({"statut": "Un événement à venir ne peut pas être noté fait."})
    if evenement.statut in STATUTS_MOTIVES and statut != evenement.statut:
        raise ValidationError("Cet événement est clos : planifiez-en un nouveau.")
    professionnels = _professionnels(evenement)
    participants = [p.usager for p in evenement.participations.select_related("usager")]
    evenement.statut = statut
    evenement.motif_cloture = motif if statut in STATUTS_MOTIVES else ""
    if compte_rendu is not None:
        evenement.compte_rendu = compte_rendu.strip()
    evenement.exception = evenement.exception or (
        evenement.serie_id is not None and statut not in STATUTS_ACTIFS
    )
    evenement.save()
    if statut not in STATUTS_ACTIFS:
        Reservation.objects.filter(evenement=evenement).update(active=False)  # frees the slots
    else:
        _ecrire_reservations(auteur, evenement, professionnels, participants)
    return evenement


@transaction.atomic
def do_annuler_suite(auteur: Any, evenement: Evenement, motif: str) -> int:
    """Cancel this occurrence and the following ones of its series (those still planned)."""
    evenement = _exiger_evenement(auteur, evenement)
    if evenement.serie_id is None:
        raise ValidationError("Cet événement ne se répète pas.")
    suite = evenements_visibles(auteur, Droit.COORDINATION_MODIFIER).filter(
        serie_id=evenement.serie_id, debut__gte=evenement.debut, statut=StatutEvenement.PREVU
    )
    nombre = 0
    for occurrence in suite:
        do_changer_statut(auteur, occurrence, StatutEvenement.ANNULE, motif)
        nombre += 1
    return nombre


@transaction.atomic
def do_noter_presence(auteur: Any, participation: Participation, presence: str) -> Participation:
    """One tap per person: present, absent, excused (the last tap wins, each one kept in the history)."""
    if not policy.can_contenu(auteur, Droit.COORDINATION_MODIFIER, participation):
        raise PermissionDenied
    if presence not in (Presence.PRESENT, Presence.ABSENT, Presence.EXCUSE):
        raise ValidationError("Présence inconnue.")
    participation = (
        Participation.objects.select_for_update().select_related("evenement").get(pk=participation.pk)
    )
    if participation.evenement.debut > timezone.now() + datetime.timedelta(hours=1):
        raise ValidationError("La présence se note le jour de l'activité.")
    participation.presence = presence
    participation.note_par = auteur
    participation.note_le = timezone.now()
    participation.save()
    return participation


@transaction.atomic
def do_inscrire(auteur: Any, evenement: Evenement, usager: Any, action: Any = None) -> Participation:
    evenement = _exiger_evenement(auteur, evenement)
    if evenement.genre != GenreEvenement.ACTIVITE:
        raise ValidationError("On s'inscrit à une activité.")
    _exiger_usager(auteur, usager, evenement.etablissement)
    if evenement.participations.filter(usager=usager).exists():
        raise ValidationError("Cette personne est déjà inscrite.")
    if evenement.capacite and evenement.participations.count() >= evenement.capacite:
        raise ValidationError(f"Cette activité est complète ({evenement.capacite} places).")
    if action is not None and action.objectif.projet.usager_id != usager.pk:
        raise ValidationError({"action": "Cette action n'est pas du projet de cette personne."})
    participation = Participation.objects.create(
        organisme_id=auteur.organisme_id,
        evenement=evenement,
        usager=usager,
        etablissement=evenement.etablissement,
        action=action,
        prestation=(
            action.prestation if action is not None and action.prestation_id else evenement.prestation
        ),
    )
    participants = [p.usager for p in evenement.participations.select_related("usager")]
    _ecrire_reservations(auteur, evenement, _professionnels(evenement), participants)
    return participation


# --- Resources and feeds -------------------------------------------------------------------------------


@transaction.atomic
def do_creer_ressource(
    auteur: Any, etablissement: Etablissement, genre: str, nom: str, places: int | None = None
) -> Ressource:
    _exiger_etablissement(auteur, etablissement)
    if etablissement.pk not in policy.etablissements_autorises(auteur, Droit.PILOTAGE_VOIR):
        raise PermissionDenied  # the ESMS's resources are declared by its management
    ressource = Ressource(
        organisme_id=auteur.organisme_id,
        etablissement=etablissement,
        genre=genre,
        nom=nom.strip(),
        places=places,
    )
    ressource.full_clean()
    ressource.save()
    return ressource


def _empreinte(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_creer_jeton(auteur: Any, libelle: str) -> tuple[JetonAgenda, str]:
    """A new feed for the professional: returns the secret, shown once (only its SHA-256 is kept)."""
    if not policy.etablissements_autorises(auteur, Droit.COORDINATION_VOIR):
        raise PermissionDenied
    if JetonAgenda.objects.filter(professionnel=auteur, revoque_le__isnull=True).count() >= 5:
        raise ValidationError("Cinq abonnements au plus : révoquez-en un d'abord.")
    secret = secrets.token_urlsafe(32)
    jeton = JetonAgenda.objects.create(
        organisme_id=auteur.organisme_id,
        professionnel=auteur,
        libelle=(libelle.strip() or "Mon téléphone")[:100],
        empreinte=_empreinte(secret),
    )
    return jeton, secret


@transaction.atomic
def do_revoquer_jeton(auteur: Any, jeton: JetonAgenda) -> None:
    if jeton.professionnel_id != auteur.pk:
        raise PermissionDenied
    jeton.revoque_le = jeton.revoque_le or timezone.now()
    jeton.save(update_fields=["revoque_le"])


def jeton_du_secret(secret: str) -> JetonAgenda | None:
    """The active token of a feed URL, found before any tenant is known (the caller holds
    ``dui.tenancy.auth_lookup``)."""
    if not secret or len(secret) > 100:
        return None
    return (
        JetonAgenda.objects.filter(empreinte=_empreinte(secret), revoque_le__isnull=True)
        .select_related("professionnel")
        .first()
    )


def noter_lecture(jeton: JetonAgenda, moment: datetime.datetime) -> None:
    """When the feed was last read (shown to its professional: a lost phone still reading it is a sign)."""
    JetonAgenda.objects.filter(pk=jeton.pk).update(dernier_acces=moment)


# --- The day's transport sheet -------------------------------------------------------------------------


@transaction.atomic
def demander_feuille_transports(
    etablissement: Etablissement, jour: datetime.date, demandeur: Any = None
) -> FeuilleTransports:
    """Ask the worker for the sheet of ``jour`` (the same row again if it exists: asking twice is
    harmless). ``demandeur`` is None for the evening's beat."""
    if demandeur is not None and etablissement.pk not in policy.etablissements_autorises(
        demandeur, Droit.COORDINATION_VOIR
    ):
        raise PermissionDenied
    feuille, _ = FeuilleTransports.objects.select_for_update().get_or_create(
        organisme_id=etablissement.organisme_id, etablissement=etablissement, jour=jour
    )
    feuille.statut = StatutFeuille.EN_PREPARATION
    feuille.demandee_par = demandeur
    feuille.erreur = ""
    feuille.save()
    enqueue_on_commit(
        "coordination.generer_feuille_transports",
        str(feuille.public_id),
        organisme_id=etablissement.organisme_id,
    )
    return feuille


def enregistrer_feuille(feuille: FeuilleTransports, contenu: bytes, nb_transports: int) -> None:
    from pathlib import Path

    from django.conf import settings

    dossier = Path(settings.MEDIA_ROOT) / "transports" / str(feuille.organisme_id)
    dossier.mkdir(parents=True, exist_ok=True)
    chemin = dossier / f"transports-{feuille.public_id}.pdf"
    chemin.write_bytes(contenu)
    feuille.fichier = str(chemin.relative_to(settings.MEDIA_ROOT))
    feuille.statut = StatutFeuille.PRETE
    feuille.nb_transports = nb_transports
    feuille.produite_le = timezone.now()
    feuille.save()


def preparer_dlu_de_demain(jour: datetime.date) -> int:
    """A DLU produced tonight for each rendez-vous of ``jour`` that asks for one, so that the team finds it
    ready to print in the morning. Asked in the name of the professional who planned the rendez-vous, when
    that professional may (``soins``: medical reading and documents); otherwise the team prints it by hand
    (the home page says "DLU à imprimer"). A person whose DLU is less than a day old gets no new one."""
    from documents.models import Document, TypeDocument
    from soins.services import do_demander_dlu

    from .selectors import journee

    debut, fin = journee(jour)
    recents = Document.objects.filter(
        type_document=TypeDocument.DLU, cree_le__gte=timezone.now() - datetime.timedelta(hours=24)
    ).values("usager_id")
    n = 0
    evenements = (
        Evenement.objects.filter(
            dlu_a_imprimer=True,
            statut=StatutEvenement.PREVU,
            debut__gte=debut,
            debut__lt=fin,
            usager__isnull=False,
        )
        .exclude(usager_id__in=recents)
        .select_related("cree_par", "usager", "etablissement")
        .order_by("debut")
    )
    deja: set[int] = set()
    for evenement in evenements:
        usager = evenement.usager
        if usager is None or usager.pk in deja:
            continue
        try:
            with transaction.atomic():
                do_demander_dlu(evenement.cree_par, usager, evenement.etablissement)
        except (PermissionDenied, ValidationError):
            continue
        deja.add(usager.pk)
        n += 1
    return n


@transaction.atomic
def prolonger_serie(serie: Serie, jusqu: datetime.date) -> tuple[int, int]:
    """Create the occurrences of a series without end up to ``jusqu`` (the nightly task keeps a year ahead),
    copied from its first occurrence: the same person, professionals, place, transport and participants. An
    occurrence that would double-book someone is not created (the constraint keeps the other booking) and is
    counted. Returns (created, skipped); running it twice creates nothing more."""
    serie = Serie.objects.select_for_update().get(pk=serie.pk)
    if serie.jusqu_au is not None or (serie.developpee_jusqu_au and serie.developpee_jusqu_au >= jusqu):
        return 0, 0
    modele = serie.occurrences.order_by("debut", "pk").select_related("cree_par", "etablissement").first()
    if modele is None:
        return 0, 0
    transport = Transport.objects.filter(evenement=modele).first()
    professionnels = _professionnels(modele)
    participants = [p.usager for p in modele.participations.select_related("usager")]
    duree = modele.fin - modele.debut
    crees = sautees = 0
    for depart in recurrence.occurrences(
        serie.regle, serie.debut, jusqu=jusqu, apres=serie.developpee_jusqu_au
    ):
        decalage = depart - modele.debut
        try:
            with transaction.atomic():
                evenement = Evenement.objects.create(
                    organisme_id=serie.organisme_id,
                    etablissement=modele.etablissement,
                    genre=modele.genre,
                    usager=modele.usager,
                    debut=depart,
                    fin=depart + duree,
                    serie=serie,
                    cree_par=modele.cree_par,
                    **{
                        c: getattr(modele, c) for c in CHAMPS_EVENEMENT if c not in ("compte_rendu", "projet")
                    },
                )
                if transport is not None:
                    Transport.objects.create(
                        organisme_id=serie.organisme_id,
                        evenement=evenement,
                        mode=transport.mode,
                        vehicule=transport.vehicule,
                        conducteur=transport.conducteur,
                        depart=transport.depart + decalage,
                        retour=transport.retour + decalage,
                        commentaire=transport.commentaire,
                    )
                for personne in participants:
                    Participation.objects.create(
                        organisme_id=serie.organisme_id,
                        evenement=evenement,
                        usager=personne,
                        etablissement=modele.etablissement,
                        prestation=modele.prestation,
                    )
                _ecrire_reservations(modele.cree_par, evenement, professionnels, participants)
        except ValidationError:
            sautees += 1
            serie.dates_sautees = sorted({*serie.dates_sautees, timezone.localdate(depart)})[-50:]
            continue
        crees += 1
    serie.developpee_jusqu_au = jusqu
    serie.save(update_fields=["developpee_jusqu_au", "dates_sautees", "modifie_le"])
    return crees, sautees
