from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("sante/", views.sante, name="sante"),
    path("etablissements/<uuid:public_id>/", views.etablissement, name="etablissement"),
    path("journal/", views.journal, name="journal"),
    path("journal/connexions/", views.journal_connexions, name="journal_connexions"),
    path("journal/export/", views.journal_export, name="journal_export"),
    path("journal/export/<uuid:public_id>/", views.journal_export_fichier, name="journal_export_fichier"),
    path("", include("habilitations.urls")),
    path("administration/", include("administration.urls")),
    path("usagers/", include("usagers.urls")),
    path("admission/", include("admission.urls")),
    path("documents/", include("documents.urls")),
    path("accompagnement/", include("accompagnement.urls")),
    path("soins/", include("soins.urls")),
    path("medicaments/", include("medicaments.urls")),
    path("echanges/", include("interop.urls")),
]
