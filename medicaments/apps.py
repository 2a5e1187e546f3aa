from django.apps import AppConfig


class MedicamentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "medicaments"
    verbose_name = "Circuit du médicament"
