"""Two URL spaces: ``/relation/`` for the team (professionals), ``/espace/`` for the persons and their
relatives (portal accounts, ``relation.portail``)."""

from django.urls import path

from . import views, views_portail

app_name = "relation"
urlpatterns = [
    path("relation/dossier/<uuid:public_id>/", views.dossier, name="dossier"),
    path("relation/dossier/<uuid:public_id>/inviter/", views.inviter, name="inviter"),
    path("relation/dossier/<uuid:public_id>/refus/", views.refus, name="refus"),
    path("relation/dossier/<uuid:public_id>/partager/", views.partager, name="partager"),
    path("relation/acces/<uuid:public_id>/", views.acces, name="acces"),
    path("relation/partages/<uuid:public_id>/retirer/", views.retirer_partage, name="retirer_partage"),
    path("relation/etablissement/<uuid:public_id>/messages/", views.boite, name="boite"),
    path("relation/fils/<uuid:public_id>/", views.fil, name="fil"),
    path("relation/fils/<uuid:public_id>/action/", views.fil_action, name="fil_action"),
    path("relation/messages/<uuid:public_id>/classer/", views.classer, name="classer"),
    path("relation/pieces/<uuid:public_id>/", views.piece, name="piece"),
    path("relation/etablissement/<uuid:public_id>/qualite/", views.qualite, name="qualite"),
    path(
        "relation/etablissement/<uuid:public_id>/reclamations/nouvelle/",
        views.reclamation_nouvelle,
        name="reclamation_nouvelle",
    ),
    path("relation/reclamations/<uuid:public_id>/", views.reclamation, name="reclamation"),
    path("relation/reclamations/<uuid:public_id>/reponse.pdf", views.reclamation_pdf, name="reclamation_pdf"),
    path("relation/evenements/declarer/", views.declarer_choix, name="declarer_choix"),
    path("relation/etablissement/<uuid:public_id>/evenements/declarer/", views.declarer, name="declarer"),
    path("relation/evenements/<uuid:public_id>/", views.evenement, name="evenement"),
    path(
        "relation/evenements/<uuid:public_id>/declaration-ars.pdf", views.evenement_ars, name="evenement_ars"
    ),
    path("relation/etablissement/<uuid:public_id>/cvs/", views.cvs, name="cvs"),
    path("relation/cvs/reunions/<uuid:public_id>/", views.reunion_cvs, name="reunion_cvs"),
    path(
        "relation/cvs/reunions/<uuid:public_id>/document.pdf", views.reunion_cvs_pdf, name="reunion_cvs_pdf"
    ),
    path("relation/etablissement/<uuid:public_id>/enquetes/", views.enquetes, name="enquetes"),
    path("relation/enquetes/<uuid:public_id>/", views.campagne, name="campagne"),
    path("relation/enquetes/<uuid:public_id>/reponses/", views.campagne_export, name="campagne_export"),
    # the space of the persons and relatives
    path("espace/connexion/", views_portail.connexion, name="portail_connexion"),
    path("espace/connexion/code/", views_portail.second_facteur, name="portail_second_facteur"),
    path("espace/invitation/<str:jeton>/", views_portail.invitation, name="portail_invitation"),
    path("espace/securite/", views_portail.enrolement, name="portail_enrolement"),
    path("espace/deconnexion/", views_portail.deconnexion, name="portail_deconnexion"),
    path("espace/", views_portail.accueil, name="portail_accueil"),
    path("espace/<uuid:public_id>/", views_portail.personne, name="portail_personne"),
    path("espace/<uuid:public_id>/projet/", views_portail.projet, name="portail_projet"),
    path("espace/<uuid:public_id>/agenda/", views_portail.agenda, name="portail_agenda"),
    path("espace/<uuid:public_id>/documents/", views_portail.documents, name="portail_documents"),
    path(
        "espace/<uuid:public_id>/documents/<uuid:partage_id>/",
        views_portail.document,
        name="portail_document",
    ),
    path("espace/<uuid:public_id>/messages/", views_portail.messagerie, name="portail_messages"),
    path("espace/<uuid:public_id>/messages/<uuid:fil_id>/", views_portail.fil, name="portail_fil"),
    path(
        "espace/<uuid:public_id>/enquetes/<uuid:campagne_id>/", views_portail.enquete, name="portail_enquete"
    ),
    path("espace/<uuid:public_id>/reclamation/", views_portail.reclamation, name="portail_reclamation"),
    path("espace/<uuid:public_id>/pieces/<uuid:piece_id>/", views_portail.piece, name="portail_piece"),
]
