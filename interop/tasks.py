"""Celery tasks of the outbox: the relay of one tenant, and its periodic fan-out (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from dui.tasks import TenantContextError, pour_chaque_organisme

from . import services


@shared_task(name="interop.relayer", acks_late=True, reject_on_worker_lost=True)
def relayer(*, organisme_id: int | None = None) -> dict:
    """The relay of one organisme. Not a ``SystemTenantTask``: that base wraps the whole run in one
    transaction, and the relay must commit each exchange on its own (``services.relayer`` opens one tenant
    transaction per row), so that a worker killed in the middle keeps what was already sent."""
    if not organisme_id:
        raise TenantContextError("La tâche interop.relayer exige organisme_id : refusée sans contexte.")
    return services.relayer(int(organisme_id))


@shared_task(name="interop.relayer_tous")
def relayer_tous() -> int:
    """Every minute: the due exchanges of each organisme (retries after a backoff, a relay lost with its
    worker)."""
    return pour_chaque_organisme(relayer)


@shared_task(name="interop.relever", acks_late=True, reject_on_worker_lost=True)
def relever(*, organisme_id: int | None = None, etablissement_id: int | None = None) -> dict:
    """The relève of one organisme's MSSanté mailboxes (each message committed with the mailbox's last UID:
    a killed worker's messages are read again and recognised by their Message-ID)."""
    from . import boite

    if not organisme_id:
        raise TenantContextError("La tâche interop.relever exige organisme_id : refusée sans contexte.")
    return boite.relever(int(organisme_id), etablissement_id)


@shared_task(name="interop.relever_tous")
def relever_tous() -> int:
    """Every five minutes: the MSSanté mailboxes of each organisme."""
    return pour_chaque_organisme(relever)
