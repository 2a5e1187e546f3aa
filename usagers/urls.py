from django.urls import path

from . import views, views_acces

app_name = "usagers"

urlpatterns = [
    path("", views.recherche, name="recherche"),
    path("nouveau/", views.creer, name="creer"),
    path("acces-exceptionnel/", views_acces.bris_de_glace, name="bris_de_glace"),
    path("exceptions-acces/", views_acces.exceptions, name="exceptions"),
    path(
        "exceptions-acces/<int:exception_id>/retirer/",
        views_acces.exception_retirer,
        name="exception_retirer",
    ),
    path("occupation/<uuid:etablissement_id>/", views.occupation, name="occupation"),
    path("<uuid:public_id>/", views.dossier, name="dossier"),
    path("<uuid:public_id>/identite/document/", views.verifier_document, name="verifier_document"),
    path("<uuid:public_id>/identite/insi/", views.demander_insi, name="demander_insi"),
    path("<uuid:public_id>/identite/fusion/", views.fusionner, name="fusionner"),
    path("<uuid:public_id>/identite/corriger/", views.corriger_identite, name="corriger_identite"),
    path("<uuid:public_id>/photo/", views.photo, name="photo"),
    path("<uuid:public_id>/photo/changer/", views.changer_photo, name="changer_photo"),
    path("<uuid:public_id>/identite/insi/<uuid:appel_id>/", views.appel_insi, name="appel_insi"),
    path("<uuid:public_id>/administratif/", views.administratif, name="administratif"),
    path("<uuid:public_id>/entourage/", views.entourage, name="entourage"),
    path("<uuid:public_id>/entourage/<uuid:proche_id>/", views.entourage, name="proche"),
    path("<uuid:public_id>/consentements/", views.consentements, name="consentements"),
    path("<uuid:public_id>/presence/", views.presence, name="presence"),
]
