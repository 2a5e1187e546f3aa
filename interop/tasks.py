"""Celery tasks of the outbox: the relay of one tenant, and its periodic fan-out (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from dui.tasks import SystemTenantTask, pour_chaque_organisme


@shared_task(base=SystemTenantTask, bind=True, name="interop.relayer", acks_late=True,
             reject_on_worker_lost=True)
def relayer(self, *, acteur=None) -> dict:
    from .services import relayer as relayer_envois

    return relayer_envois()


@shared_task(name="interop.relayer_tous")
def relayer_tous() -> int:
    """Every minute: the due exchanges of each organisme (retries after a backoff, a relay lost with its
    worker)."""
    return pour_chaque_organisme(relayer)
