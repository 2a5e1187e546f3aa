from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "admission"
    verbose_name = "Admission"

    def ready(self) -> None:
        from .listes import declarer_listes

        declarer_listes()
