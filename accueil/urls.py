from django.urls import path

from . import views

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("sante/", views.sante, name="sante"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("etablissements/<uuid:public_id>/", views.etablissement, name="etablissement"),
    path("journal/", views.journal, name="journal"),
    path("journal/connexions/", views.journal_connexions, name="journal_connexions"),
    path("journal/export/", views.journal_export, name="journal_export"),
    path("journal/export/<uuid:public_id>/", views.journal_export_fichier, name="journal_export_fichier"),
    path("exports/", views.exports, name="exports"),
    path("exports/liste/", views.exporter_liste, name="exporter_liste"),
    path("exports/<uuid:public_id>/statut/", views.export_liste_statut, name="export_liste_statut"),
    path("exports/<uuid:public_id>/<str:format_>/", views.export_liste_fichier, name="export_liste_fichier"),
]
