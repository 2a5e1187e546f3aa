"""Who is acting, for django-simple-history: set by the request middleware and by ``TenantTask``."""

from __future__ import annotations

import contextvars

_actor: contextvars.ContextVar = contextvars.ContextVar("dui_actor", default=None)


def set_actor(user) -> contextvars.Token:
    return _actor.set(user if getattr(user, "is_authenticated", False) else None)


def reset_actor(token: contextvars.Token) -> None:
    _actor.reset(token)


def current_actor():
    return _actor.get()


def history_user(instance=None, request=None, **kwargs):
    """``get_user`` for HistoricalRecords: the professional acting in this request or task."""
    return _actor.get()
