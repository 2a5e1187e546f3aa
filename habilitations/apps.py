from django.apps import AppConfig


class HabilitationsConfig(AppConfig):
    name = "habilitations"
    verbose_name = "Habilitations et authentification"
