"""The team's pages of the relation usager: the dossier tab « Relation » (who sees what of the person's
space, the threads, the shared documents), the inbox of an ESMS, a thread. Every lookup goes through the
policy (``social.voir`` / ``social.modifier`` on the person in the ESMS); a refusal is a 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
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


def _page(request, usager):
    from usagers.dossier import contexte_dossier

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
            "reclamations": selectors.reclamations_visibles(request.user).filter(usager=usager)[:20],
            "peut_ecrire": policy.can(request.user, Droit.SOCIAL_MODIFIER, usager),
            "StatutAcces": StatutAcces,
        },
    )


def _page_invitation(request, usager, invitation=None, refus=None):
    """The forms to open the space or record a refusal (a page of their own: the tab stays light)."""
    from usagers.dossier import contexte_dossier

    _etabs, inv, ref = _formulaires(request, usager)
    return render(
        request,
        "relation/inviter.html",
        {
            **contexte_dossier(request, usager, "relation"),
            "invitation": invitation or inv,
            "refus": refus or ref,
        },
    )


@login_required
def dossier(request, public_id):
    from usagers.dossier import usager_ou_404

    usager = usager_ou_404(request, public_id, Droit.SOCIAL_VOIR)
    return _page(request, usager)


@login_required
def inviter(request, public_id):
    from usagers.dossier import usager_ou_404

    usager = usager_ou_404(request, public_id, Droit.SOCIAL_MODIFIER)
    if request.method != "POST":
        return _page_invitation(request, usager)
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
    return _page_invitation(request, usager, invitation=form)


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
    return _page_invitation(request, usager, refus=form)


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


# --- quality: complaints and adverse events -----------------------------------------------------------------


@login_required
def qualite(request, public_id):
    from django.utils import timezone

    etablissement = get_in_scope_or_404(selectors.etablissements_qualite(request.user), public_id)
    try:
        annee = int(request.GET.get("annee") or timezone.localdate().year)
    except ValueError:
        annee = timezone.localdate().year
    annee = min(max(annee, 2000), timezone.localdate().year)
    return render(
        request,
        "relation/qualite.html",
        {
            "etablissement": etablissement,
            "stats": selectors.statistiques_qualite(etablissement, annee),
            "reclamations": selectors.reclamations_visibles(request.user)
            .filter(etablissement=etablissement)
            .exclude(statut="close")[:50],
            "evenements": selectors.evenements_visibles(request.user)
            .filter(etablissement=etablissement)
            .exclude(statut="clos")[:50],
            "fils_non_lus": selectors.boite(request.user, etablissement, "non_lus").count(),
            "campagnes": selectors.campagnes_de(etablissement)[:5],
        },
    )


@login_required
def reclamation_nouvelle(request, public_id):
    from .forms import ReclamationForm
    from .models import Reclamation

    etablissement = get_in_scope_or_404(selectors.etablissements_declaration(request.user), public_id)
    form = ReclamationForm(
        request.POST or None, usagers=selectors.personnes_pour_declaration(request.user, etablissement)
    )
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            reclamation: Reclamation = form.save(commit=False)
            reclamation.etablissement = etablissement
            services.do_enregistrer_reclamation(request.user, reclamation)
            messages.success(request, "Réclamation enregistrée ; l'encadrement de l'établissement la traite.")
            return redirect("relation:reclamation_nouvelle", public_id=etablissement.public_id)
    return render(request, "relation/reclamation_form.html", {"etablissement": etablissement, "form": form})


@login_required
def reclamation(request, public_id):
    from .forms import EtapeReclamationForm

    rec = get_in_scope_or_404(selectors.reclamations_visibles(request.user), public_id)
    form = EtapeReclamationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            services.do_faire_avancer_reclamation(
                request.user, rec, request.POST.get("etape", ""), form.cleaned_data["texte"]
            )
            messages.success(request, "Réclamation mise à jour.")
            return redirect(rec.get_absolute_url())
    return render(request, "relation/reclamation.html", {"reclamation": rec, "form": form})


@login_required
def reclamation_pdf(request, public_id):
    """The answer letter, on the ESMS's letterhead (made on demand: one page, no worker needed)."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    from documents.pdf import pdf_depuis_html

    rec = get_in_scope_or_404(
        selectors.reclamations_visibles(request.user).filter(repondue_le__isnull=False), public_id
    )
    pdf = pdf_depuis_html(render_to_string("relation/pdf/reponse_reclamation.html", {"reclamation": rec}))
    reponse = HttpResponse(pdf, content_type="application/pdf")
    reponse["Content-Disposition"] = (
        f'attachment; filename="{nom_de_fichier_sur(f"reponse-reclamation-{rec.recue_le:%Y%m%d}.pdf")}"'
    )
    return reponse


@login_required
def declarer_choix(request):
    etablissements = list(selectors.etablissements_declaration(request.user))
    if len(etablissements) == 1:
        return redirect("relation:declarer", public_id=etablissements[0].public_id)
    return render(request, "relation/declarer_choix.html", {"etablissements": etablissements})


@login_required
def declarer(request, public_id):
    from .forms import EvenementForm

    etablissement = get_in_scope_or_404(selectors.etablissements_declaration(request.user), public_id)
    form = EvenementForm(
        request.POST or None, usagers=selectors.personnes_pour_declaration(request.user, etablissement)
    )
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            evenement = form.save(commit=False)
            evenement.etablissement = etablissement
            services.do_declarer_evenement(request.user, evenement)
            messages.success(request, "Événement déclaré : l'encadrement est chargé de l'analyser. Merci.")
            return redirect(evenement.get_absolute_url())
    return render(request, "relation/declarer.html", {"etablissement": etablissement, "form": form})


@login_required
def evenement(request, public_id):
    from coordination.selectors import professionnels_de

    from .forms import ActionCorrectiveForm, AnalyseForm, ClotureForm, DeclarationArsForm
    from .models import ActionCorrective

    ei = get_in_scope_or_404(selectors.evenements_visibles(request.user), public_id)
    analyse_possible = ei.etablissement_id in policy.etablissements_autorises(
        request.user, Droit.PILOTAGE_VOIR
    )
    etape = request.POST.get("etape") if request.method == "POST" else None
    professionnels = professionnels_de(ei.etablissement)
    analyse = AnalyseForm(
        request.POST if etape == "analyser" else None,
        initial={"gravite": ei.gravite, "causes": ei.causes, "eigs": ei.eigs,
                 "dysfonctionnement_grave": ei.dysfonctionnement_grave, "famille_informee": ei.famille_informee},
    )  # fmt: skip
    action = ActionCorrectiveForm(request.POST if etape == "action" else None, professionnels=professionnels)
    cloture = ClotureForm(request.POST if etape == "clore" else None)
    ars = DeclarationArsForm(request.POST if etape == "ars" else None)
    if etape:
        if not analyse_possible:
            raise Http404
        form = {"analyser": analyse, "action": action, "clore": cloture, "ars": ars}.get(etape)
        if form is None:
            with traitement(request=request):
                if etape == "realisee":
                    a = get_in_scope_or_404(
                        ActionCorrective.objects.filter(evenement=ei), request.POST.get("action_id")
                    )
                    services.do_action_realisee(request.user, a)
                    messages.success(request, "Action marquée réalisée.")
                    return redirect(ei.get_absolute_url())
                messages.error(request, "Étape inconnue.")
        elif form.is_valid():
            d = form.cleaned_data
            with traitement(form):
                if etape == "analyser":
                    services.do_analyser_evenement(request.user, ei, **d)
                elif etape == "action":
                    services.do_ajouter_action_corrective(request.user, ei, ActionCorrective(**d))
                elif etape == "ars":
                    services.do_declarer_ars(request.user, ei, d["jour"])
                else:
                    services.do_clore_evenement(request.user, ei, d["bilan"])
                messages.success(request, "Événement mis à jour.")
                return redirect(ei.get_absolute_url())
    return render(
        request,
        "relation/evenement.html",
        {
            "ei": ei,
            "actions": ei.actions.select_related("responsable"),
            "analyse_possible": analyse_possible,
            "analyse": analyse,
            "action": action,
            "cloture": cloture,
            "ars": ars,
        },
    )


@login_required
def evenement_ars(request, public_id):
    """The structured declaration to the ARS of an EIGS or a serious dysfunction (PDF, on demand)."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from django.utils import timezone

    from documents.pdf import pdf_depuis_html

    ei = get_in_scope_or_404(
        selectors.evenements_visibles(request.user)
        .filter(etablissement_id__in=policy.etablissements_autorises(request.user, Droit.PILOTAGE_VOIR))
        .filter(Q(eigs=True) | Q(dysfonctionnement_grave=True)),
        public_id,
    )
    pdf = pdf_depuis_html(
        render_to_string("relation/pdf/declaration_ars.html", {"ei": ei, "aujourdhui": timezone.localdate()})
    )
    reponse = HttpResponse(pdf, content_type="application/pdf")
    reponse["Content-Disposition"] = (
        f'attachment; filename="{nom_de_fichier_sur(f"declaration-ars-{ei.survenu_le:%Y%m%d}.pdf")}"'
    )
    return reponse


# --- Conseil de la vie sociale --------------------------------------------------------------------------------


@login_required
def cvs(request, public_id):
    from django.utils import timezone

    from .forms import ElectionCVSForm, MembreCVSForm, ReunionCVSForm

    etablissement = get_in_scope_or_404(selectors.etablissements_qualite(request.user), public_id)
    peut_modifier = etablissement.pk in policy.etablissements_autorises(request.user, Droit.PILOTAGE_MODIFIER)
    formulaire = request.POST.get("formulaire") if request.method == "POST" else None
    elections = selectors.elections_de(etablissement)
    membre = MembreCVSForm(request.POST if formulaire == "membre" else None, elections=elections)
    election = ElectionCVSForm(request.POST if formulaire == "election" else None)
    reunion = ReunionCVSForm(request.POST if formulaire == "reunion" else None)
    if formulaire:
        if not peut_modifier:
            raise Http404
        form, service, message = {
            "membre": (membre, services.do_enregistrer_membre_cvs, "Membre enregistré."),
            "election": (election, services.do_enregistrer_election_cvs, "Scrutin enregistré."),
            "reunion": (reunion, services.do_planifier_reunion_cvs, "Réunion planifiée."),
        }.get(formulaire, (None, None, ""))
        if form is not None and form.is_valid():
            with traitement(form):
                objet = form.save(commit=False)
                objet.etablissement = etablissement
                service(request.user, objet)
                messages.success(request, message)
                return redirect("relation:cvs", public_id=etablissement.public_id)
    annee = timezone.localdate().year
    return render(
        request,
        "relation/cvs.html",
        {
            "etablissement": etablissement,
            "cvs": selectors.cvs_de(etablissement, annee),
            "annee": annee,
            "peut_modifier": peut_modifier,
            "form_membre": membre,
            "form_election": election,
            "form_reunion": reunion,
        },
    )


def _reunion(request, public_id):
    from .models import ReunionCVS

    return get_in_scope_or_404(
        ReunionCVS.objects.filter(
            etablissement__in=selectors.etablissements_qualite(request.user)
        ).select_related("etablissement"),
        public_id,
    )


@login_required
def reunion_cvs(request, public_id):
    from django.utils import timezone

    from .forms import TenueCVSForm

    reunion = _reunion(request, public_id)
    peut_modifier = reunion.etablissement_id in policy.etablissements_autorises(
        request.user, Droit.PILOTAGE_MODIFIER
    )
    jour = timezone.localtime(reunion.date).date()
    membres = selectors.membres_en_mandat(reunion.etablissement, jour)
    form = TenueCVSForm(request.POST if request.POST.get("etape") == "tenir" else None, membres=membres)
    if request.method == "POST":
        if not peut_modifier:
            raise Http404
        if request.POST.get("etape") == "annuler":
            with traitement(request=request):
                services.do_annuler_reunion_cvs(request.user, reunion)
                messages.success(request, "Réunion annulée.")
            return redirect(reunion.get_absolute_url())
        if form.is_valid():
            with traitement(form):
                services.do_tenir_reunion_cvs(request.user, reunion, **form.cleaned_data)
                messages.success(request, "Relevé de conclusions enregistré.")
                return redirect(reunion.get_absolute_url())
    return render(
        request,
        "relation/reunion_cvs.html",
        {
            "reunion": reunion,
            "form": form,
            "peut_modifier": peut_modifier,
            "presents": reunion.presents.all(),
        },
    )


@login_required
def reunion_cvs_pdf(request, public_id):
    """The convocation (agenda) of a planned meeting, or the relevé de conclusions of a held one."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    from documents.pdf import pdf_depuis_html

    reunion = _reunion(request, public_id)
    pdf = pdf_depuis_html(
        render_to_string(
            "relation/pdf/reunion_cvs.html", {"reunion": reunion, "presents": reunion.presents.all()}
        )
    )
    reponse = HttpResponse(pdf, content_type="application/pdf")
    reponse["Content-Disposition"] = (
        f'attachment; filename="{nom_de_fichier_sur(f"cvs-{reunion.date:%Y%m%d}.pdf")}"'
    )
    return reponse


# --- Enquêtes de satisfaction ---------------------------------------------------------------------------------


@login_required
def enquetes(request, public_id):
    from .forms import CampagneForm, QuestionnaireForm, QuestionsFormSet
    from .models import Campagne

    etablissement = get_in_scope_or_404(selectors.etablissements_qualite(request.user), public_id)
    peut_modifier = etablissement.pk in policy.etablissements_autorises(request.user, Droit.PILOTAGE_MODIFIER)
    formulaire = request.POST.get("formulaire") if request.method == "POST" else None
    questionnaires = selectors.questionnaires_de(etablissement)
    questionnaire = QuestionnaireForm(request.POST if formulaire == "questionnaire" else None)
    questions = QuestionsFormSet(request.POST if formulaire == "questionnaire" else None, prefix="questions")
    campagne = CampagneForm(request.POST if formulaire == "campagne" else None, questionnaires=questionnaires)
    if formulaire:
        if not peut_modifier:
            raise Http404
        if formulaire == "questionnaire" and questionnaire.is_valid() and questions.is_valid():
            with traitement(questionnaire):
                services.do_creer_questionnaire(
                    request.user, etablissement, titre=questionnaire.cleaned_data["titre"],
                    introduction=questionnaire.cleaned_data["introduction"],
                    questions=[f.cleaned_data for f in questions.forms if f.cleaned_data],
                )  # fmt: skip
                messages.success(request, "Questionnaire enregistré : ouvrez une campagne avec lui.")
                return redirect("relation:enquetes", public_id=etablissement.public_id)
        if formulaire == "campagne" and campagne.is_valid():
            with traitement(campagne):
                c: Campagne = campagne.save(commit=False)
                c.etablissement = etablissement
                services.do_ouvrir_campagne(request.user, c)
                messages.success(
                    request, "Campagne ouverte : elle apparaît dans l'espace des personnes et des proches."
                )
                return redirect(c.get_absolute_url())
    return render(
        request,
        "relation/enquetes.html",
        {
            "etablissement": etablissement,
            "campagnes": selectors.campagnes_de(etablissement),
            "questionnaires": questionnaires.prefetch_related("questions"),
            "peut_modifier": peut_modifier,
            "form_questionnaire": questionnaire,
            "form_questions": questions,
            "form_campagne": campagne,
        },
    )


@login_required
def campagne(request, public_id):
    from .forms import formulaire_de_reponse, valeurs_du_formulaire

    c = get_in_scope_or_404(selectors.campagnes_saisissables(request.user), public_id)
    voit_resultats = c.etablissement_id in policy.etablissements_autorises(request.user, Droit.PILOTAGE_VOIR)
    papier = formulaire_de_reponse(c, request.POST if request.POST.get("etape") == "papier" else None)
    if request.method == "POST":
        etape = request.POST.get("etape")
        if etape == "clore":
            with traitement(request=request):
                services.do_clore_campagne(request.user, c)
                messages.success(request, "Campagne close.")
            return redirect(c.get_absolute_url())
        if etape == "papier" and papier.is_valid():
            with traitement(papier):
                services.do_saisir_reponse_papier(request.user, c, valeurs_du_formulaire(papier))
                messages.success(request, "Questionnaire papier enregistré (anonyme). Saisissez le suivant.")
                return redirect(c.get_absolute_url())
    return render(
        request,
        "relation/campagne.html",
        {
            "campagne": c,
            "resultats": selectors.resultats(c) if voit_resultats else None,
            "papier": papier,
            "peut_clore": c.etablissement_id
            in policy.etablissements_autorises(request.user, Droit.PILOTAGE_MODIFIER),
        },
    )


@login_required
def campagne_export(request, public_id):
    """The answers in CSV (default) or XLSX (``?format=xlsx``): anonymous rows in a random order, cells that
    a spreadsheet would run as formulas neutralised."""
    import csv
    import io

    from django.http import HttpResponse

    from dui.exports import cellule_sure

    c = get_in_scope_or_404(selectors.campagnes_visibles(request.user), public_id)
    entetes, rangs = selectors.tableau_des_reponses(c)
    nom = nom_de_fichier_sur(f"enquete-{c.titre}")
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        classeur = Workbook()
        feuille = classeur.active
        feuille.title = "Réponses"
        feuille.append([cellule_sure(v) for v in entetes])
        for rang in rangs:
            feuille.append([cellule_sure(v) for v in rang])
        tampon = io.BytesIO()
        classeur.save(tampon)
        reponse = HttpResponse(
            tampon.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        reponse["Content-Disposition"] = f'attachment; filename="{nom}.xlsx"'
        return reponse
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";")
    ecrivain.writerow([cellule_sure(v) for v in entetes])
    for rang in rangs:
        ecrivain.writerow([cellule_sure(v) for v in rang])
    reponse = HttpResponse(("\ufeff" + tampon.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.csv"'
    return reponse
