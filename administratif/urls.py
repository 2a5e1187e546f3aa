from django.urls import path

from . import views

app_name = "administratif"

urlpatterns = [
    path("etablissement/<uuid:public_id>/presence/", views.presence, name="presence"),
    path("presence/<uuid:public_id>/statut/", views.export_statut, name="export_statut"),
    path("presence/<uuid:public_id>/csv/", views.export_fichier, {"format_": "csv"}, name="export_csv"),
    path("presence/<uuid:public_id>/xlsx/", views.export_fichier, {"format_": "xlsx"}, name="export_xlsx"),
]
