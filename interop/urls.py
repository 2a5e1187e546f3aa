from django.urls import path

from . import views

app_name = "interop"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<uuid:public_id>/relancer/", views.relancer, name="relancer"),
    path("<uuid:public_id>/annuler/", views.annuler, name="annuler"),
    path("document/<uuid:public_id>/", views.document, name="document"),
    path("dossier/<uuid:public_id>/", views.dossier, name="dossier"),
    path("dossier/<uuid:public_id>/fhir/<uuid:etablissement_id>/", views.export_fhir, name="export_fhir"),
    path("indicateurs/<uuid:etablissement_id>/", views.tableau_indicateurs, name="indicateurs"),
]
