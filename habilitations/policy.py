"""The one policy module: ``can(user, action, obj)`` for one object and ``scope(user, action, qs)`` for
querysets, both answered from the same declarations (``habilitations.roles``) and the same data:

1. the object must belong to the professional's organisme;
2. an object-level DENY exception (django-guardian, ``refuser_<catégorie>``) on the object or on its
   établissement always wins;
3. an object-level GRANT (``accorder_<catégorie>``) allows the category;
4. otherwise an active habilitation in the object's établissement whose role includes the action;
5. an OG administrator has the ``administration`` category on the whole organisme;
6. an active break-the-glass access opens consultation (``voir``) of the care record categories.

``scope`` expresses the same rules in SQL so that lists never load what they cannot show.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from dui.models import Etablissement

from .models import BrisDeGlace, ExceptionAccesBase, ExceptionAccesEtablissement, Habilitation
from .roles import (
    CATEGORIES_BRIS_DE_GLACE,
    VOIR,
    Categorie,
    actions_du_role,
    roles_ayant,
    valider_action,
)

# Models protected by object-level exceptions → their guardian direct foreign-key table.
EXCEPTION_MODELS: dict[type[Model], type[ExceptionAccesBase]] = {
    Etablissement: ExceptionAccesEtablissement,
}


def register_exception_model(model: type[Model], exception_model: type[ExceptionAccesBase]) -> None:
    EXCEPTION_MODELS[model] = exception_model


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.organisme_id)


def _today() -> datetime.date:
    return timezone.localdate()


def habilitations_actives(user, jour: datetime.date | None = None) -> QuerySet[Habilitation]:
    jour = jour or _today()
    if not _active(user):
        return Habilitation.objects.none()
    return Habilitation.objects.filter(
        organisme_id=user.organisme_id, professionnel_id=user.pk, debut__lte=jour
    ).filter(Q(fin__isnull=True) | Q(fin__gte=jour))


def roles_par_etablissement(user) -> dict[int, set[str]]:
    """{etablissement_id: roles} of the user's active habilitations, cached on the user for the request."""
    cached = getattr(user, "_dui_roles", None)
    if cached is None:
        cached = {}
        for etab_id, role in habilitations_actives(user).values_list("etablissement_id", "role"):
            cached.setdefault(etab_id, set()).add(role)
        user._dui_roles = cached
    return cached


def actions_dans(user, etablissement_id: int | None) -> set[str]:
    actions: set[str] = set()
    for role in roles_par_etablissement(user).get(etablissement_id, ()):
        actions |= actions_du_role(role)
    return actions


def etablissement_id_of(obj: Model) -> int | None:
    path = getattr(obj, "etablissement_path", None)
    if path is None:
        return None
    if path == "":
        return obj.pk
    target = obj
    *parents, last = path.split("__")
    for part in parents:
        target = getattr(target, part)
    return getattr(target, f"{last}_id")


def _exception_codes(user, model: type[Model], pk: int | None) -> set[str]:
    exception_model = EXCEPTION_MODELS.get(model)
    if exception_model is None or pk is None:
        return set()
    return set(
        exception_model.objects.filter(user_id=user.pk, content_object_id=pk).values_list(
            "permission__codename", flat=True
        )
    )


def _exceptions(user, obj: Model) -> set[str]:
    codes = _exception_codes(user, type(obj), obj.pk)
    etab_id = etablissement_id_of(obj)
    if etab_id is not None and not isinstance(obj, Etablissement):
        codes |= _exception_codes(user, Etablissement, etab_id)
    return codes


def bris_de_glace_actifs(user, maintenant: datetime.datetime | None = None) -> QuerySet[BrisDeGlace]:
    maintenant = maintenant or timezone.now()
    if not _active(user):
        return BrisDeGlace.objects.none()
    return BrisDeGlace.objects.filter(
        organisme_id=user.organisme_id, professionnel_id=user.pk, debut__lte=maintenant, expire_le__gt=maintenant
    )


def can(user, action: str, obj: Model) -> bool:
    categorie, niveau = valider_action(action)
    if not _active(user) or getattr(obj, "organisme_id", None) != user.organisme_id:
        return False
    exceptions = _exceptions(user, obj)
    if f"refuser_{categorie}" in exceptions:
        return False
    if f"accorder_{categorie}" in exceptions:
        return True
    if action in actions_dans(user, etablissement_id_of(obj)):
        return True
    if categorie == Categorie.ADMINISTRATION and user.est_admin_organisme:
        return True
    if niveau == VOIR and categorie in CATEGORIES_BRIS_DE_GLACE:
        return bris_de_glace_actifs(user).filter(
            objet_type=obj._meta.label_lower, objet_id=obj.public_id
        ).exists()
    return False


def _etab_lookup(model: type[Model]) -> str | None:
    path = getattr(model, "etablissement_path", None)
    if path is None:
        return None
    return "pk" if path == "" else f"{path}_id"


def _exception_filters(user, model: type[Model], etab_lookup: str | None, codename: str) -> list[Exists]:
    """SQL for "an exception ``codename`` exists for this row, or for the row's établissement"."""
    targets = [(model, "pk")]
    if etab_lookup and model is not Etablissement:
        targets.append((Etablissement, etab_lookup))
    filters = []
    for target, outer in targets:
        exception_model = EXCEPTION_MODELS.get(target)
        if exception_model is not None:
            filters.append(Exists(exception_model.objects.filter(
                user_id=user.pk, permission__codename=codename, content_object_id=OuterRef(outer))))
    return filters


def scope(user, action: str, queryset: QuerySet) -> QuerySet:
    """``queryset`` restricted, in SQL, to the rows on which ``user`` may perform ``action``."""
    categorie, niveau = valider_action(action)
    model = queryset.model
    if not _active(user):
        return queryset.none()
    queryset = queryset.filter(organisme_id=user.organisme_id)
    etab_lookup = _etab_lookup(model)

    if categorie == Categorie.ADMINISTRATION and user.est_admin_organisme:
        allowed = None  # the whole organisme (an empty Q() would be swallowed by the ORs below)
    elif etab_lookup is None:
        allowed = Q(pk__in=[])
    else:
        jour = _today()
        allowed = Q(Exists(Habilitation.objects.filter(
            organisme_id=user.organisme_id, professionnel_id=user.pk, role__in=roles_ayant(action),
            debut__lte=jour, etablissement_id=OuterRef(etab_lookup),
        ).filter(Q(fin__isnull=True) | Q(fin__gte=jour))))

    if allowed is not None:
        for grant in _exception_filters(user, model, etab_lookup, f"accorder_{categorie}"):
            allowed |= Q(grant)
        if niveau == VOIR and categorie in CATEGORIES_BRIS_DE_GLACE:
            now = timezone.now()
            allowed |= Q(Exists(BrisDeGlace.objects.filter(
                organisme_id=user.organisme_id, professionnel_id=user.pk, objet_type=model._meta.label_lower,
                objet_id=OuterRef("public_id"), debut__lte=now, expire_le__gt=now,
            )))
        queryset = queryset.filter(allowed)

    for deny in _exception_filters(user, model, etab_lookup, f"refuser_{categorie}"):
        queryset = queryset.exclude(deny)
    return queryset
