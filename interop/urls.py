from django.urls import path

from . import views, views_messagerie

app_name = "interop"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<uuid:public_id>/relancer/", views.relancer, name="relancer"),
    path("<uuid:public_id>/annuler/", views.annuler, name="annuler"),
    path("document/<uuid:public_id>/", views.document, name="document"),
    path("dossier/<uuid:public_id>/", views.dossier, name="dossier"),
    path("dossier/<uuid:public_id>/fhir/<uuid:etablissement_id>/", views.export_fhir, name="export_fhir"),
    path("indicateurs/<uuid:etablissement_id>/", views.tableau_indicateurs, name="indicateurs"),
    path("messagerie/", views_messagerie.liste, name="messagerie"),
    path("messagerie/relever/", views_messagerie.relever, name="messagerie_relever"),
    path("messagerie/<uuid:public_id>/", views_messagerie.detail, name="message"),
    path("messagerie/<uuid:public_id>/ecarter/", views_messagerie.ecarter, name="message_ecarter"),
    path("messagerie/<uuid:public_id>/piece/<int:rang>/", views_messagerie.piece, name="message_piece"),
    path(
        "messagerie/boite/<uuid:etablissement_id>/", views_messagerie.configurer_boite, name="boite_mssante"
    ),
]
