"""Pages of the gestion documentaire: the dossier's documents, a document's file, its status (htmx)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dui.audit import journaliser_acces, journaliser_personnes
from dui.exports import nom_de_fichier_sur
from dui.forms import traitement
from dui.models import TypeAcces
from dui.uploads import fichiers_trop_gros, taille_lisible
from habilitations import policy
from habilitations.access import get_for_user_or_404, get_in_scope_or_404
from habilitations.roles import Droit
from usagers.dossier import contexte_dossier, usager_ou_404
from usagers.models import Usager

from . import selectors, services
from .forms import ASSEMBLER, ClasseForm, ClassementForm, DepotForm, MotifForm, RechercheForm, VersionForm
from .models import ClasseDocument, Document
from .recherche import extrait
from .selectors import documents_lisibles

logger = logging.getLogger(__name__)


def _document(request, public_id) -> Document:
    return get_in_scope_or_404(documents_lisibles(request.user).select_related("usager"), public_id)


@login_required
def dossier(request, public_id):
    usager = get_for_user_or_404(
        request.user, Droit.DOCUMENTS_VOIR, Usager.objects.filter(fusionne_dans__isnull=True), public_id
    )
    form = RechercheForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    # the dossier's context first: it loads the person's séjours, which the policy then reads for the list
    contexte = contexte_dossier(request, usager, "documents", f"recherche « {q} »" if q else "")
    if q:
        documents = list(selectors.rechercher(request.user, q, usager=usager))
        for d in documents:
            d.extrait = extrait(d.extrait_brut)
    else:
        documents = list(selectors.documents_en_vigueur(request.user, usager))
    envoyables = policy.etablissements_autorises(request.user, Droit.DOCUMENTS_MODIFIER)
    return render(
        request,
        "documents/dossier.html",
        {
            **contexte,
            "documents": documents,
            "form": form,
            "q": q,
            "envoyables": envoyables,
            "peut_deposer": bool(envoyables),
        },
    )


def _formulaire_classement(request, usager, classe_form=ClassementForm, **kwargs):
    return classe_form(
        request.POST or None,
        request.FILES or None,
        classes=selectors.classes_classables(request.user),
        sejours=selectors.sejours_pour_depot(request.user, usager),
        partenaires=selectors.emetteurs(request.user),
        **kwargs,
    )


@login_required
def deposer(request, public_id):
    """Add documents to the dossier: files from a desktop (drag and drop, several), or the pages of a paper
    document photographed one after the other on a tablet, assembled into one PDF."""
    usager = usager_ou_404(request, public_id, Droit.DOCUMENTS_MODIFIER)
    request.POST  # noqa: B018 - parsed first: the files stopped while they streamed in are known after it
    form = _formulaire_classement(request, usager, DepotForm, trop_gros=fichiers_trop_gros(request))
    if not request.POST:
        sejours = list(form.fields["sejour"].queryset[:2])
        if sejours:
            form.initial["sejour"] = sejours[0].pk
        if request.GET.get("mode") == ASSEMBLER:
            form.initial["mode"] = ASSEMBLER
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            d = form.cleaned_data
            deposes = services.do_deposer(
                request.user,
                usager=usager,
                sejour=d["sejour"],
                classe=d["classe"],
                fichiers=d["fichiers"],
                assembler=d["mode"] == ASSEMBLER,
                titre=d["titre"],
                date_document=d["date_document"],
                source_partenaire=d.get("source_partenaire"),
                source_libre=d["source_libre"],
                etiquettes=d["etiquettes"],
                confidentialite=d["confidentialite"],
            )
            n = len(deposes)
            messages.success(
                request,
                f"{n} document{'s' if n > 1 else ''} ajouté{'s' if n > 1 else ''} au dossier ; l'aperçu et la "
                f"recherche dans le texte seront prêts dans quelques instants.",
            )
            if n == 1:
                return redirect("documents:fiche", public_id=deposes[0].public_id)
            return redirect("documents:dossier", public_id=usager.public_id)
    return render(
        request,
        "documents/deposer.html",
        {
            **contexte_dossier(request, usager, "documents", "ajout de documents"),
            "form": form,
            "plan_vide": not form.fields["classe"].queryset.exists(),
            "taille_max": taille_lisible(settings.DUI_MAX_DOCUMENT),
        },
    )


def _fiche_contexte(request, document, **extra):
    return {
        **contexte_dossier(request, document.usager, "documents", f"document « {document.titre} »"),
        "document": document,
        "versions": selectors.versions(request.user, document) if document.objet_id else [document],
        "historique": selectors.historique_classement(document),
        "peut_ecrire": _peut_ecrire(request.user, document),
        **extra,
    }


def _peut_ecrire(user, document) -> bool:
    """The document is readable (the caller found it through ``documents_lisibles``): writing it needs the
    ``documents`` write right on it as well (``services._exiger_ecriture``)."""
    return document.detruit_le is None and policy.can_contenu(user, Droit.DOCUMENTS_MODIFIER, document)


@login_required
def fiche(request, public_id):
    document = _document(request, public_id)
    return render(
        request,
        "documents/fiche.html",
        _fiche_contexte(request, document, version_form=VersionForm(), erreur_form=MotifForm()),
    )


def _document_a_ecrire(request, public_id) -> Document:
    """A document the professional may write: readable, and the ``documents`` write right on it (404 else)."""
    document = _document(request, public_id)
    if not _peut_ecrire(request.user, document):
        raise Http404
    return document


@login_required
def classer(request, public_id):
    document = _document_a_ecrire(request, public_id)
    form = _formulaire_classement(
        request,
        document.usager,
        initial={
            "classe": document.classe_id,
            "sejour": document.sejour_id,
            "titre": document.titre,
            "date_document": document.date_document,
            "source_partenaire": document.source_partenaire_id,
            "source_libre": document.source_libre,
            "etiquettes": ", ".join(document.etiquettes),
            "confidentialite": document.confidentialite,
        },
    )
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            valeurs = {k: v for k, v in form.cleaned_data.items() if k in services.CHAMPS_CLASSEMENT}
            services.do_classer(request.user, document, **valeurs)
            messages.success(request, "Classement enregistré ; l'ancien reste dans l'historique du document.")
            return redirect("documents:fiche", public_id=document.public_id)
    return render(request, "documents/classer.html", _fiche_contexte(request, document, form=form))


@login_required
@require_POST
def nouvelle_version(request, public_id):
    document = _document_a_ecrire(request, public_id)
    donnees, envoyes = request.POST, request.FILES
    form = VersionForm(donnees, envoyes, trop_gros=fichiers_trop_gros(request))
    if form.is_valid():
        with traitement(form):
            nouveau = services.do_nouvelle_version(request.user, document, form.cleaned_data["fichiers"])
            messages.success(request, f"Version {nouveau.version} enregistrée ; la précédente est conservée.")
            return redirect("documents:fiche", public_id=nouveau.public_id)
    return render(
        request,
        "documents/fiche.html",
        _fiche_contexte(request, document, version_form=form, erreur_form=MotifForm()),
    )


@login_required
@require_POST
def marquer_erreur(request, public_id):
    document = _document_a_ecrire(request, public_id)
    form = MotifForm(request.POST)
    if form.is_valid():
        with traitement(form):
            services.do_marquer_en_erreur(request.user, document, form.cleaned_data["motif"])
            messages.success(
                request, "Document marqué saisi par erreur : il reste tracé, barré, dans le dossier."
            )
            return redirect("documents:fiche", public_id=document.public_id)
    return render(
        request,
        "documents/fiche.html",
        _fiche_contexte(request, document, version_form=VersionForm(), erreur_form=form),
    )


@login_required
def image(request, public_id, genre):
    """The preview (first page) or the thumbnail of a document, under the same rules as its file."""
    document = _document(request, public_id)
    champ = document.apercu if genre == "apercu" else document.vignette
    if not document.disponible or not champ:
        raise Http404
    try:
        contenu = champ.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    reponse = FileResponse(contenu, content_type="image/png")
    reponse["Cache-Control"] = "private, max-age=3600"
    return reponse


@login_required
def recherche(request):
    """Search the text of every document the professional may read (French, accents ignored)."""
    form = RechercheForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    resultats = list(selectors.rechercher(request.user, q)) if q else []
    for d in resultats:
        d.extrait = extrait(d.extrait_brut)
    if resultats:
        journaliser_personnes(
            request,
            TypeAcces.RECHERCHE,
            {d.usager_id: d.usager for d in resultats}.values(),
            f"Recherche dans les documents : « {q} »",
        )
    return render(request, "documents/recherche.html", {"form": form, "q": q, "resultats": resultats})


# --- Classification plan (administrator of the organisme) -------------------------------------------------


def _exiger_admin(request) -> None:
    if not (request.user.est_admin_organisme and request.user.organisme_id):
        raise Http404


@login_required
def plan(request):
    _exiger_admin(request)
    if request.method == "POST":
        with traitement(request=request, refus_404=False):
            n = services.do_installer_plan_type(request.user)
            messages.success(
                request, f"{n} type{'s' if n > 1 else ''} de document ajouté{'s' if n > 1 else ''} au plan."
            )
            return redirect("documents:plan")
    return render(
        request,
        "documents/plan.html",
        {"classes": selectors.classes_du_plan(request.user.organisme_id, actives=False)},
    )


@login_required
def classe(request, public_id=None):
    _exiger_admin(request)
    instance = None
    if public_id is not None:
        instance = get_in_scope_or_404(
            selectors.classes_du_plan(request.user.organisme_id, actives=False), public_id
        )
    form = ClasseForm(request.POST or None, instance=instance or ClasseDocument(conservation_annees=5))
    if request.method == "POST" and form.is_valid():
        with traitement(form, refus_404=False):
            services.do_enregistrer_classe(request.user, instance, **form.cleaned_data)
            messages.success(request, "Type de document enregistré.")
            return redirect("documents:plan")
    return render(request, "documents/classe.html", {"form": form, "classe": instance})


# --- Retention: the DPO confirms destructions ------------------------------------------------------------


def _exiger_dpo(request) -> None:
    if not (request.user.est_dpo and request.user.organisme_id):
        raise Http404


@login_required
def conservation(request):
    _exiger_dpo(request)
    a_detruire = list(selectors.a_detruire(request.user)[:200])
    if a_detruire:
        journaliser_personnes(
            request,
            TypeAcces.LECTURE,
            {d.usager_id: d.usager for d in a_detruire}.values(),
            "Documents à détruire (fin de la durée de conservation)",
        )
    return render(
        request,
        "documents/conservation.html",
        {"a_detruire": a_detruire, "detruits": selectors.detruits(request.user), "form": MotifForm()},
    )


@login_required
@require_POST
def detruire(request, public_id):
    _exiger_dpo(request)
    document = get_in_scope_or_404(selectors.a_detruire(request.user), public_id)
    form = MotifForm(request.POST)
    if form.is_valid():
        with traitement(form, refus_404=False):
            services.do_detruire(request.user, document, form.cleaned_data["motif"])
            journaliser_acces(
                request,
                TypeAcces.ADMINISTRATION,
                document,
                f"Destruction du document « {document.titre} » de {document.usager} (fin de conservation)",
                etablissement_id=document.etablissement_id,
            )
            messages.success(request, f"Document « {document.titre} » détruit ; la destruction est tracée.")
            return redirect("documents:conservation")
    messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("documents:conservation")


@login_required
def fichier(request, public_id):
    document = _document(request, public_id)
    if not document.disponible or not document.fichier:
        raise Http404
    try:
        contenu = document.fichier.open("rb")
    except FileNotFoundError:  # the row says "disponible" but the storage lost the file: say so, no 500
        logger.error(
            "Fichier absent du stockage pour le document %s (%s)", document.public_id, document.fichier.name
        )
        raise Http404("Le fichier de ce document est introuvable sur le serveur.") from None
    journaliser_acces(
        request,
        TypeAcces.IMPRESSION,
        document,
        f"Document « {document} » de {document.usager}",
        etablissement_id=document.etablissement_id,
    )
    reponse = FileResponse(
        contenu,
        content_type=document.type_mime,
        filename=nom_de_fichier_sur(document.nom_fichier),
        as_attachment=request.GET.get("telecharger") == "1",
    )
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@login_required
def statut(request, public_id):
    """htmx fragment polled while the worker prepares the document."""
    document = _document(request, public_id)
    return render(request, "documents/_statut.html", {"document": document})
