from django.urls import path

from . import views

app_name = "administration"

urlpatterns = [
    path("organismes/", views.organismes, name="organismes"),
    path("organismes/nouveau/", views.organisme_creer, name="organisme_creer"),
    path("etablissements/", views.etablissements, name="etablissements"),
    path("etablissements/nouveau/", views.etablissement_form, name="etablissement_creer"),
    path("etablissements/<uuid:public_id>/", views.etablissement_form, name="etablissement_modifier"),
    path("etablissements/<uuid:public_id>/unites/", views.etablissement_unites, name="etablissement_unites"),
    path("professionnels/", views.professionnels, name="professionnels"),
    path("pro-sante-connect/", views.politique_psc, name="politique_psc"),
    path("tablettes/", views.tablettes, name="tablettes"),
    path("tablettes/<uuid:public_id>/revoquer/", views.tablette_revoquer, name="tablette_revoquer"),
    path("professionnels/nouveau/", views.professionnel_creer, name="professionnel_creer"),
    path("professionnels/<uuid:public_id>/", views.professionnel, name="professionnel"),
    path(
        "professionnels/<uuid:public_id>/habilitations/",
        views.habilitation_ajouter,
        name="habilitation_ajouter",
    ),
    path(
        "professionnels/<uuid:public_id>/activation/",
        views.professionnel_activation,
        name="professionnel_activation",
    ),
    path(
        "professionnels/<uuid:public_id>/reinitialiser/",
        views.professionnel_reinitialiser,
        name="professionnel_reinitialiser",
    ),
    path("professionnels/<uuid:public_id>/exceptions/", views.exception_ajouter, name="exception_ajouter"),
    path(
        "professionnels/<uuid:public_id>/exceptions/<int:exception_id>/retirer/",
        views.exception_retirer,
        name="exception_retirer",
    ),
    path(
        "habilitations/<uuid:public_id>/terminer/", views.habilitation_terminer, name="habilitation_terminer"
    ),
]
