"""The one policy module: ``can(user, action, obj)`` for one object and ``scope(user, action, qs)`` for
querysets, both answered from the same declarations (``habilitations.roles``) and the same data.

For a professional and an action, the **ESMS where the action is allowed** are computed once per
request (``etablissements_autorises``): those of their active habilitations whose role includes the
action, plus the ESMS-level GRANT exceptions of the category, minus the ESMS-level DENY exceptions
(DENY always wins). An object is allowed when:

1. it belongs to the professional's organisme;
2. there is no object-level DENY exception (``refuser_<catégorie>``) on it;
3. and one of these holds: it belongs to an allowed ESMS (``TenantModel.etablissement_ids`` /
   ``q_dans_etablissements``: one ESMS for most rows, the ESMS of its séjours for a usager); an
   object-level GRANT (``accorder_<catégorie>``) exists; the professional is an OG administrator and the
   category is ``administration``; an active break-the-glass access opens consultation (``voir``) of
   the care record categories on it (not where an ESMS-level DENY applies).

``scope`` expresses the same rules in SQL so that lists never load what they cannot show.
"""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import CharField, Model, Q, QuerySet, Value
from django.utils import timezone

from dui.models import Etablissement

from .models import BrisDeGlace, ExceptionAccesEtablissement, Habilitation
from .roles import CATEGORIES_BRIS_DE_GLACE, VOIR, Categorie, Droit, actions_du_role, valider_action

M = TypeVar("M", bound=Model)

# Models protected by object-level exceptions → their guardian direct foreign-key table.
EXCEPTION_MODELS: dict[type[Model], Any] = {  # model → its guardian direct-FK exception model
    Etablissement: ExceptionAccesEtablissement,
}


def register_exception_model(model: type[Model], exception_model: Any) -> None:
    EXCEPTION_MODELS[model] = exception_model


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.organisme_id)


def _today() -> datetime.date:
    return timezone.localdate()


def habilitations_actives(user: Any, jour: datetime.date | None = None) -> QuerySet[Habilitation]:
    jour = jour or _today()
    if not _active(user):
        return Habilitation.objects.none()
    return Habilitation.objects.filter(organisme_id=user.organisme_id, professionnel_id=user.pk).en_cours(
        jour
    )


def _cache(user: Any) -> dict[str, Any]:
    cache = getattr(user, "_dui_policy", None)
    if cache is None:
        cache = user._dui_policy = {}
    return cache


def oublier(user: Any) -> None:
    """Forget what was computed for this user in this request (after changing their rights): the rest of
    the request reads them from the database again."""
    if hasattr(user, "_dui_policy"):
        del user._dui_policy
    user._dui_droits_frais = False


# Rights per professional kept by the process between requests, keyed by (public id, ``droits_version``,
# day): the version is read with the professional at every request (``auth.EmailBackend.get_user`` marks
# such a fresh professional) and a trigger bumps it in the transaction that changes a habilitation, an
# exception or a break-the-glass access — so a change is seen by the very next request, in every process.
# The day is in the key because habilitations start and end by day; break-the-glass accesses are kept with
# their times and filtered at each use.
_DROITS_PROCESSUS: dict[tuple[Any, int, datetime.date], tuple[Any, ...]] = {}
_DROITS_PROCESSUS_MAX = 4096


def oublier_les_droits_gardes() -> None:
    """Empty the rights this process keeps (the next request of every professional reads them again): for
    the tests that count a first request's queries."""
    _DROITS_PROCESSUS.clear()


def _cle_processus(user: Any) -> tuple[Any, int, datetime.date] | None:
    if not getattr(user, "_dui_droits_frais", False):
        return None  # a professional loaded outside a request (a task, a test): read from the database
    return (user.public_id, user.droits_version, _today())


def _charger_droits(user: Any) -> None:
    """Everything the request's decisions start from, read in **one** query (a ``UNION ALL``): the user's
    active habilitations, their ESMS-level exceptions and their object-level exceptions on every protected
    model (a professional has few of them). Lists and lookups then say "these ids" in SQL instead of asking
    the exception tables in a subquery per row, and an object's decision reads no table."""
    cache = _cache(user)
    cle = _cle_processus(user)
    if cle is not None and cle in _DROITS_PROCESSUS:
        cache["roles"], cache["exceptions_etab"], cache["exceptions_objets"], cache["bdg_tous"] = (
            _DROITS_PROCESSUS[cle]
        )
        return
    roles: dict[int, set[str]] = {}
    exceptions: dict[str, set[int]] = {}
    objets: dict[tuple[str, str], set[int]] = {}
    texte = CharField()
    requetes: list[QuerySet[Any]] = [
        habilitations_actives(user)
        .annotate(genre=Value("", output_field=texte))
        .values_list("etablissement_id", "role", "genre")
    ]
    for model, exception_model in EXCEPTION_MODELS.items():
        label = "etablissement" if model is Etablissement else model._meta.label_lower
        requetes.append(
            exception_model.objects.filter(organisme_id=user.organisme_id, user_id=user.pk)
            .annotate(genre=Value(label, output_field=texte))
            .values_list("content_object_id", "permission__codename", "genre")
        )
    for objet_id, valeur, genre in requetes[0].union(*requetes[1:], all=True):
        if genre == "":
            roles.setdefault(objet_id, set()).add(valeur)
        elif genre == "etablissement":
            exceptions.setdefault(valeur, set()).add(objet_id)
        else:
            objets.setdefault((genre, valeur), set()).add(objet_id)
    bdg = (
        list(
            BrisDeGlace.objects.filter(
                organisme_id=user.organisme_id, professionnel_id=user.pk, expire_le__gt=timezone.now()
            ).order_by("expire_le")
        )
        if _active(user)
        else []
    )
    valeurs = (
        {etab: frozenset(r) for etab, r in roles.items()},
        {code: frozenset(ids) for code, ids in exceptions.items()},
        {code: frozenset(ids) for code, ids in objets.items()},
        tuple(bdg),
    )
    cache["roles"], cache["exceptions_etab"], cache["exceptions_objets"], cache["bdg_tous"] = valeurs
    if cle is not None:
        if len(_DROITS_PROCESSUS) >= _DROITS_PROCESSUS_MAX:
            _DROITS_PROCESSUS.clear()
        _DROITS_PROCESSUS[cle] = valeurs


def _exceptions_sur(user: Any, model: type[Model], codename: str) -> set[int]:
    """The pks of ``model`` on which the user holds the object-level exception ``codename``."""
    cache = _cache(user)
    if "exceptions_objets" not in cache:
        _charger_droits(user)
    return cache["exceptions_objets"].get((model._meta.label_lower, codename), set())  # type: ignore[no-any-return]


def bris_de_glace_en_cours(user: Any) -> list[BrisDeGlace]:
    """The user's active break-the-glass accesses, soonest expiry first (read with the rights: the banner of
    every page shows them, and the decisions on a person read them)."""
    cache = _cache(user)
    if "bdg_tous" not in cache:
        _charger_droits(user)
    maintenant = timezone.now()
    return [b for b in cache["bdg_tous"] if b.debut <= maintenant < b.expire_le]


def _bris_de_glace_ids(user: Any, model: type[Model]) -> set[Any]:
    """Public ids of the objects of ``model`` under an active break-the-glass of the user."""
    label = model._meta.label_lower
    return {b.objet_id for b in bris_de_glace_en_cours(user) if b.objet_type == label}


def roles_par_etablissement(user: Any) -> dict[int, set[str]]:
    """{etablissement_id: roles} of the user's active habilitations, cached on the user for the request."""
    cache = _cache(user)
    if "roles" not in cache:
        _charger_droits(user)
    resultat: dict[int, set[str]] = cache["roles"]
    return resultat


def actions_dans(user: Any, etablissement_id: int | None) -> set[str]:
    actions: set[str] = set()
    if etablissement_id is None:
        return actions
    for role in roles_par_etablissement(user).get(etablissement_id, ()):
        actions |= actions_du_role(role)
    return actions


def _exceptions_etablissement(user: Any) -> dict[str, set[int]]:
    """{codename: {etablissement ids}} of the user's ESMS-level exceptions (read with the roles)."""
    cache = _cache(user)
    if "exceptions_etab" not in cache:
        _charger_droits(user)
    resultat: dict[str, set[int]] = cache["exceptions_etab"]
    return resultat


def etablissements_refuses(user: Any, categorie: str) -> frozenset[int]:
    return frozenset(_exceptions_etablissement(user).get(f"refuser_{categorie}", ()))


def etablissements_autorises(user: Any, action: str) -> frozenset[int]:
    """The ESMS where ``user`` may perform ``action`` (habilitations + GRANT − DENY)."""
    categorie, _ = valider_action(action)
    if not _active(user):
        return frozenset()
    cache = _cache(user).setdefault("autorises", {})
    if action not in cache:
        if categorie == Categorie.ADMINISTRATION and user.est_admin_organisme:
            ids = set(
                Etablissement.objects.filter(organisme_id=user.organisme_id).values_list("pk", flat=True)
            )
        else:
            ids = {etab for etab in roles_par_etablissement(user) if action in actions_dans(user, etab)}
        ids |= _exceptions_etablissement(user).get(f"accorder_{categorie}", set())
        cache[action] = frozenset(ids - etablissements_refuses(user, categorie))
    autorises: frozenset[int] = cache[action]
    return autorises


def _exceptions_objet(user: Any, obj: Model) -> set[str]:
    if type(obj) not in EXCEPTION_MODELS or isinstance(obj, Etablissement):  # ESMS-level ones are in the sets
        return set()
    cache = _cache(user)
    if "exceptions_objets" not in cache:
        _charger_droits(user)
    label = obj._meta.label_lower
    return {
        codename
        for (genre, codename), ids in cache["exceptions_objets"].items()
        if genre == label and obj.pk in ids
    }


def bris_de_glace_actifs(user: Any, maintenant: datetime.datetime | None = None) -> QuerySet[BrisDeGlace]:
    maintenant = maintenant or timezone.now()
    if not _active(user):
        return BrisDeGlace.objects.none()
    return BrisDeGlace.objects.filter(
        organisme_id=user.organisme_id,
        professionnel_id=user.pk,
        debut__lte=maintenant,
        expire_le__gt=maintenant,
    )


def _objet(user: Any, obj: Model) -> tuple[set[int], set[str]]:
    """(ESMS of the object, its object-level exception codenames), once per object and request."""
    objets = _cache(user).setdefault("objets", {})
    cle = (obj._meta.label_lower, obj.pk)
    if cle not in objets:
        etabs = obj.etablissement_ids() if hasattr(obj, "etablissement_ids") else set()
        objets[cle] = (etabs, _exceptions_objet(user, obj))
    resultat: tuple[set[int], set[str]] = objets[cle]
    return resultat


def can(user: Any, action: str, obj: Model) -> bool:
    categorie, niveau = valider_action(action)
    if not _active(user) or getattr(obj, "organisme_id", None) != user.organisme_id:
        return False
    return _decider(user, obj, action, categorie, niveau)


def actions_sur(user: Any, obj: Model) -> frozenset[str]:
    """Every action ``user`` may perform on ``obj``, decided in one consultation (the dossier's tabs,
    banner and buttons read this decision instead of asking ``can`` once each)."""
    if not _active(user) or getattr(obj, "organisme_id", None) != user.organisme_id:
        return frozenset()
    return frozenset(
        action.value for action in Droit if _decider(user, obj, action.value, *valider_action(action.value))
    )


def _archive(obj: Any) -> bool:
    return getattr(obj, "archive_le", None) is not None


def _decider(user: Any, obj: Model, action: str, categorie: str, niveau: str) -> bool:
    if _archive(obj):  # an archived dossier: read-only, for the DPO only (rgpd app)
        return niveau == VOIR and bool(user.est_dpo) and categorie != Categorie.ADMINISTRATION
    etabs, exceptions = _objet(user, obj)
    if f"refuser_{categorie}" in exceptions:
        return False
    if f"accorder_{categorie}" in exceptions or etabs & etablissements_autorises(user, action):
        return True
    if categorie == Categorie.ADMINISTRATION and user.est_admin_organisme:
        return True
    if (
        niveau == VOIR
        and categorie in categories_bris_de_glace(user)
        and not etabs & etablissements_refuses(user, categorie)
    ):
        return _bris_de_glace_sur(user, obj)
    return False


def categories_bris_de_glace(user: Any) -> frozenset[str]:
    """What a break-the-glass opens to ``user``: consultation of the categories that one of their active
    roles reads somewhere — never more (an aide-soignant's break-the-glass does not open the medical
    record, a social worker's does not open the care record)."""
    cache = _cache(user)
    if "categories_bdg" not in cache:
        roles = {r for ensemble in roles_par_etablissement(user).values() for r in ensemble}
        lues = {action.partition(".")[0] for role in roles for action in actions_du_role(role)}
        cache["categories_bdg"] = frozenset(lues & set(CATEGORIES_BRIS_DE_GLACE))
    resultat: frozenset[str] = cache["categories_bdg"]
    return resultat


def _bris_de_glace_sur(user: Any, obj: Any) -> bool:
    """An active break-the-glass on ``obj`` (read from the request's list)."""
    return obj.public_id in _bris_de_glace_ids(user, type(obj))


def _exception_objet_q(user: Any, model: type[Model], codename: str, champ: str = "pk") -> Q | None:
    """SQL: the row is one of those on which the user holds ``codename`` (None when there is none)."""
    if model not in EXCEPTION_MODELS or model is Etablissement:
        return None
    ids = _exceptions_sur(user, model, codename)
    return Q(**{f"{champ}__in": sorted(ids)}) if ids else None


def scope(user: Any, action: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` restricted, in SQL, to the rows on which ``user`` may perform ``action``."""
    categorie, niveau = valider_action(action)
    model = queryset.model
    if not _active(user):
        return queryset.none()
    queryset = queryset.filter(organisme_id=user.organisme_id)
    q_etabs = getattr(model, "q_dans_etablissements", None)

    if categorie == Categorie.ADMINISTRATION and user.est_admin_organisme:
        allowed = None  # the whole organisme
    else:
        allowed = (q_etabs(etablissements_autorises(user, action)) if q_etabs else None) or Q(pk__in=[])
        grant = _exception_objet_q(user, model, f"accorder_{categorie}")
        if grant is not None:
            allowed |= grant
        ouverts = _bris_de_glace_ids(user, model) if niveau == VOIR else set()
        if ouverts and categorie in categories_bris_de_glace(user):
            bdg = Q(public_id__in=sorted(ouverts))
            refuses = etablissements_refuses(user, categorie)
            if refuses and q_etabs and q_etabs(refuses) is not None:
                bdg &= ~q_etabs(refuses)
            allowed |= bdg
    if model is _usager_model():  # archived dossiers: read-only, for the DPO only
        archive = Q(archive_le__isnull=False)
        if niveau == VOIR and user.est_dpo and categorie != Categorie.ADMINISTRATION:
            allowed = archive if allowed is None else (allowed & ~archive) | archive
        else:
            allowed = ~archive if allowed is None else allowed & ~archive
    if allowed is not None:
        queryset = queryset.filter(allowed)
    deny = _exception_objet_q(user, model, f"refuser_{categorie}")
    if deny is not None:
        queryset = queryset.exclude(deny)
    return queryset


# --- Content of a dossier ------------------------------------------------------------------------------
# Rows that belong to a usager *and* to one ESMS (a projet personnalisé, an evaluation, an observation, a
# document…): the professional must be allowed on the usager (its object-level exceptions, DENY first)
# and on the row's own ESMS — a usager followed in two ESMS does not open one ESMS's record to the
# other's team. An object-level GRANT or an active break-the-glass on the usager opens all of its content
# (consultation only for break-the-glass, as on the usager itself).


def _usager_model() -> Any:
    from django.apps import apps

    return apps.get_model("usagers", "Usager")


def _ouvert_sur_usager(user: Any, action: str, id_ref: str, public_id_ref: str) -> Q:
    """SQL: an object-level GRANT, or an active break-the-glass (``voir`` only), on the usager."""
    categorie, niveau = valider_action(action)
    usager_model = _usager_model()
    condition = Q(pk__in=[])
    if niveau == VOIR and user.est_dpo:  # an archived dossier's content, for the DPO (read-only)
        prefixe = "" if id_ref == "pk" else id_ref.removesuffix("_id") + "__"
        condition |= Q(**{f"{prefixe}archive_le__isnull": False})
    grant = _exception_objet_q(user, usager_model, f"accorder_{categorie}", champ=id_ref)
    if grant is not None:
        condition |= grant
    ouverts = _bris_de_glace_ids(user, usager_model) if niveau == VOIR else set()
    if ouverts and categorie in categories_bris_de_glace(user):
        condition |= Q(**{f"{public_id_ref}__in": sorted(ouverts)})
    return condition


def verifier_categorie(action: str, modele: type[Model]) -> None:
    """In the tests (and in development): the action's category is one the model declares
    (``TenantModel.categorie_donnees`` / ``categories_admises``), so a right named wrongly fails there."""
    if not settings.DUI_VERIFIER_CATEGORIES:
        return
    categorie, _ = valider_action(action)
    declaree = getattr(modele, "categorie_donnees", None)
    admises = getattr(modele, "categories_admises", ())
    if declaree is None and not admises:
        raise ImproperlyConfigured(
            f"{modele.__name__} ne déclare pas sa catégorie de données (categorie_donnees)."
        )
    if categorie != declaree and categorie not in admises:
        raise ImproperlyConfigured(
            f"{action} sur {modele.__name__}, dont la catégorie est {declaree} (admises : {', '.join(admises)})."
        )


def scope_contenu(user: Any, action: str, queryset: QuerySet[M], usager_field: str = "usager") -> QuerySet[M]:
    """``queryset`` (a model with ``usager`` and ``etablissement``) restricted, in SQL, to the rows on
    which ``user`` may perform ``action``."""
    verifier_categorie(action, queryset.model)
    if not _active(user):
        return queryset.none()
    usagers = scope(user, action, _usager_model().objects.all())
    return queryset.filter(
        organisme_id=user.organisme_id, **{f"{usager_field}__in": usagers.values("pk")}
    ).filter(
        Q(etablissement_id__in=etablissements_autorises(user, action))
        | _ouvert_sur_usager(user, action, f"{usager_field}_id", f"{usager_field}__public_id")
    )


def can_contenu(user: Any, action: str, obj: Any, usager_field: str = "usager") -> bool:
    """``can`` for one row of a dossier's content (same rules as ``scope_contenu``)."""
    verifier_categorie(action, type(obj))
    usager = getattr(obj, usager_field)
    if getattr(obj, "organisme_id", None) != getattr(user, "organisme_id", None) or not can(
        user, action, usager
    ):
        return False
    if obj.etablissement_id in etablissements_autorises(user, action):
        return True
    return _ouvert_par_exception(user, action, usager)


def can_dans_etablissement(user: Any, action: str, usager: Any, etablissement: Any) -> bool:
    """``user`` may perform ``action`` on ``usager`` *within* ``etablissement`` (writing a row of the
    dossier's content that will belong to that ESMS): both in the user's organisme, the action allowed
    on the usager and in that ESMS."""
    return bool(
        usager.organisme_id == getattr(user, "organisme_id", None)
        and etablissement.organisme_id == user.organisme_id
        and can(user, action, usager)
        and etablissement.pk in etablissements_autorises(user, action)
    )


def _ouvert_par_exception(user: Any, action: str, usager: Any) -> bool:
    """Python twin of ``_ouvert_sur_usager`` for one usager (cached for the request)."""
    categorie, niveau = valider_action(action)
    if _archive(usager):
        return niveau == VOIR and bool(user.est_dpo)
    if f"accorder_{categorie}" in _exceptions_objet(user, usager):
        return True
    if niveau != VOIR or categorie not in categories_bris_de_glace(user):
        return False
    return usager.public_id in _bris_de_glace_ids(user, type(usager))


def scope_contenu_du_dossier(
    user: Any, action: str, queryset: QuerySet[M], usager: Any, usager_field: str = "usager"
) -> QuerySet[M]:
    """``scope_contenu`` for the rows of one dossier: the same rules, decided on the usager once instead
    of in a subquery per row (lists of a dossier's tabs)."""
    verifier_categorie(action, queryset.model)
    if not can(user, action, usager):
        return queryset.none()
    queryset = queryset.filter(organisme_id=user.organisme_id, **{usager_field: usager})
    if _ouvert_par_exception(user, action, usager):
        return queryset
    return queryset.filter(etablissement_id__in=etablissements_autorises(user, action))
