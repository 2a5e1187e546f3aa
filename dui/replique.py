"""A read replica for the heavy reads (issue 24): the director's dashboards, tolerant of a little lag, read
from the ``replique`` database alias when one is configured (``DATABASE_REPLICA_URL``, e.g. the secondary of
the pg_auto_failover cluster or a dedicated streaming replica); everything else stays on the primary.

A page opts in with ``lecture_sur_replique(organisme_id)``: inside it, the router sends the reads to the
replica, in a transaction bound to the tenant there too (``tenant_context(…, using="replique")``: the same
``app.organisme_id`` setting, so the same row-level security applies — the replica holds every tenant's
rows). Writes never go there (a hot standby refuses them anyway). Without a replica, nothing changes.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.conf import settings

ALIAS = "replique"
_sur_replique: contextvars.ContextVar[bool] = contextvars.ContextVar("dui_sur_replique", default=False)


def replique_configuree() -> bool:
    return ALIAS in settings.DATABASES and bool(getattr(settings, "DUI_LECTURE_REPLIQUE", False))


@contextlib.contextmanager
def lecture_sur_replique(organisme_id: int | None) -> Iterator[None]:
    """Reads of the block from the replica, bound to ``organisme_id`` there (no-op without a replica)."""
    if not replique_configuree():
        yield
        return
    from dui.tenancy import tenant_context

    jeton = _sur_replique.set(True)
    try:
        with tenant_context(organisme_id, using=ALIAS):
            yield
    finally:
        _sur_replique.reset(jeton)


def connexion_de_lecture() -> Any:
    """The connection for raw SQL reads: the replica's inside a ``lecture_sur_replique`` block."""
    from django.db import connections

    return connections[ALIAS if _sur_replique.get() and replique_configuree() else "default"]


class RouteurReplique:
    """Django database router: the replica for the reads of a ``lecture_sur_replique`` block only."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return ALIAS if _sur_replique.get() and replique_configuree() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the same database, copied: objects read on the replica relate to the primary's

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if db == ALIAS:
            return False  # the replica is a physical copy of the primary: never migrated itself
        return None
