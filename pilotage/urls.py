from django.urls import path

from . import views

app_name = "pilotage"

urlpatterns = [
    path("", views.tableau_de_bord, name="tableau_de_bord"),
    path("esms/<uuid:etablissement_id>/", views.esms, name="esms"),
    path("esms/<uuid:etablissement_id>/coupes-pathos/", views.coupes, name="coupes"),
]
