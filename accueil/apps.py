from django.apps import AppConfig


class AccueilConfig(AppConfig):
    """The shell, at the top of the layers: the home page, the ESMS page, the access journal's pages and
    the demo. It may import every app; no app imports it."""

    name = "accueil"
    verbose_name = "DUI — accueil"
