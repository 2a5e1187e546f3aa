from django.urls import path

from . import views

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("sante/", views.sante, name="sante"),
    path("etablissements/<uuid:public_id>/", views.etablissement, name="etablissement"),
    path("journal/", views.journal, name="journal"),
    path("journal/connexions/", views.journal_connexions, name="journal_connexions"),
    path("journal/export/", views.journal_export, name="journal_export"),
    path("journal/export/<uuid:public_id>/", views.journal_export_fichier, name="journal_export_fichier"),
]
