from django.urls import path

from . import views

app_name = "accompagnement"

urlpatterns = [
    # dossier tabs (public_id = the usager)
    path("dossier/<uuid:public_id>/projet/", views.projets, name="projets"),
    path("dossier/<uuid:public_id>/evaluations/", views.evaluations, name="evaluations"),
    path("dossier/<uuid:public_id>/aggir/", views.aggir_nouvelle, name="aggir_nouvelle"),
    path("dossier/<uuid:public_id>/aggir/apercu/", views.aggir_apercu, name="aggir_apercu"),
    path("dossier/<uuid:public_id>/serafin/", views.serafin_nouvelle, name="serafin_nouvelle"),
    path("dossier/<uuid:public_id>/grille/<uuid:grille_id>/", views.evaluer_grille, name="evaluer_grille"),
    path("dossier/<uuid:public_id>/journal/", views.journal, name="journal"),
    # objects
    path("projet/<uuid:public_id>/", views.projet, name="projet"),
    path("aggir/<uuid:public_id>/", views.evaluation_aggir, name="aggir"),
    path("serafin/<uuid:public_id>/", views.evaluation_serafin, name="serafin"),
    path("evaluation/<uuid:public_id>/", views.evaluation_grille, name="evaluation_grille"),
    # configurable grids (direction)
    path("grilles/", views.grilles, name="grilles"),
    path("grilles/nouvelle/", views.grille, name="grille_nouvelle"),
    path("grilles/<uuid:public_id>/", views.grille, name="grille"),
    # ESMS (pilotage)
    path("etablissement/<uuid:etablissement_id>/bilans/", views.bilans, name="bilans"),
    path("etablissement/<uuid:etablissement_id>/gmp/", views.gmp, name="gmp"),
]
