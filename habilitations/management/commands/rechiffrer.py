"""Re-encrypt every second-factor seed with the newest key of DUI_CLES_CHIFFREMENT (key rotation:
new key first, old keys after it, this command, then remove the old keys): every field declared with
``dui.chiffrement.declarer_champ_chiffre``."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from dui.chiffrement import CHAMPS_CHIFFRES, rechiffrer
from dui.tenancy import auth_lookup


class Command(BaseCommand):
    help = "Rechiffre les secrets des seconds facteurs avec la clé la plus récente (rotation des clés)."

    def handle(self, *args: Any, **options: Any) -> None:
        nombre = 0
        with transaction.atomic(), auth_lookup():
            for label, champ in CHAMPS_CHIFFRES:
                modele = apps.get_model(label)
                for pk, valeur in (
                    modele.objects.select_for_update().exclude(**{champ: ""}).values_list("pk", champ)
                ):
                    modele.objects.filter(pk=pk).update(**{champ: rechiffrer(valeur)})
                    nombre += 1
        self.stdout.write(f"{nombre} secret(s) rechiffré(s) avec la clé la plus récente.")
