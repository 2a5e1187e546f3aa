from django.urls import path

from . import views

app_name = "soins"

urlpatterns = [
    # dossier tabs (public_id = the usager)
    path("dossier/<uuid:public_id>/", views.dossier, name="dossier"),
    path("dossier/<uuid:public_id>/constantes/", views.constantes, name="constantes"),
    path("dossier/<uuid:public_id>/transmissions/", views.transmissions, name="transmissions"),
    path("dossier/<uuid:public_id>/plan/", views.plan, name="plan"),
    path(
        "dossier/<uuid:public_id>/transmission-rapide/", views.transmission_rapide, name="transmission_rapide"
    ),
    # care tasks
    path("soin/<uuid:public_id>/valider/", views.valider_soin, name="valider"),
    path("realisation/<uuid:public_id>/corriger/", views.corriger_soin, name="corriger"),
    # unit pages
    path("", views.unites, name="unites"),
    path("unite/<uuid:public_id>/releve/", views.releve, name="releve"),
    path("unite/<uuid:public_id>/releve/lu/", views.marquer_lu, name="lu"),
    path("unite/<uuid:public_id>/journee/", views.journee, name="journee"),
    path("unite/<uuid:public_id>/constantes/", views.tour_constantes, name="tour"),
]
