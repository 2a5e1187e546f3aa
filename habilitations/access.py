"""Lookups of tenant objects for views: always filtered by tenant *and* habilitation, and answering
404 for "absent" and "forbidden" alike, so that no URL tells whether an object exists elsewhere."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from habilitations import policy
from habilitations.models import Professionnel

M = TypeVar("M", bound=Model)


def professionnel(request: HttpRequest) -> Professionnel:
    """The professional of a request behind ``login_required`` (typed: views and services read their
    organisme and rights)."""
    user = request.user
    assert isinstance(user, Professionnel), "réservé à un professionnel connecté"
    return user


def for_tenant(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """Restrict to the user's organisme (the ORM wall; RLS is the second one)."""
    if not getattr(user, "is_authenticated", False) or not user.organisme_id:
        return queryset.none()
    return queryset.filter(organisme_id=user.organisme_id)


def get_in_scope_or_404(scoped: QuerySet[M], public_id: Any) -> M:
    """The object with this public id in a queryset already restricted by the policy (404 otherwise,
    malformed ids included)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except (TypeError, ValueError, AttributeError):
        raise Http404("Introuvable.") from None
    obj = scoped.filter(public_id=public_id).first()
    if obj is None:
        raise Http404("Introuvable.")
    return obj


def get_for_user_or_404(user: Any, action: str, queryset: QuerySet[M], public_id: Any) -> M:
    """The object with this public id, if it is in the user's organisme and ``action`` is allowed on it."""
    return get_in_scope_or_404(policy.scope(user, action, for_tenant(user, queryset)), public_id)


def get_contenu_or_404(user: Any, action: str, queryset: QuerySet[M], public_id: Any) -> M:
    """The same for a row of a dossier's content (``policy.scope_contenu``: usager and ESMS)."""
    return get_in_scope_or_404(policy.scope_contenu(user, action, queryset), public_id)


def unite_ou_404(user: Any, action: str, public_id: Any) -> Any:
    """A unit of the user's organisme in an ESMS where ``action`` is allowed (the unit pages: relève, day
    view, rounds, piluliers), with its ESMS."""
    from dui.models import Unite

    return get_for_user_or_404(user, action, Unite.objects.select_related("etablissement"), public_id)
