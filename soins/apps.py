from django.apps import AppConfig


class SoinsConfig(AppConfig):
    name = "soins"
    verbose_name = "Soins"
