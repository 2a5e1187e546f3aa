from django.apps import AppConfig


class UsagersConfig(AppConfig):
    name = "usagers"
    verbose_name = "Dossier usager"

    def ready(self) -> None:
        from habilitations.policy import register_exception_model

        from .models import ExceptionAccesUsager, Usager

        register_exception_model(Usager, ExceptionAccesUsager)
