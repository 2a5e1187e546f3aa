from django.urls import path

from . import views

app_name = "usagers"

urlpatterns = [
    path("", views.recherche, name="recherche"),
    path("nouveau/", views.creer, name="creer"),
    path("<uuid:public_id>/", views.dossier, name="dossier"),
    path("<uuid:public_id>/identite/document/", views.verifier_document, name="verifier_document"),
]
