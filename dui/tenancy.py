"""The tenant of the current database transaction, as PostgreSQL sees it.

Row-level security policies compare ``organisme_id`` with ``dui_current_organisme()``, which reads the
transaction-local setting ``app.organisme_id``. Everything here sets it with ``set_config(..., true)``,
so it lasts until the end of the current transaction and never leaks to the next request on a pooled
connection. Outside a transaction there is nothing to set: callers open one (``TenantMiddleware`` for
views, ``TenantTask`` for Celery, ``tenant_context`` elsewhere).

``auth_lookup`` is the one narrow exception: authentication must find a professional by e-mail before
the tenant is known. Only the authentication code opens it, and it closes it before returning.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.db import connections, transaction

# The session key of the organisme of the logged-in professional, written at login: the request's
# transaction is bound to it before the professional is loaded (one lookup under the tenant instead of the
# authentication window), then checked against the professional (dui.middleware.TenantMiddleware).
SESSION_ORGANISME = "dui_organisme"

_current_organisme: contextvars.ContextVar[int | None] = contextvars.ContextVar("organisme", default=None)


def current_organisme_id() -> int | None:
    return _current_organisme.get()


def organisme_courant() -> int:
    """The organisme the code runs for (a tenant task, a request): fails closed outside one."""
    organisme_id: int | None = _current_organisme.get()
    if organisme_id is None:
        raise RuntimeError("Aucun organisme actif : opération refusée sans contexte de locataire.")
    return organisme_id


def _set(name: str, value: str, using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def activate(organisme_id: int | None, using: str = "default") -> None:
    """Set the tenant for the current transaction (``None`` clears it: no tenant row is visible)."""
    if not connections[using].in_atomic_block:
        raise RuntimeError("Le locataire ne peut être fixé qu'à l'intérieur d'une transaction.")
    _set("app.organisme_id", "" if organisme_id is None else str(int(organisme_id)), using)
    _current_organisme.set(organisme_id)


def restaurer(organisme_id: int | None) -> None:
    """After a transaction has ended (its SET LOCAL is gone with it): give the code that follows, in the same
    thread, the tenant it had before (a request in the test client must not leave its organisme to the next
    test; a worker process, to its next request)."""
    _current_organisme.set(organisme_id)


@contextlib.contextmanager
def tenant_context(organisme_id: int | None, using: str = "default") -> Iterator[None]:
    """Run a block inside a transaction (or savepoint) bound to ``organisme_id``; restore afterwards."""
    previous = _current_organisme.get()
    with transaction.atomic(using=using):
        activate(organisme_id, using)
        try:
            yield
        except BaseException:
            # The savepoint or transaction is rolled back, and PostgreSQL reverts SET LOCAL with it.
            _current_organisme.set(previous)
            raise
        activate(previous, using)


@contextlib.contextmanager
def auth_lookup(using: str = "default") -> Iterator[None]:
    """Make the authentication tables readable across tenants for the duration of the block."""
    with transaction.atomic(using=using):
        _set("app.auth_lookup", "on", using)
        yield  # on an exception the rollback reverts the setting (SET LOCAL semantics)
        _set("app.auth_lookup", "off", using)
