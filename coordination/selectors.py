"""Reading the agenda, filtered by the policy in SQL.

- An event that concerns a person (a rendez-vous, a home visit, a meeting about someone) is read like any
  row of the dossier: the person and the event's ESMS must both be open to ``coordination`` for the user
  (``policy.scope_contenu``; a DENY on the dossier hides it, a break-the-glass opens it for reading).
- An event without a person (an activity, a team meeting) is read by whoever has ``coordination`` in its
  ESMS; its participants are then listed one by one under the same rule as the events of a person.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from dui.models import Etablissement
from habilitations import policy
from habilitations.models import Habilitation
from habilitations.roles import Droit

from .models import (
    BORNE_DUREE_EVENEMENT,
    Evenement,
    GenreEvenement,
    JetonAgenda,
    Participation,
    Reservation,
    Ressource,
)
from .recurrence import PARIS


def evenements_visibles(user: Any, action: str = Droit.COORDINATION_VOIR) -> QuerySet[Evenement]:
    if not getattr(user, "organisme_id", None):
        return Evenement.objects.none()
    sans_personne = Evenement.objects.filter(
        organisme_id=user.organisme_id,
        usager__isnull=True,
        etablissement_id__in=policy.etablissements_autorises(user, action),
    )
    avec_personne = policy.scope_contenu(user, action, Evenement.objects.filter(usager__isnull=False))
    # one WHERE with an OR (not "pk IN (every visible event)"): the caller's filters on dates and ESMS then
    # reach the indexes (measured on the home page: 13 ms → see issue 17's note)
    return sans_personne | avec_personne


def avec_details(qs: QuerySet[Evenement]) -> QuerySet[Evenement]:
    """What an agenda line shows: the person, the place, the transport, the professionals booked."""
    return qs.select_related(
        "usager", "partenaire", "ressource", "transport", "transport__vehicule", "etablissement"
    ).prefetch_related(
        Prefetch(
            "reservations",
            queryset=Reservation.objects.filter(professionnel__isnull=False).select_related("professionnel"),
            to_attr="reservations_pros",
        )
    )


def journee(jour: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants of a Paris day (23 or 25 hours on the DST nights)."""
    debut = datetime.datetime.combine(jour, datetime.time(0), tzinfo=PARIS)
    fin = datetime.datetime.combine(jour + datetime.timedelta(days=1), datetime.time(0), tzinfo=PARIS)
    return debut, fin


def semaine(jour: datetime.date) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    """(Monday, start, end) of the week of ``jour``."""
    lundi = jour - datetime.timedelta(days=jour.weekday())
    return lundi, journee(lundi)[0], journee(lundi + datetime.timedelta(days=6))[1]


def entre(qs: QuerySet[Evenement], debut: datetime.datetime, fin: datetime.datetime) -> QuerySet[Evenement]:
    """The events overlapping [debut, fin). The lower bound on ``debut`` (an event lasts at most
    ``BORNE_DUREE_EVENEMENT``, a constraint of the table) keeps the index scan to the period: without it a
    day's agenda read every past event of the ESMS (2,570 rows for a unit's relève after a year at the bench)."""
    return qs.filter(debut__lt=fin, debut__gte=debut - BORNE_DUREE_EVENEMENT, fin__gt=debut).order_by(
        "debut", "pk"
    )


def agenda_de_la_personne(user: Any, usager: Any, depuis: datetime.datetime) -> list[Evenement]:
    """A person's events from ``depuis`` (and the activities they take part in), under the dossier's rule,
    in order. Two indexed reads merged here: an OR between them made PostgreSQL scan the whole table."""
    propres = policy.scope_contenu_du_dossier(
        user, Droit.COORDINATION_VOIR, Evenement.objects.filter(fin__gte=depuis), usager
    )
    inscrites = list(
        policy.scope_contenu_du_dossier(
            user, Droit.COORDINATION_VOIR, Participation.objects.filter(evenement__fin__gte=depuis), usager
        ).values_list("evenement_id", flat=True)
    )
    evenements = list(avec_details(propres.order_by("debut", "pk")))
    if inscrites:
        evenements += avec_details(
            Evenement.objects.filter(organisme_id=user.organisme_id, pk__in=inscrites).exclude(
                pk__in=[e.pk for e in evenements]
            )
        )
    return sorted(evenements, key=lambda e: (e.debut, e.pk))


def agenda_du_professionnel(
    user: Any, professionnel: Any, debut: datetime.datetime, fin: datetime.datetime
) -> QuerySet[Evenement]:
    """The events that book ``professionnel`` between two instants, as ``user`` may see them."""
    reserves = Reservation.objects.filter(
        organisme_id=user.organisme_id, professionnel=professionnel, periode__overlap=(debut, fin)
    ).values("evenement_id")  # the GiST index of the exclusion constraint: this week's, not every year's
    return avec_details(entre(evenements_visibles(user).filter(pk__in=reserves), debut, fin))


def agenda_de_l_etablissement(
    user: Any,
    etablissement: Etablissement,
    debut: datetime.datetime,
    fin: datetime.datetime,
    genres: tuple[str, ...] = (),
) -> QuerySet[Evenement]:
    qs = evenements_visibles(user).filter(etablissement=etablissement)
    if genres:
        qs = qs.filter(genre__in=genres)
    return avec_details(entre(qs, debut, fin))


def agenda_de_l_unite(
    user: Any, unite: Any, jour: datetime.date, fin_jour: datetime.date | None = None
) -> QuerySet[Evenement]:
    """The days of a unit (``jour``, or ``jour`` to ``fin_jour`` included): the events of the people who live
    there on ``jour``, and the activities they take part in."""
    from usagers.models import Sejour

    debut, fin = journee(jour)
    if fin_jour is not None:
        _, fin = journee(fin_jour)
    residents = Sejour.objects.filter(unite=unite).en_cours(jour).values("usager_id")
    inscrits = Participation.objects.filter(organisme_id=unite.organisme_id, usager_id__in=residents).values(
        "evenement_id"
    )
    qs = (
        evenements_visibles(user)
        .filter(etablissement_id=unite.etablissement_id)
        .filter(Q(usager_id__in=residents) | Q(pk__in=inscrits))
    )
    return avec_details(entre(qs, debut, fin))


def agenda_de_la_ressource(
    user: Any, ressource: Ressource, debut: datetime.datetime, fin: datetime.datetime
) -> QuerySet[Evenement]:
    """The events booking a resource (a vehicle through its transports included), as ``user`` may see
    them; the slots of events hidden from ``user`` are shown as "occupé" by ``creneaux_occupes``."""
    reserves = Reservation.objects.filter(
        organisme_id=user.organisme_id, ressource=ressource, periode__overlap=(debut, fin)
    ).values("evenement_id")
    return avec_details(entre(evenements_visibles(user).filter(pk__in=reserves), debut, fin))


def creneaux_occupes(
    user: Any, ressource: Ressource, debut: datetime.datetime, fin: datetime.datetime, visibles: set[int]
) -> list[Reservation]:
    """The resource's active bookings by events ``user`` cannot see: the slot is shown, not the event."""
    return list(
        Reservation.objects.filter(
            organisme_id=user.organisme_id, ressource=ressource, active=True, periode__overlap=(debut, fin)
        )
        .exclude(evenement_id__in=visibles)
        .order_by("periode")
    )


def participations(user: Any, evenement: Evenement) -> QuerySet[Participation]:
    """The participants of an activity that ``user`` may see (a participant whose dossier is closed to
    the user does not appear)."""
    return (
        policy.scope_contenu(user, Droit.COORDINATION_VOIR, Participation.objects.filter(evenement=evenement))
        .select_related("usager", "action", "prestation")
        .order_by("usager__nom_naissance", "pk")
    )


def ressources(user: Any, etablissement: Etablissement, genre: str = "") -> QuerySet[Ressource]:
    if etablissement.pk not in policy.etablissements_autorises(user, Droit.COORDINATION_VOIR):
        return Ressource.objects.none()
    qs = Ressource.objects.filter(organisme_id=user.organisme_id, etablissement=etablissement, active=True)
    return qs.filter(genre=genre) if genre else qs


def ressources_visibles(user: Any) -> QuerySet[Ressource]:
    return policy.scope(user, Droit.COORDINATION_VOIR, Ressource.objects.all())


def professionnels_de(etablissement: Etablissement, jour: datetime.date | None = None) -> QuerySet[Any]:
    """The professionals with an active habilitation in the ESMS (the choices of "who takes part")."""
    jour = jour or timezone.localdate()
    habilites = (
        Habilitation.objects.filter(etablissement=etablissement).en_cours(jour).values("professionnel_id")
    )
    return (
        get_user_model()
        .objects.filter(organisme_id=etablissement.organisme_id, is_active=True, pk__in=habilites)
        .order_by("nom", "prenom")
    )


def etablissements_coordination(user: Any, action: str = Droit.COORDINATION_VOIR) -> QuerySet[Etablissement]:
    return policy.scope(user, action, Etablissement.objects.all()).order_by("nom")


def tournee(user: Any, professionnel: Any, jour: datetime.date) -> QuerySet[Evenement]:
    """A professional's home visits of the day, in visit order."""
    debut, fin = journee(jour)
    return (
        agenda_du_professionnel(user, professionnel, debut, fin)
        .filter(genre="visite")
        .order_by("ordre", "debut", "pk")
    )


def jetons_de(professionnel: Any) -> QuerySet[JetonAgenda]:
    return JetonAgenda.objects.filter(
        organisme_id=professionnel.organisme_id, professionnel=professionnel
    ).order_by("-cree_le")


def rendez_vous_de_l_unite(user: Any, unite: Any, jour: datetime.date) -> list[Evenement]:
    """The unit pages' section (``soins.registre_unite``): the day's events of the unit's residents, for
    a user who may see the agenda there."""
    if unite.etablissement_id not in policy.etablissements_autorises(user, Droit.COORDINATION_VOIR):
        return []
    return list(agenda_de_l_unite(user, unite, jour).exclude(genre=GenreEvenement.ACTIVITE)[:30])


def _libelle_du_jour(e: Evenement, aujourd_hui: datetime.date) -> str:
    debut = timezone.localtime(e.debut)
    quand = "Aujourd'hui" if debut.date() == aujourd_hui else "Demain"
    transport = getattr(e, "transport", None)
    heure = timezone.localtime(transport.depart) if transport is not None else debut
    texte = f"{quand} {heure:%H:%M} — {e.titre}"
    if e.usager_id:
        texte += f" · {e.usager}"
    details = []
    if transport is not None:
        details.append(f"{transport.get_mode_display().lower()} à {heure:%H:%M}")
    if e.a_jeun:
        details.append("à jeun")
    if e.dlu_a_imprimer:
        details.append("DLU à imprimer")
    if e.documents_a_apporter:
        details.append(f"apporter : {e.documents_a_apporter}")
    return texte + (f" ({', '.join(details)})" if details else "")


def agenda_du_jour(user: Any) -> list[Any]:
    """The home page's rubric (``dui.registre_accueil``), in one query: the user's own events today, and
    tomorrow's external rendez-vous and transports in the ESMS where they see the agenda (what must be
    prepared tonight: a fasting patient, a DLU to print, a taxi to confirm)."""
    from django.db.models import Exists, OuterRef

    from dui.registre_accueil import ElementDuJour

    if not policy.etablissements_autorises(user, Droit.COORDINATION_VOIR):
        return []
    aujourd_hui = timezone.localdate()
    debut, fin = journee(aujourd_hui)
    _, fin_demain = journee(aujourd_hui + datetime.timedelta(days=1))
    a_moi = Exists(Reservation.objects.filter(evenement=OuterRef("pk"), professionnel_id=user.pk))
    a_preparer = Q(genre=GenreEvenement.RDV_EXTERNE) | Q(transport__isnull=False)
    qs = (
        evenements_visibles(user)
        .filter(statut__in=("prevu", "fait"), debut__gte=debut, debut__lt=fin_demain)  # both days: the index
        .filter(
            Q(a_moi, debut__gte=debut, debut__lt=fin) | Q(a_preparer, debut__gte=fin, debut__lt=fin_demain)
        )
        .select_related("usager", "transport")
        .order_by("debut", "pk")[:20]
    )
    return [ElementDuJour(_libelle_du_jour(e, aujourd_hui), e.get_absolute_url()) for e in qs]


def transports_du_jour(etablissement: Etablissement, jour: datetime.date) -> list[Evenement]:
    """Every active event with a transport leaving that day from the ESMS, for its sheet (the worker's
    reading: the sheet is then served only to those who see the ESMS's agenda)."""
    debut, fin = journee(jour)
    return list(
        Evenement.objects.filter(
            organisme_id=etablissement.organisme_id,
            etablissement=etablissement,
            statut__in=("prevu", "fait"),
            transport__depart__gte=debut,
            transport__depart__lt=fin,
        )
        .select_related("usager", "partenaire", "transport", "transport__vehicule", "transport__conducteur")
        .order_by("transport__depart", "pk")
    )


def feuilles(user: Any, etablissement: Etablissement) -> QuerySet[Any]:
    from .models import FeuilleTransports

    return policy.scope(
        user, Droit.COORDINATION_VOIR, FeuilleTransports.objects.filter(etablissement=etablissement)
    )


def projets_de_l_etablissement(user: Any, etablissement: Etablissement) -> QuerySet[Any]:
    """The projets personnalisés of the ESMS that a meeting may prepare or an activity serve (not replaced),
    as the user may read them (``social``)."""
    from accompagnement.models import ProjetPersonnalise, StatutPP

    return (
        policy.scope_contenu(
            user,
            Droit.SOCIAL_VOIR,
            ProjetPersonnalise.objects.filter(etablissement=etablissement).exclude(statut=StatutPP.REMPLACE),
        )
        .select_related("usager")
        .order_by("usager__nom_naissance", "-version")
    )


def actions_de_l_etablissement(user: Any, etablissement: Etablissement) -> QuerySet[Any]:
    from accompagnement.models import Action

    return (
        Action.objects.filter(objectif__projet__in=projets_de_l_etablissement(user, etablissement))
        .select_related("objectif__projet__usager", "prestation")
        .order_by("objectif__projet__usager__nom_naissance", "pk")
    )


def personnes_de_l_etablissement(user: Any, etablissement: Etablissement, action: str) -> QuerySet[Any]:
    """The people accompanied today in the ESMS, as the user may act on them."""
    from usagers.models import Sejour, Usager

    presents = (
        Sejour.objects.filter(etablissement=etablissement).en_cours(timezone.localdate()).values("usager_id")
    )
    return policy.scope(
        user, action, Usager.objects.filter(fusionne_dans__isnull=True, pk__in=presents)
    ).order_by("nom_naissance", "pk")


def statistiques_activites(
    user: Any, etablissement: Etablissement, du: datetime.date, au: datetime.date
) -> dict[str, Any]:
    """Attendance at the ESMS's activities between two dates (included): per activity and per SERAFIN-PH
    prestation, sessions held and participations by attendance — aggregates only, in two queries."""
    from django.db.models import Count

    if etablissement.pk not in policy.etablissements_autorises(user, Droit.COORDINATION_VOIR):
        return {"activites": [], "prestations": []}
    debut, _ = journee(du)
    _, fin = journee(au)
    seances = Evenement.objects.filter(
        organisme_id=user.organisme_id,
        etablissement=etablissement,
        genre=GenreEvenement.ACTIVITE,
        debut__gte=debut,
        debut__lt=fin,
    ).exclude(statut__in=("annule", "reporte"))
    compte = {
        p: Count("participations", filter=Q(participations__presence=p))
        for p in ("present", "absent", "excuse", "inscrit")
    }
    lignes = seances.values("titre").annotate(seances=Count("pk", distinct=True), **compte).order_by("titre")
    activites: list[dict[str, Any]] = [dict(ligne) for ligne in lignes]
    for ligne in activites:
        notes = ligne["present"] + ligne["absent"] + ligne["excuse"]
        ligne["taux"] = round(100 * ligne["present"] / notes) if notes else None
    prestations = list(
        Participation.objects.filter(evenement__in=seances, presence="present")
        .values("prestation__code", "prestation__libelle")
        .annotate(presences=Count("pk"), personnes=Count("usager", distinct=True))
        .order_by("prestation__code")
    )
    return {"activites": activites, "prestations": prestations}


def participations_aux_actions(user: Any, projet: Any) -> dict[int, str]:
    """For the PP page (``accompagnement.registre_projet``): per action, the attendance at the activities
    that serve it ("Activités : 5 présences sur 7 séances, dernière le 12/11/2026"), in one query."""
    from django.db.models import Count, Max

    if projet.etablissement_id not in policy.etablissements_autorises(user, Droit.COORDINATION_VOIR):
        return {}
    lignes = (
        Participation.objects.filter(
            organisme_id=projet.organisme_id, usager_id=projet.usager_id, action__objectif__projet=projet
        )
        .exclude(evenement__statut__in=("annule", "reporte"))
        .values("action_id")
        .annotate(
            seances=Count("pk", filter=Q(presence__in=("present", "absent", "excuse"))),
            presences=Count("pk", filter=Q(presence="present")),
            derniere=Max("evenement__debut", filter=Q(presence="present")),
        )
    )
    textes = {}
    for ligne in lignes:
        texte = f"Activités : {ligne['presences']} présence{'s' if ligne['presences'] > 1 else ''} sur {ligne['seances']} séance{'s' if ligne['seances'] > 1 else ''}"
        if ligne["derniere"]:
            texte += f", dernière le {timezone.localtime(ligne['derniere']):%d/%m/%Y}"
        textes[ligne["action_id"]] = texte
    return textes


def professionnels_visibles(user: Any) -> QuerySet[Any]:
    """The professionals whose agenda ``user`` may open: those habilitated today in an ESMS where ``user``
    sees the agenda (their events are then filtered event by event, as always)."""
    autorises = policy.etablissements_autorises(user, Droit.COORDINATION_VOIR)
    habilites = (
        Habilitation.objects.filter(organisme_id=user.organisme_id, etablissement_id__in=autorises)
        .en_cours(timezone.localdate())
        .values("professionnel_id")
    )
    return get_user_model().objects.filter(organisme_id=user.organisme_id, is_active=True, pk__in=habilites)


def proches_invitables(user: Any, evenement: Evenement) -> QuerySet[Any]:
    """The relatives of the person a meeting is about, if ``user`` may read the person's entourage."""
    from usagers.models import Proche

    usager = evenement.usager
    if usager is None or not policy.can(user, Droit.ADMINISTRATIF_VOIR, usager):
        return Proche.objects.none()
    return Proche.objects.filter(organisme_id=user.organisme_id, usager=usager).order_by("nom")
