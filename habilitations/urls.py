from django.urls import path

from . import views, views_poste, views_psc

app_name = "habilitations"

urlpatterns = [
    path("connexion/", views.connexion, name="connexion"),
    path("connexion/second-facteur/", views.second_facteur, name="second_facteur"),
    path("connexion/enrolement/", views.enrolement, name="enrolement"),
    path("connexion/psc/", views_psc.connexion, name="psc_connexion"),
    path("connexion/psc/retour/", views_psc.retour, name="psc_retour"),
    path("connexion/psc/organisme/", views_psc.organisme, name="psc_organisme"),
    path("deconnexion/", views.deconnexion, name="deconnexion"),
    path("tablette/", views_poste.tablette, name="tablette"),
    path("tablette/reprendre/<uuid:public_id>/", views_poste.reprendre, name="tablette_reprendre"),
    path("tablette/verrouiller/", views_poste.verrouiller, name="tablette_verrouiller"),
    path("compte/code-pin/", views_poste.code_pin, name="code_pin"),
    path("compte/", views.mon_compte, name="mon_compte"),
    path("compte/codes-de-secours/", views.codes_secours, name="codes_secours"),
    path("compte/codes-de-secours/regenerer/", views.regenerer_codes_secours, name="regenerer_codes_secours"),
    path("acces-exceptionnel/<slug:objet_type>/<uuid:public_id>/", views.bris_de_glace, name="bris_de_glace"),
    path("acces-exceptionnels/revue/", views.revue_bris_de_glace, name="revue_bris_de_glace"),
    path(
        "acces-exceptionnels/<uuid:public_id>/revue/", views.revoir_bris_de_glace, name="revoir_bris_de_glace"
    ),
]
