from django.apps import AppConfig


class HabilitationsConfig(AppConfig):
    name = "habilitations"
    verbose_name = "Habilitations et authentification"

    def ready(self) -> None:
        from dui.chiffrement import declarer_champ_chiffre

        declarer_champ_chiffre("habilitations.DispositifTOTP", "secret")
