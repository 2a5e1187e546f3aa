from django.urls import path

from . import views

app_name = "medicaments"

urlpatterns = [
    path("recherche/", views.recherche, name="recherche"),
    # dossier (public_id = the usager)
    path("dossier/<uuid:public_id>/", views.dossier, name="dossier"),
    path("dossier/<uuid:public_id>/pilulier/", views.pilulier, name="pilulier"),
    path("prescription/<uuid:public_id>/modifier/", views.modifier, name="modifier"),
    path("prescription/<uuid:public_id>/si-besoin/", views.si_besoin, name="si_besoin"),
    path("dose/<uuid:public_id>/administrer/", views.administrer, name="administrer"),
    path("administration/<uuid:public_id>/corriger/", views.corriger, name="corriger"),
    path("administration/<uuid:public_id>/reevaluer/", views.reevaluer, name="reevaluer"),
    # unit pages
    path("unite/<uuid:public_id>/tournee/", views.tournee, name="tournee"),
    path("unite/<uuid:public_id>/piluliers/", views.piluliers, name="piluliers"),
    path("stock/", views.stock, name="stock"),
]
