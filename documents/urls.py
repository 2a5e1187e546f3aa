from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("dossier/<uuid:public_id>/", views.dossier, name="dossier"),
    path("<uuid:public_id>/", views.fichier, name="fichier"),
    path("<uuid:public_id>/statut/", views.statut, name="statut"),
]
