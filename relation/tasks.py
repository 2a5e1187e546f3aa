"""Workers of the relation usager: the e-mails (invitations, login codes, « un message vous attend »).
They carry no content of a message, only that one is waiting; a failed delivery is retried."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.mail import send_mail

from dui.tasks import SystemTenantTask


@shared_task(
    base=SystemTenantTask,
    name="relation.envoyer_courriel",
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=8,
)
def envoyer_courriel(*, destinataire: str, sujet: str, corps: str, acteur: Any) -> int:
    return send_mail(sujet, corps, None, [destinataire])
