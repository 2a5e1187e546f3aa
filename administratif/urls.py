from django.urls import path

from . import views

app_name = "administratif"

urlpatterns = [
    path("etablissement/<uuid:public_id>/presence/", views.presence, name="presence"),
    path("presence/<uuid:public_id>/statut/", views.export_statut, name="export_statut"),
    path("presence/<uuid:public_id>/csv/", views.export_fichier, {"format_": "csv"}, name="export_csv"),
    path("presence/<uuid:public_id>/xlsx/", views.export_fichier, {"format_": "xlsx"}, name="export_xlsx"),
    path("dossier/<uuid:public_id>/droits/", views.droits, name="droits"),
    path("dossier/<uuid:public_id>/droits/nouveau/", views.droit_form, name="droit_nouveau"),
    path("dossier/<uuid:public_id>/droits/<uuid:droit_id>/", views.droit_form, name="droit"),
    path(
        "dossier/<uuid:public_id>/droits/orientation/<uuid:demande_id>/",
        views.reprendre_orientation,
        name="reprendre_orientation",
    ),
    path("dossier/<uuid:public_id>/contrats/", views.contrats, name="contrats"),
    path("dossier/<uuid:public_id>/contrats/etablir/", views.contrat_etablir, name="contrat_etablir"),
    path(
        "dossier/<uuid:public_id>/contrats/<uuid:contrat_id>/remise/",
        views.contrat_remettre,
        name="contrat_remettre",
    ),
    path(
        "dossier/<uuid:public_id>/contrats/<uuid:contrat_id>/signer/",
        views.contrat_signer,
        name="contrat_signer",
    ),
    path(
        "dossier/<uuid:public_id>/contrats/<uuid:contrat_id>/copie/",
        views.contrat_copie,
        name="contrat_copie",
    ),
    path(
        "dossier/<uuid:public_id>/contrats/<uuid:contrat_id>/refus/",
        views.contrat_refus,
        name="contrat_refus",
    ),
    path("dossier/<uuid:public_id>/remises/<uuid:sejour_id>/", views.remises, name="remises"),
    path("etablissement/<uuid:public_id>/contrats/", views.suivi_contrats, name="suivi_contrats"),
    path("modeles/", views.modeles, name="modeles"),
    path("modeles/nouveau/", views.modele, name="modele_nouveau"),
    path("modeles/<uuid:public_id>/", views.modele, name="modele"),
]
