"""Handing work to the Celery workers from a write path.

Services enqueue **by task name** once the transaction commits and never import a ``tasks`` module: tasks
call services, never the other way round, so the import graph stays acyclic (Zulip's
``queue_event_on_commit`` is the model). Tasks take the tenant and the acting user as keyword arguments
(``tenant_kwargs``) and public ids, never model instances.
"""

from __future__ import annotations

import threading
from typing import Any

from celery import Task
from django.db import transaction

from .celery import app


def enqueue_on_commit(nom: str, *args: Any, **kwargs: Any) -> None:
    """Queue the task registered under ``nom`` once the current transaction commits (nothing is queued
    if it rolls back). Services enqueue by name and never import a ``tasks`` module: tasks call services,
    never the other way round (the import graph stays acyclic; Zulip's ``queue_event_on_commit``)."""
    tache = tache_nommee(nom)  # an unknown name fails here, in the request, not later in a worker
    # robust: the data is committed when this runs; a broker that is down or failing over (Redis Sentinel
    # electing a new master) is logged, never a 500 for a request that did its work — the periodic tasks
    # pick the work up from the database (the outbox's relay every minute)
    transaction.on_commit(lambda: tache.apply_async(args=args, kwargs=kwargs), robust=True)


_IMPORT_DES_TACHES = threading.Lock()


def tache_nommee(nom: str) -> Task[Any, Any]:
    """The task registered under ``nom``; in a web process the ``tasks`` modules are imported on first use
    (autodiscovery runs at worker start only)."""
    if nom not in app.tasks:
        with _IMPORT_DES_TACHES:  # threads of one process (gthread workers): one import, seen by all
            app.loader.import_default_modules()
    return app.tasks[nom]


def tenant_kwargs(user: Any) -> dict[str, int]:
    """The keyword arguments that carry the tenant and the acting user into a task."""
    return {"organisme_id": user.organisme_id, "acteur_id": user.pk}
