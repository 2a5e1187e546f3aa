"""Re-encrypt every second-factor seed with the newest key of DUI_CLES_CHIFFREMENT (key rotation:
new key first, old keys after it, this command, then remove the old keys)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from dui.chiffrement import rechiffrer
from dui.tenancy import auth_lookup
from habilitations.models import DispositifTOTP


class Command(BaseCommand):
    help = "Rechiffre les secrets des seconds facteurs avec la clé la plus récente (rotation des clés)."

    def handle(self, *args: Any, **options: Any) -> None:
        nombre = 0
        with transaction.atomic(), auth_lookup():
            for dispositif in DispositifTOTP.objects.select_for_update().only("pk", "secret"):
                DispositifTOTP.objects.filter(pk=dispositif.pk).update(secret=rechiffrer(dispositif.secret))
                nombre += 1
        self.stdout.write(f"{nombre} secret(s) rechiffré(s) avec la clé la plus récente.")
