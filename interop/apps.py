from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "Échanges nationaux (DMP, MSSanté, FHIR)"
    default_auto_field = "django.db.models.BigAutoField"
