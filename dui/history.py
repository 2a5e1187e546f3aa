"""Who is acting, for django-simple-history (set by the request middleware and by ``TenantTask``), and the
bulk change of audited rows that keeps their history."""

from __future__ import annotations

import contextvars
from typing import Any

from django.db.models import QuerySet

# the acting professional (the user model: the kernel imports no app), or None for the system
_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("dui_actor", default=None)


def set_actor(user: Any) -> contextvars.Token[Any]:
    return _actor.set(user if getattr(user, "is_authenticated", False) else None)


def reset_actor(token: contextvars.Token[Any]) -> None:
    _actor.reset(token)


def current_actor() -> Any:
    return _actor.get()


def history_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    """``get_user`` for HistoricalRecords: the professional acting in this request or task."""
    return _actor.get()


def update_with_history(queryset: QuerySet[Any], **valeurs: Any) -> int:
    """``queryset.update(**valeurs)`` for a history-tracked model, with one history row ("~") per changed
    row and the acting user: a bulk change of audited rows never goes unrecorded. The rows are chosen
    first (the change may move them out of the filter), updated in one statement — expressions such as
    ``F("ordre") + 1`` included — then read back for their history. Returns how many rows changed.

    The only ``.update()`` on a history-tracked model that the lint test (tests/architecture) allows."""
    modele = queryset.model
    pks = list(queryset.values_list("pk", flat=True))
    if not pks:
        return 0
    nombre: int = modele._default_manager.filter(pk__in=pks).update(**valeurs)
    if not hasattr(modele, "history"):  # a model without history (the merge moves both kinds)
        return nombre
    lignes = list(modele._default_manager.filter(pk__in=pks))
    modele.history.bulk_history_create(lignes, update=True, default_user=current_actor())
    return nombre
