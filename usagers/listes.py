"""The persons accompanied today as an exportable list (``dui.listes``): one row per séjour in progress in an
ESMS where the user may see the administrative record."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from dui.listes import Liste, declarer, parametre_etablissement
from habilitations import policy
from habilitations.roles import Droit

from .models import Sejour


def _lignes(user: Any, parametres: dict[str, Any]):
    aujourd_hui = timezone.localdate()
    return policy.scope(
        user,
        Droit.ADMINISTRATIF_VOIR,
        Sejour.objects.filter(
            Q(date_sortie__isnull=True) | Q(date_sortie__gte=aujourd_hui), date_entree__lte=aujourd_hui
        ),
    ).select_related("usager", "etablissement", "unite")


def _ligne(s: Sejour) -> list[Any]:
    u = s.usager
    return [
        s.etablissement.nom, s.unite.nom if s.unite else "", s.chambre, u.nom_naissance, u.nom_usage,
        u.prenoms_naissance, u.date_naissance, u.get_sexe_display(), s.get_mode_accueil_display(), s.date_entree,
        u.get_statut_identite_display(),
    ]  # fmt: skip


def declarer_listes() -> None:
    declarer(
        Liste(
            code="personnes_accompagnees",
            titre="Personnes accompagnées",
            colonnes=(
                "Établissement",
                "Unité",
                "Chambre / place",
                "Nom de naissance",
                "Nom d'usage",
                "Prénoms",
                "Date de naissance",
                "Sexe",
                "Mode d'accueil",
                "Entrée",
                "Statut de l'identité",
            ),  # fmt: skip
            lignes=_lignes,
            ligne=_ligne,
            parametres=parametre_etablissement,
            autorise=lambda user: bool(policy.etablissements_autorises(user, Droit.ADMINISTRATIF_VOIR)),
            ordre=10,
        )
    )
    declarer_occupation()


def _parametres_occupation(user: Any, donnees: dict[str, Any]) -> dict[str, Any]:
    import datetime

    from django.core.exceptions import ValidationError

    parametres = parametre_etablissement(user, donnees)
    if not parametres:
        raise ValidationError("Choisissez l'établissement dont exporter l'occupation.")
    mois = (donnees.get("mois") or "").strip()
    try:
        debut = datetime.date.fromisoformat(f"{mois}-01") if mois else timezone.localdate().replace(day=1)
    except ValueError:
        raise ValidationError("Mois invalide : choisissez-le dans le calendrier (aaaa-mm).") from None
    if debut.year < 2000 or debut > timezone.localdate():
        raise ValidationError("Choisissez un mois écoulé ou le mois en cours.")
    return {**parametres, "mois": f"{debut:%Y-%m}"}


def _occupation(user: Any, parametres: dict[str, Any]) -> list[list[Any]]:
    import calendar
    import datetime

    from django.core.exceptions import PermissionDenied

    from dui.models import Etablissement

    from .selectors import occupation

    etab = Etablissement.objects.filter(
        organisme_id=user.organisme_id,
        public_id=parametres["etablissement"],
        pk__in=policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR),
    ).first()
    if etab is None:
        raise PermissionDenied
    debut = datetime.date.fromisoformat(f"{parametres['mois']}-01")
    fin = debut.replace(day=calendar.monthrange(debut.year, debut.month)[1])
    return [
        [etab.nom, j["jour"], j["inscrits"], j["hospitalises"], j["autres_absents"], j["presents"], etab.capacite,
         j["taux"]]
        for j in occupation(etab, debut, fin)
    ]  # fmt: skip


def declarer_occupation() -> None:
    declarer(
        Liste(
            code="occupation",
            titre="Occupation de l'établissement",
            colonnes=(
                "Établissement",
                "Jour",
                "Inscrits",
                "Hospitalisés",
                "Autres absents",
                "Présents",
                "Capacité",
                "Taux d'occupation (%)",
            ),  # fmt: skip
            lignes=None,
            ligne=None,
            calcul=_occupation,
            parametres=_parametres_occupation,
            autorise=lambda user: bool(policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR)),
            ordre=40,
        )
    )
