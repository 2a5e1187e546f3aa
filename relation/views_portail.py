"""The pages of the space of the persons and relatives (``/espace/``), phone-first. An account reaches only
the persons its active accesses open, and in each only the rubriques the team opened
(``portail.acces_ou_404``); any other id is a 404, whether it exists or not."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dui.exports import nom_de_fichier_sur
from dui.forms import traitement
from dui.reseau import client_ip
from habilitations.auth import etat_verrou
from habilitations.models import EspaceAuth, TypeEvenementAuth

from . import portail, selectors, services
from .forms import (
    AvisForm,
    ChoixFacteurForm,
    CodeForm,
    ConnexionForm,
    CreationCompteForm,
    MessageForm,
    NouveauFilForm,
)
from .models import Fil, PieceJointe, SecondFacteur

# --- login ------------------------------------------------------------------------------------------------------


def connexion(request):
    if getattr(request, "compte_portail", None) is not None:
        return redirect("relation:portail_accueil")
    form = ConnexionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        compte = portail.compte_par_email(email)
        verrou = etat_verrou(email, None, client_ip(request), espace=EspaceAuth.PORTAIL)
        if verrou.refuse:
            portail.journal(request, TypeEvenementAuth.VERROUILLE, email, compte)
            form.add_error(
                None,
                f"Trop de tentatives : réessayez dans {verrou.attente} secondes."
                if verrou.attente
                else f"Trop d'essais infructueux : ce compte est bloqué {settings.DUI_LOCKOUT_MINUTES} minutes.",
            )
        elif not portail.verifier_mot_de_passe(compte, password):
            portail.journal(request, TypeEvenementAuth.ECHEC_MOT_DE_PASSE, email, compte)
            form.add_error(None, "Adresse ou mot de passe incorrect.")
        else:
            request.session.flush()  # whatever session was there (a professional's) ends here
            request.session[portail.EN_ATTENTE] = compte.pk
            if not compte.second_facteur:
                return redirect("relation:portail_enrolement")
            if compte.second_facteur == SecondFacteur.COURRIEL:
                portail.envoyer_code_courriel(compte)
            return redirect("relation:portail_second_facteur")
    return render(request, "relation/portail/connexion.html", {"form": form})


def second_facteur(request):
    compte = portail.compte_en_attente(request)
    if compte is None or not compte.second_facteur:
        return redirect("relation:portail_connexion")
    form = CodeForm(request.POST or None)
    if (
        request.method == "POST"
        and request.POST.get("renvoyer")
        and compte.second_facteur == SecondFacteur.COURRIEL
    ):
        portail.envoyer_code_courriel(compte)
        messages.info(request, "Un nouveau code vous a été envoyé.")
        return redirect("relation:portail_second_facteur")
    if request.method == "POST" and form.is_valid():
        verrou = etat_verrou(compte.email, None, client_ip(request), espace=EspaceAuth.PORTAIL)
        code = form.cleaned_data["code"]
        bon = not verrou.refuse and (
            portail.verifier_totp(compte, code)
            if compte.second_facteur == SecondFacteur.TOTP
            else portail.verifier_code_courriel(compte, code)
        )
        if bon:
            portail.ouvrir_session(request, compte)
            return redirect("relation:portail_accueil")
        portail.journal(request, TypeEvenementAuth.ECHEC_SECOND_FACTEUR, compte.email, compte)
        form.add_error(
            "code",
            "Code incorrect ou expiré." if not verrou.refuse else "Trop d'essais : compte bloqué un moment.",
        )
    return render(request, "relation/portail/second_facteur.html", {"form": form, "compte": compte})


def invitation(request, jeton):
    try:
        inv = services.invitation_par_jeton(jeton)
    except ValidationError as exc:
        return render(
            request,
            "relation/portail/invitation_invalide.html",
            {"raison": " ".join(exc.messages)},
            status=410,
        )
    form = CreationCompteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with traitement(form):
            compte = services.accepter_invitation(
                jeton, prenom=d["prenom"], nom=d["nom"], password=d["password"]
            )
            request.session.flush()
            request.session[portail.EN_ATTENTE] = compte.pk
            return redirect("relation:portail_enrolement")
    return render(request, "relation/portail/invitation.html", {"form": form, "email": inv.email})


def enrolement(request):
    """The second factor of a new account: a TOTP application (QR code), or codes by e-mail."""
    compte = portail.compte_en_attente(request)
    if compte is None or compte.second_facteur:
        return redirect("relation:portail_connexion")
    choix = ChoixFacteurForm(request.POST if "second_facteur" in request.POST else None)
    code = CodeForm(request.POST if "code" in request.POST else None)
    methode = request.session.get("dui_portail_methode", "")
    if choix.is_bound and choix.is_valid():
        methode = choix.cleaned_data["second_facteur"]
        request.session["dui_portail_methode"] = methode
        if methode == "totp":
            portail.preparer_totp(compte)
        if methode == "courriel":
            portail.envoyer_code_courriel(compte)
        return redirect("relation:portail_enrolement")
    if code.is_bound and code.is_valid() and methode:
        ok = (
            portail.verifier_totp(compte, code.cleaned_data["code"])
            if methode == "totp"
            else portail.verifier_code_courriel(compte, code.cleaned_data["code"])
        )
        if ok:
            portail.confirmer_second_facteur(compte, methode)
            portail.ouvrir_session(request, compte)
            messages.success(request, "Votre compte est prêt.")
            return redirect("relation:portail_accueil")
        code.add_error("code", "Code incorrect ou expiré : réessayez.")
    qr = secret = ""
    if methode == "totp" and compte.totp_secret:
        import pyotp

        secret = compte.secret_clair
        uri = pyotp.TOTP(secret).provisioning_uri(name=compte.email, issuer_name=settings.DUI_TOTP_ISSUER)
        qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return render(
        request,
        "relation/portail/enrolement.html",
        {"choix": choix, "code": code, "methode": methode, "qr": qr, "secret": secret},
    )


@require_POST
def deconnexion(request):
    compte = getattr(request, "compte_portail", None)
    if compte is not None:
        portail.journal(request, TypeEvenementAuth.DECONNEXION, compte.email, compte)
    request.session.flush()
    messages.info(request, "Vous êtes déconnecté(e).")
    return redirect("relation:portail_connexion")


# --- the space --------------------------------------------------------------------------------------------------


@portail.compte_requis
def accueil(request):
    acces = list(portail.acces_actifs(request.compte_portail))
    if len(acces) == 1:
        return redirect("relation:portail_personne", public_id=acces[0].public_id)
    return render(request, "relation/portail/accueil.html", {"acces": acces})


@portail.compte_requis
def personne(request, public_id):
    acces = portail.acces_ou_404(request, public_id)
    return render(
        request,
        "relation/portail/personne.html",
        {
            "acces": acces,
            "projet": selectors.projet_du_portail(acces, complet=False) if acces.voir_projet else None,
            "agenda": selectors.agenda_du_portail(acces)[:5] if acces.voir_agenda else [],
            "documents": selectors.documents_du_portail(acces)[:5] if acces.voir_documents else [],
            "fils": selectors.fils_du_portail(acces)[:5] if acces.messagerie else [],
            "enquetes": selectors.campagnes_du_portail(acces, request.compte_portail),
        },
    )


@portail.compte_requis
def projet(request, public_id):
    from accompagnement.models import AvisValidation, ExprimePar, StatutPP
    from accompagnement.services import recueillir_avis_en_ligne

    acces = portail.acces_ou_404(request, public_id, "voir_projet")
    pp = selectors.projet_du_portail(acces)
    peut_repondre = bool(pp and pp.statut == StatutPP.CO_CONSTRUCTION and acces.peut_donner_son_accord)
    form = AvisForm(request.POST or None)
    if request.method == "POST":
        if not peut_repondre:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            compte = request.compte_portail
            with traitement(form):
                recueillir_avis_en_ligne(
                    pp,
                    AvisValidation(
                        decision=d["decision"],
                        exprime_par=ExprimePar.USAGER
                        if acces.qualite == "personne"
                        else ExprimePar.REPRESENTANT,
                        nom_representant="" if acces.qualite == "personne" else str(compte),
                        motif=d["motif"],
                    ),
                    str(compte),
                )
                messages.success(
                    request,
                    "Merci : votre accord est enregistré, l'équipe met le projet en œuvre."
                    if d["decision"] == "accord"
                    else "Votre avis est transmis à l'équipe, qui reprendra le projet avec vous.",
                )
                return redirect("relation:portail_projet", public_id=acces.public_id)
    return render(
        request,
        "relation/portail/projet.html",
        {
            "acces": acces,
            "projet": pp,
            "form": form,
            "peut_repondre": peut_repondre,
            "aujourdhui": timezone.localdate(),
        },
    )


@portail.compte_requis
def agenda(request, public_id):
    acces = portail.acces_ou_404(request, public_id, "voir_agenda")
    return render(
        request,
        "relation/portail/agenda.html",
        {"acces": acces, "agenda": selectors.agenda_du_portail(acces)},
    )


@portail.compte_requis
def documents(request, public_id):
    acces = portail.acces_ou_404(request, public_id, "voir_documents")
    return render(
        request,
        "relation/portail/documents.html",
        {"acces": acces, "documents": selectors.documents_du_portail(acces)},
    )


def _un_des(qs, public_id):
    from habilitations.access import get_in_scope_or_404

    return get_in_scope_or_404(qs, public_id)


@portail.compte_requis
def document(request, public_id, partage_id):
    acces = portail.acces_ou_404(request, public_id, "voir_documents")
    partage = _un_des(selectors.documents_du_portail(acces), partage_id)
    doc = partage.document
    return FileResponse(
        doc.fichier.open("rb"),
        as_attachment=False,
        filename=nom_de_fichier_sur(f"{doc.titre}.pdf"),
        content_type="application/pdf",
    )


@portail.compte_requis
def messagerie(request, public_id):
    acces = portail.acces_ou_404(request, public_id, "messagerie")
    form = NouveauFilForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with traitement(form):
            fil = services.ecrire_depuis_le_portail(
                request.compte_portail,
                acces,
                fil=None,
                objet=d["objet"],
                texte=d["texte"],
                fichiers=d["fichiers"],
            )
            messages.success(request, "Message envoyé à l'équipe.")
            return redirect("relation:portail_fil", public_id=acces.public_id, fil_id=fil.public_id)
    return render(
        request,
        "relation/portail/messages.html",
        {"acces": acces, "fils": selectors.fils_du_portail(acces), "form": form},
    )


@portail.compte_requis
def fil(request, public_id, fil_id):
    acces = portail.acces_ou_404(request, public_id, "messagerie")
    le_fil = _un_des(Fil.objects.filter(acces=acces), fil_id)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            services.ecrire_depuis_le_portail(
                request.compte_portail,
                acces,
                fil=le_fil,
                objet="",
                texte=form.cleaned_data["texte"],
                fichiers=form.cleaned_data["fichiers"],
            )
            messages.success(request, "Message envoyé à l'équipe.")
            return redirect("relation:portail_fil", public_id=acces.public_id, fil_id=le_fil.public_id)
    if request.method == "GET":
        services.marquer_lu_par_le_proche(acces, le_fil)
    return render(
        request,
        "relation/portail/fil.html",
        {"acces": acces, "fil": le_fil, "messages_du_fil": selectors.messages_du_fil(le_fil), "form": form},
    )


@portail.compte_requis
def piece(request, public_id, piece_id):
    acces = portail.acces_ou_404(request, public_id, "messagerie")
    piece = _un_des(PieceJointe.objects.filter(message__fil__acces=acces), piece_id)
    return FileResponse(
        piece.fichier.open("rb"),
        as_attachment=True,
        filename=nom_de_fichier_sur(piece.nom),
        content_type=piece.type_mime,
    )


@portail.compte_requis
def reclamation(request, public_id):
    """A complaint from the space: the person or a relative, about the person's accompaniment."""
    from .forms import ReclamationPortailForm

    acces = portail.acces_ou_404(request, public_id)
    form = ReclamationPortailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            services.reclamer_depuis_le_portail(
                request.compte_portail, acces, form.cleaned_data["objet"], form.cleaned_data["description"]
            )
            messages.success(
                request,
                "Votre réclamation est enregistrée. L'établissement en accuse réception et vous répond ici.",
            )
            return redirect("relation:portail_reclamation", public_id=acces.public_id)
    mes_reclamations = selectors.reclamations_du_portail(acces)
    return render(
        request,
        "relation/portail/reclamation.html",
        {"acces": acces, "form": form, "reclamations": mes_reclamations},
    )


@portail.compte_requis
def enquete(request, public_id, campagne_id):
    from .forms import formulaire_de_reponse, valeurs_du_formulaire

    acces = portail.acces_ou_404(request, public_id)
    campagnes = {str(c.public_id): c for c in selectors.campagnes_du_portail(acces, request.compte_portail)}
    campagne = campagnes.get(str(campagne_id))
    if campagne is None:
        raise Http404
    form = formulaire_de_reponse(campagne, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            services.repondre_depuis_le_portail(
                request.compte_portail, acces, campagne, valeurs_du_formulaire(form)
            )
            messages.success(request, "Merci ! Votre réponse est enregistrée, de façon anonyme.")
            return redirect("relation:portail_personne", public_id=acces.public_id)
    return render(
        request, "relation/portail/enquete.html", {"acces": acces, "campagne": campagne, "form": form}
    )
