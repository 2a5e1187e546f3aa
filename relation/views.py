"""The team's pages of the relation usager: the dossier tab « Relation » (who sees what of the person's
space, the threads, the shared documents), the inbox of an ESMS, a thread. Every lookup goes through the
policy (``social.voir`` / ``social.modifier`` on the person in the ESMS); a refusal is a 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dui.exports import nom_de_fichier_sur
from dui.forms import traitement
from habilitations import policy
from habilitations.access import get_contenu_or_404, get_in_scope_or_404
from habilitations.roles import Droit

from . import selectors, services
from .forms import AttributionForm, InvitationForm, MessageForm, MotifForm, RefusForm, ReglageForm
from .models import AccesPortail, Fil, Message, PartageDocument, PieceJointe, StatutAcces


def _formulaires(request, usager, donnees=None, cible=""):
    etablissements = selectors.etablissements_pour_ecrire(request.user, usager)
    proches = usager.proches.all()
    return (
        etablissements,
        InvitationForm(
            donnees if cible == "inviter" else None, proches=proches, etablissements=etablissements
        ),
        RefusForm(donnees if cible == "refus" else None, proches=proches, etablissements=etablissements),
    )


def _page(request, usager, invitation=None, refus=None):
    from usagers.dossier import contexte_dossier

    etablissements, inv, ref = _formulaires(request, usager)
    peut_partager = policy.can(request.user, Droit.DOCUMENTS_MODIFIER, usager)
    return render(
        request,
        "relation/dossier.html",
        {
            **contexte_dossier(request, usager, "relation"),
            "acces": selectors.acces_du_dossier(request.user, usager),
            "fils": selectors.fils_du_dossier(request.user, usager)[:50],
            "partages": selectors.partages_du_dossier(request.user, usager)
            if policy.can(request.user, Droit.DOCUMENTS_VOIR, usager)
            else [],
            "partageables": selectors.documents_partageables(request.user, usager) if peut_partager else [],
            "peut_partager": peut_partager,
            "peut_ecrire": bool(etablissements),
            "invitation": invitation or inv,
            "refus": refus or ref,
            "StatutAcces": StatutAcces,
        },
    )


@login_required
def dossier(request, public_id):
    from usagers.dossier import usager_ou_404

    usager = usager_ou_404(request, public_id, Droit.SOCIAL_VOIR)
    return _page(request, usager)


@login_required
@require_POST
def inviter(request, public_id):
    from usagers.dossier import usager_ou_404

    usager = usager_ou_404(request, public_id, Droit.SOCIAL_MODIFIER)
    _etabs, form, _refus = _formulaires(request, usager, request.POST, "inviter")
    if form.is_valid():
        d = form.cleaned_data
        with traitement(form):
            acces = services.do_inviter(
                request.user,
                usager,
                d["etablissement"],
                qualite=d["qualite"],
                proche=d["proche"],
                email=d["email"],
                voir_projet=d["voir_projet"],
                voir_agenda=d["voir_agenda"],
                voir_documents=d["voir_documents"],
                messagerie=d["messagerie"],
                accord_personne_le=d["accord_personne_le"],
                accord_modalite=d["accord_modalite"],
            )
            messages.success(
                request,
                "Accès ouvert : la personne a été prévenue par e-mail."
                if acces.statut == StatutAcces.ACTIF
                else "Invitation envoyée : le lien sert une fois et expire dans "
                f"{settings.DUI_PORTAIL_INVITATION_HEURES} heures.",
            )
            return redirect("relation:dossier", public_id=usager.public_id)
    return _page(request, usager, invitation=form)


@login_required
@require_POST
def refus(request, public_id):
    from usagers.dossier import usager_ou_404

    usager = usager_ou_404(request, public_id, Droit.SOCIAL_MODIFIER)
    _etabs, _inv, form = _formulaires(request, usager, request.POST, "refus")
    if form.is_valid():
        d = form.cleaned_data
        with traitement(form):
            services.do_enregistrer_refus(request.user, usager, d["etablissement"], d["proche"], d["motif"])
            messages.success(
                request, "Refus de la personne enregistré : ce proche ne voit rien de son espace."
            )
            return redirect("relation:dossier", public_id=usager.public_id)
    return _page(request, usager, refus=form)


@login_required
@require_POST
def acces(request, public_id):
    """Withdraw, resend the invitation, or change what the access shows."""
    acces = get_contenu_or_404(
        request.user,
        Droit.SOCIAL_MODIFIER,
        AccesPortail.objects.select_related("usager", "etablissement"),
        public_id,
    )
    action = request.POST.get("action")
    with traitement(request=request):
        if action == "retirer":
            form = MotifForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Indiquez le motif du retrait (il est tracé).")
            else:
                services.do_revoquer(request.user, acces, form.cleaned_data["motif"])
                messages.success(request, "Accès retiré : il ne permet plus rien, dès maintenant.")
        elif action == "renvoyer":
            services.do_renvoyer_invitation(request.user, acces)
            messages.success(request, "Nouvelle invitation envoyée ; l'ancien lien ne sert plus.")
        elif action == "regler":
            form = ReglageForm(request.POST)
            if form.is_valid():
                services.do_regler(request.user, acces, **form.cleaned_data)
                messages.success(request, "Rubriques de l'accès enregistrées.")
        else:
            messages.error(request, "Action inconnue.")
    return redirect("relation:dossier", public_id=acces.usager.public_id)


@login_required
@require_POST
def partager(request, public_id):
    from documents.selectors import documents_lisibles
    from usagers.dossier import usager_ou_404

    usager = usager_ou_404(request, public_id, Droit.DOCUMENTS_MODIFIER)
    try:
        document = get_in_scope_or_404(
            documents_lisibles(request.user).filter(usager=usager), request.POST.get("document")
        )
    except Http404:
        messages.error(request, "Choisissez un document du dossier à partager.")
        return redirect("relation:dossier", public_id=usager.public_id)
    with traitement(request=request):
        services.do_partager(request.user, document)
        messages.success(
            request, f"« {document.titre} » est visible dans l'espace de la personne et de ses proches."
        )
    return redirect("relation:dossier", public_id=usager.public_id)


@login_required
@require_POST
def retirer_partage(request, public_id):
    from documents.selectors import documents_lisibles

    partage = get_in_scope_or_404(
        PartageDocument.objects.filter(
            organisme_id=request.user.organisme_id,
            document__in=documents_lisibles(request.user).values("pk"),
        ).select_related("document", "usager"),
        public_id,
    )
    with traitement(request=request):
        services.do_retirer_partage(request.user, partage)
        messages.success(request, "Le document n'est plus partagé.")
    return redirect("relation:dossier", public_id=partage.usager.public_id)


# --- inbox and threads ----------------------------------------------------------------------------------------


FILTRES = [
    ("", "Ouverts"),
    ("non_lus", "Non lus"),
    ("a_moi", "Qui me sont confiés"),
    ("non_attribues", "Non attribués"),
    ("tous", "Tous, clos compris"),
]


@login_required
def boite(request, public_id):
    etablissement = get_in_scope_or_404(selectors.etablissements_boite(request.user), public_id)
    filtre = request.GET.get("filtre", "")
    if filtre not in dict(FILTRES):
        filtre = ""
    return render(
        request,
        "relation/boite.html",
        {
            "etablissement": etablissement,
            "fils": selectors.boite(request.user, etablissement, filtre)[:100],
            "filtre": filtre,
            "filtres": FILTRES,
        },
    )


def _fil(request, public_id, action=Droit.SOCIAL_VOIR) -> Fil:
    return get_in_scope_or_404(
        policy.scope_contenu(
            request.user,
            action,
            Fil.objects.select_related(
                "usager", "etablissement", "referent", "acces__compte", "acces__proche"
            ),
        ),
        public_id,
    )


@login_required
def fil(request, public_id):
    fil = _fil(request, public_id)
    peut_ecrire = policy.can_dans_etablissement(
        request.user, Droit.SOCIAL_MODIFIER, fil.usager, fil.etablissement
    )
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not peut_ecrire:
            raise Http404
        if form.is_valid():
            with traitement(form):
                services.do_repondre(
                    request.user, fil, form.cleaned_data["texte"], form.cleaned_data["fichiers"]
                )
                messages.success(
                    request, "Réponse envoyée ; la personne est prévenue par e-mail (sans le contenu)."
                )
                return redirect(fil.get_absolute_url())
    else:
        services.marquer_lu_par_l_equipe(request.user, fil)
    from coordination.selectors import professionnels_de

    return render(
        request,
        "relation/fil.html",
        {
            "fil": fil,
            "messages_du_fil": selectors.messages_du_fil(fil),
            "form": form,
            "peut_ecrire": peut_ecrire,
            "attribution": AttributionForm(
                initial={"referent": fil.referent_id}, professionnels=professionnels_de(fil.etablissement)
            )
            if peut_ecrire
            else None,
        },
    )


@login_required
@require_POST
def fil_action(request, public_id):
    fil = _fil(request, public_id, Droit.SOCIAL_MODIFIER)
    action = request.POST.get("action")
    with traitement(request=request):
        if action == "attribuer":
            from coordination.selectors import professionnels_de

            form = AttributionForm(request.POST, professionnels=professionnels_de(fil.etablissement))
            if form.is_valid():
                services.do_attribuer(request.user, fil, form.cleaned_data["referent"])
                messages.success(request, "Fil attribué.")
            else:
                messages.error(request, "Choisissez un professionnel de l'établissement.")
        elif action == "clore":
            services.do_clore(request.user, fil)
            messages.success(request, "Fil clos ; un nouveau message le rouvrira.")
        else:
            messages.error(request, "Action inconnue.")
    return redirect(fil.get_absolute_url())


@login_required
@require_POST
def classer(request, public_id):
    message = get_in_scope_or_404(
        Message.objects.filter(
            fil__in=policy.scope_contenu(request.user, Droit.SOCIAL_MODIFIER, Fil.objects.all())
        ).select_related("fil__usager", "fil__etablissement", "fil__acces", "auteur_pro", "auteur_compte"),
        public_id,
    )
    with traitement(request=request):
        services.do_classer_au_journal(request.user, message)
        messages.success(request, "Message classé au journal de suivi (relations familiales).")
    return redirect(message.fil.get_absolute_url())


@login_required
def piece(request, public_id):
    piece = get_in_scope_or_404(
        PieceJointe.objects.filter(message__fil__in=selectors.fils_visibles(request.user)), public_id
    )
    return FileResponse(
        piece.fichier.open("rb"),
        as_attachment=True,
        filename=nom_de_fichier_sur(piece.nom),
        content_type=piece.type_mime,
    )
