"""Read paths of the exchanges: what a professional sees of the outbox, and the usage indicators."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from habilitations import policy
from habilitations.access import for_tenant
from habilitations.roles import Droit

from .models import BoiteMssante, Envoi, StatutEnvoi, TypeEnvoi


def envois_visibles(user, queryset: QuerySet[Envoi] | None = None) -> QuerySet[Envoi]:
    """Exchanges of the ESMS where ``user`` has ``documents.voir``, for the dossiers open to them (a dossier
    closed to them by an exception stays hidden here too). An exchange shows the usager's name and the
    document's title, never its content."""
    queryset = Envoi.objects.all() if queryset is None else queryset
    return policy.scope_contenu(user, Droit.DOCUMENTS_VOIR, queryset)


def envois_de_la_page(user, ids: list[int]) -> list[Envoi]:
    """The exchanges with these ids (a page already chosen under the policy by ``envois_visibles``), in that
    order, with what the list shows of them."""
    lignes = Envoi.objects.filter(organisme_id=user.organisme_id, id__in=ids).select_related(
        "usager", "document", "etablissement", "demande_par"
    )
    rang = {id_: i for i, id_ in enumerate(ids)}
    return sorted(lignes, key=lambda e: rang[e.id])


def envois_du_dossier(user, usager) -> QuerySet[Envoi]:
    return envois_visibles(user, Envoi.objects.filter(usager=usager)).select_related(
        "document", "etablissement", "demande_par"
    )


def indicateurs(etablissement, depuis: datetime.date, jour: datetime.date | None = None) -> dict:
    """ESMS numérique usage indicators, computed from the data: active DUIs (persons present today, with a
    dossier), share of qualified identities among them, documents sent to the DMP by type and MSSanté
    messages since ``depuis``, share of present persons with a PP up to date (validated, bilan not late)."""
    from accompagnement.models import ProjetPersonnalise, StatutPP
    from documents.models import TypeDocument
    from usagers.models import Sejour, StatutIdentite, Usager

    jour = jour or timezone.localdate()
    presents = Usager.objects.filter(
        fusionne_dans__isnull=True,
        pk__in=Sejour.objects.filter(etablissement=etablissement).en_cours(jour).values("usager_id"),
    )
    comptes = presents.aggregate(
        actifs=Count("pk"),
        qualifies=Count("pk", filter=Q(statut_identite=StatutIdentite.QUALIFIEE)),
        pp_a_jour=Count(
            "pk",
            filter=Q(
                pk__in=ProjetPersonnalise.objects.filter(
                    etablissement=etablissement, statut=StatutPP.EN_OEUVRE, echeance_bilan__gte=jour
                ).values("usager_id")
            ),
        ),
    )
    depuis_dt = timezone.make_aware(datetime.datetime.combine(depuis, datetime.time.min))
    envoyes = Envoi.objects.filter(
        etablissement=etablissement, statut=StatutEnvoi.ENVOYE, envoye_le__gte=depuis_dt
    )
    par_type = dict(
        envoyes.filter(type_envoi=TypeEnvoi.DMP)
        .values_list("document__type_document")
        .annotate(n=Count("pk"))
        .values_list("document__type_document", "n")
    )
    en_souffrance = Envoi.objects.filter(etablissement=etablissement, statut=StatutEnvoi.ECHEC).count()

    def part(n):
        return round(100 * n / comptes["actifs"]) if comptes["actifs"] else None

    return {
        "jour": jour,
        "depuis": depuis,
        "actifs": comptes["actifs"],
        "qualifies": comptes["qualifies"],
        "part_qualifies": part(comptes["qualifies"]),
        "pp_a_jour": comptes["pp_a_jour"],
        "part_pp_a_jour": part(comptes["pp_a_jour"]),
        "dmp_par_type": [
            (TypeDocument(t).label, par_type.get(t, 0))
            for t in (TypeDocument.PROJET_PERSONNALISE, TypeDocument.DLU, TypeDocument.CR_ADMINISTRATION)
        ],
        "dmp_total": sum(par_type.values()),
        "mssante": envoyes.filter(type_envoi=TypeEnvoi.MSSANTE).count(),
        "fhir": envoyes.filter(type_envoi=TypeEnvoi.FHIR).count(),
        "en_echec": en_souffrance,
        **connexions_psc(etablissement, depuis_dt),
    }


def connexions_psc(etablissement, depuis: datetime.datetime) -> dict:
    """Programme indicator: the share of the logins of the ESMS's professionals (an habilitation there not
    ended before ``depuis``) made through Pro Santé Connect since ``depuis``."""
    from habilitations.models import EvenementAuthentification, Habilitation, MethodeAuth, TypeEvenementAuth

    professionnels = Habilitation.objects.filter(etablissement=etablissement).filter(
        Q(fin__isnull=True) | Q(fin__gte=depuis.date())
    )
    comptes = (
        EvenementAuthentification.objects.filter(
            organisme_id=etablissement.organisme_id,
            type_evenement=TypeEvenementAuth.SUCCES,
            horodatage__gte=depuis,
            professionnel_id__in=professionnels.values("professionnel_id"),
        )
        .exclude(
            methode=MethodeAuth.PIN  # taking a shared tablet back within a shift is not a new authentication
        )
        .aggregate(total=Count("pk"), psc=Count("pk", filter=Q(methode=MethodeAuth.PSC)))
    )
    return {
        "connexions": comptes["total"],
        "connexions_psc": comptes["psc"],
        "part_psc": round(100 * comptes["psc"] / comptes["total"]) if comptes["total"] else None,
    }


def boites_mssante(user, etablissements) -> list:
    """The MSSanté mailboxes of these ESMS of the user's organisme."""
    return list(
        for_tenant(user, BoiteMssante.objects.filter(etablissement__in=etablissements))
        .select_related("etablissement", "releve")
        .order_by("etablissement__nom")
    )


def boite_mssante(user, etablissement):
    return (
        for_tenant(user, BoiteMssante.objects.filter(etablissement=etablissement))
        .select_related("releve")
        .first()
    )
