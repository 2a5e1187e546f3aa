from django.urls import path

from . import views

app_name = "admission"

urlpatterns = [
    path("", views.liste_attente, name="liste_attente"),
    path("nouvelle/", views.nouvelle, name="nouvelle"),
    path("<uuid:public_id>/", views.demande, name="demande"),
    path("<uuid:public_id>/pieces/<uuid:piece_id>/", views.piece, name="piece"),
]
