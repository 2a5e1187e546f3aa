"""The project's URL map: each app's routes, included by name (this module imports no app)."""

from django.urls import include, path

urlpatterns = [
    path("", include("accueil.urls")),
    path("", include("habilitations.urls")),
    path("administration/", include("administration.urls")),
    path("usagers/", include("usagers.urls")),
    path("admission/", include("admission.urls")),
    path("documents/", include("documents.urls")),
    path("administratif/", include("administratif.urls")),
    path("accompagnement/", include("accompagnement.urls")),
    path("soins/", include("soins.urls")),
    path("medicaments/", include("medicaments.urls")),
    path("annuaire/", include("annuaire.urls")),
    path("agenda/", include("coordination.urls")),
    path("echanges/", include("interop.urls")),
    path("rgpd/", include("rgpd.urls")),
    path("pilotage/", include("pilotage.urls")),
    path("", include("relation.urls")),  # /relation/ (the team) and /espace/ (the persons and relatives)
]
