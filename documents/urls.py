from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("dossier/<uuid:public_id>/", views.dossier, name="dossier"),
    path("dossier/<uuid:public_id>/ajouter/", views.deposer, name="deposer"),
    path("recherche/", views.recherche, name="recherche"),
    path("classement/", views.plan, name="plan"),
    path("classement/nouveau/", views.classe, name="classe_nouvelle"),
    path("classement/<uuid:public_id>/", views.classe, name="classe"),
    path("conservation/", views.conservation, name="conservation"),
    path("<uuid:public_id>/", views.fichier, name="fichier"),
    path("<uuid:public_id>/statut/", views.statut, name="statut"),
    path("<uuid:public_id>/fiche/", views.fiche, name="fiche"),
    path("<uuid:public_id>/classement/", views.classer, name="classer"),
    path("<uuid:public_id>/version/", views.nouvelle_version, name="version"),
    path("<uuid:public_id>/erreur/", views.marquer_erreur, name="erreur"),
    path("<uuid:public_id>/apercu.png", views.image, {"genre": "apercu"}, name="apercu"),
    path("<uuid:public_id>/vignette.png", views.image, {"genre": "vignette"}, name="vignette"),
    path("<uuid:public_id>/detruire/", views.detruire, name="detruire"),
]
