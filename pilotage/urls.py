from django.urls import path

from . import views

app_name = "pilotage"

urlpatterns = [
    path("", views.tableau_de_bord, name="tableau_de_bord"),
    path("esms/<uuid:etablissement_id>/", views.esms, name="esms"),
    path("esms/<uuid:etablissement_id>/coupes-pathos/", views.coupes, name="coupes"),
    path("esms/<uuid:etablissement_id>/rapports/", views.rapports, name="rapports"),
    path("rapports/<uuid:public_id>/statut/", views.rapport_statut, name="rapport_statut"),
    path("rapports/<uuid:public_id>/<str:format_>/", views.rapport_fichier, name="rapport_fichier"),
]
