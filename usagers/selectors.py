"""Read paths of the dossier usager: duplicates, search, the dossier page."""

from __future__ import annotations

import datetime
import re

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from habilitations import policy
from habilitations.roles import Droit

from .ins import normaliser_matricule
from .models import DossierAdministratif, Sejour, Usager
from .normalisation import normaliser_nom


def dossier_administratif_de(usager: Usager) -> DossierAdministratif | None:
    """The administrative record of a person already looked up through the policy (``usager_ou_404``)."""
    return DossierAdministratif.objects.filter(organisme_id=usager.organisme_id, usager=usager).first()


def sejour_dans(usager: Usager, etablissement, jour: datetime.date) -> Sejour | None:
    """The usager's séjour in ``etablissement`` covering ``jour`` (with its unit), if any."""
    return (
        Sejour.objects.filter(usager=usager, etablissement=etablissement, date_entree__lte=jour)
        .exclude(date_sortie__lt=jour)
        .select_related("unite")
        .first()
    )


def exiger_sejour(usager: Usager, etablissement, jour: datetime.date) -> Sejour:
    """The séjour covering ``jour``, or the French error every write on the dossier's content gives."""
    from django.core.exceptions import ValidationError

    sejour = sejour_dans(usager, etablissement, jour)
    if sejour is None:
        raise ValidationError(
            f"{usager} n'est pas accompagné(e) par {etablissement} à cette date ({jour:%d/%m/%Y})."
        )
    return sejour


def etablissements_du_dossier(user, usager: Usager, action: str) -> list:
    """ESMS where the usager is accompanied today and where ``user`` may perform ``action`` (the choices of
    "which ESMS" on a form of the dossier), by name."""
    from django.utils import timezone

    from dui.models import Etablissement

    jour = timezone.localdate()
    ids = (
        Sejour.objects.filter(usager=usager, date_entree__lte=jour)
        .exclude(date_sortie__lt=jour)
        .values("etablissement_id")
    )
    return list(policy.scope(user, action, Etablissement.objects.filter(pk__in=ids)).order_by("nom"))


_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _mot_entier(valeur: str) -> str:
    return rf"(^| ){re.escape(valeur)}( |$)"


def doublons_probables(organisme_id: int, usager: Usager) -> QuerySet[Usager]:
    """Same birth date, and the same birth name and first name as whole words once accents, case and
    hyphens are ignored — across the whole organisme (identitovigilance is not limited to one's
    habilitations). A name or first name without a letter matches nothing: "-" must not list everybody
    born that day."""
    nom = normaliser_nom(usager.nom_naissance)
    prenom = normaliser_nom(usager.premier_prenom)
    if not any(c.isalpha() for c in nom) or not any(c.isalpha() for c in prenom):
        return Usager.objects.none()
    qs = Usager.objects.filter(
        organisme_id=organisme_id, date_naissance=usager.date_naissance, fusionne_dans__isnull=True
    )
    if usager.pk:
        qs = qs.exclude(pk=usager.pk)
    return qs.filter(nom_recherche__regex=_mot_entier(nom)).filter(nom_recherche__regex=_mot_entier(prenom))


def identifier_strictement(
    organisme_id: int,
    *,
    matricule_ins: str = "",
    nom_naissance: str = "",
    premier_prenom: str = "",
    date_naissance: datetime.date | None = None,
) -> QuerySet[Usager]:
    """The dossiers (not merged) that the matricule INS, or the birth name + first name + birth date as
    whole words, designate within the organisme — for a break-the-glass or an exception, never a list."""
    qs = Usager.objects.filter(organisme_id=organisme_id, fusionne_dans__isnull=True)
    if matricule_ins:
        return qs.filter(matricule_ins=normaliser_matricule(matricule_ins))
    if date_naissance is None:
        return qs.none()
    return doublons_probables(
        organisme_id,
        Usager(nom_naissance=nom_naissance, premier_prenom=premier_prenom, date_naissance=date_naissance),
    )


_TRIGRAM: dict[str, bool] = {}


def _trigram_disponible() -> bool:
    """Whether pg_trgm is installed in this database (asked once per process and database)."""
    nom = connection.settings_dict["NAME"]
    if nom not in _TRIGRAM:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            _TRIGRAM[nom] = cursor.fetchone() is not None
    return _TRIGRAM[nom]


def rechercher(user, texte: str, limite: int = 20) -> QuerySet[Usager]:
    """Usagers the user may see whose name resembles ``texte`` (typo-tolerant, best matches first), or
    born on a date (``jj/mm/aaaa``), or with this matricule INS; their séjours are prefetched."""
    texte = (texte or "").replace("\x00", "").strip()[:100]
    qs = avec_sejours(
        policy.scope(user, Droit.ADMINISTRATIF_VOIR, Usager.objects.filter(fusionne_dans__isnull=True))
    )
    if not texte:
        return qs.none()
    date = _DATE.match(texte)
    if date:
        try:
            jour = datetime.date(int(date.group(3)), int(date.group(2)), int(date.group(1)))
        except ValueError:
            return qs.none()
        return qs.filter(date_naissance=jour)[:limite]
    matricule = normaliser_matricule(texte)
    if len(matricule) == 15 and matricule[:13].replace("A", "").replace("B", "").isdigit():
        return qs.filter(matricule_ins=matricule)[:limite]
    terme = normaliser_nom(texte)
    if len(terme) < 2:
        return qs.none()
    if _trigram_disponible():
        return (
            qs.annotate(score=TrigramWordSimilarity(terme, "nom_recherche"))
            .filter(Q(score__gte=0.4) | Q(nom_recherche__contains=terme))
            .order_by("-score", "nom_naissance")[:limite]
        )
    return qs.filter(nom_recherche__contains=terme)[:limite]


def avec_sejours(qs: QuerySet[Usager]) -> QuerySet[Usager]:
    return qs.prefetch_related(
        Prefetch("sejours", queryset=Sejour.objects.select_related("etablissement", "unite"))
    )


def occupation(etablissement, du: datetime.date, au: datetime.date) -> list[dict]:
    """Per day: séjours in progress (inscrits), absents by motif, présents, and the occupancy rate
    présents / capacité. One SQL query, whatever the number of séjours."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT j::date,
                   count(DISTINCT s.id) AS inscrits,
                   count(DISTINCT s.id) FILTER (WHERE a.motif = 'hospitalisation') AS hospitalises,
                   count(DISTINCT s.id) FILTER (WHERE a.id IS NOT NULL AND a.motif <> 'hospitalisation') AS autres_absents
            FROM generate_series(%s::date, %s::date, interval '1 day') j
            LEFT JOIN usagers_sejour s
                   ON s.organisme_id = %s AND s.etablissement_id = %s
                  AND s.date_entree <= j AND (s.date_sortie IS NULL OR s.date_sortie >= j)
            LEFT JOIN usagers_absence a
                   ON a.sejour_id = s.id AND a.debut <= j AND (a.fin IS NULL OR a.fin >= j)
            GROUP BY j ORDER BY j""",
            [du, au, etablissement.organisme_id, etablissement.pk],
        )
        lignes = []
        for jour, inscrits, hospitalises, autres in cursor.fetchall():
            presents = inscrits - hospitalises - autres
            taux = round(100 * presents / etablissement.capacite, 1) if etablissement.capacite else None
            lignes.append(
                {
                    "jour": jour,
                    "inscrits": inscrits,
                    "hospitalises": hospitalises,
                    "autres_absents": autres,
                    "presents": presents,
                    "taux": taux,
                }
            )
        return lignes
