from django.urls import path

from . import views

app_name = "coordination"

urlpatterns = [
    path("", views.mon_agenda, name="mon_agenda"),
    path("tournee/", views.tournee, name="tournee"),
    path("professionnel/<uuid:public_id>/", views.agenda_professionnel, name="agenda_professionnel"),
    path("professionnel/", views.choisir_professionnel, name="choisir_professionnel"),
    path("abonnements/", views.abonnements, name="abonnements"),
    path("abonnements/<uuid:public_id>/revoquer/", views.revoquer, name="revoquer"),
    path("flux/<str:secret>.ics", views.flux, name="flux"),
    path("dossier/<uuid:public_id>/", views.dossier, name="dossier"),
    path("dossier/<uuid:public_id>/rendez-vous/", views.nouveau_rdv, name="nouveau_rdv"),
    path("evenement/<uuid:public_id>/", views.evenement, name="evenement"),
    path("evenement/<uuid:public_id>/visite/", views.visite, name="visite"),
    path("presence/<uuid:public_id>/", views.presence, name="presence"),
    path("unite/<uuid:public_id>/", views.unite, name="unite"),
    path("ressource/<uuid:public_id>/", views.ressource, name="ressource"),
    path("etablissement/<uuid:public_id>/", views.etablissement, name="etablissement"),
    path("etablissement/<uuid:public_id>/activite/", views.nouvelle_activite, name="nouvelle_activite"),
    path("etablissement/<uuid:public_id>/transports/", views.demander_feuille, name="demander_feuille"),
    path("transports/<uuid:public_id>.pdf", views.feuille, name="feuille"),
    path("etablissement/<uuid:public_id>/statistiques/", views.statistiques, name="statistiques"),
]
