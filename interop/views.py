"""Pages of the national exchanges: the ESMS's exchanges (retry, cancel), sending a document to the DMP or
by MSSanté, the dossier's exchanges and FHIR export, the usage indicators for the director."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from annuaire.selectors import adresses_mssante
from documents.selectors import documents_lisibles, lisibles_parmi
from dui.audit import journaliser_acces, journaliser_personnes
from dui.exports import nom_de_fichier_sur
from dui.forms import choix_etablissements, traitement, traiter
from dui.models import Etablissement, TypeAcces
from habilitations import policy
from habilitations.access import for_tenant, get_for_user_or_404, get_in_scope_or_404
from habilitations.roles import Droit
from usagers.dossier import contexte_dossier
from usagers.models import Usager

from . import services
from .boite import boites_lisibles
from .fhir import construire_bundle
from .forms import EnvoiDmpForm, EnvoiMssanteForm, ExportFhirForm, FiltreEnvoisForm, IndicateursForm
from .models import OperationEnvoi, StatutEnvoi, TypeEnvoi
from .selectors import envois_de_la_page, envois_du_dossier, envois_visibles, indicateurs


def _etablissements(user, action: str) -> list[Etablissement]:
    return list(
        for_tenant(
            user, Etablissement.objects.filter(pk__in=policy.etablissements_autorises(user, action))
        ).order_by("nom")
    )


@login_required
def liste(request):
    user = request.user
    etabs = _etablissements(user, Droit.DOCUMENTS_VOIR)
    if not etabs:
        raise Http404
    form = FiltreEnvoisForm(request.GET or None)
    choix_etablissements(form, etabs)
    visibles = envois_visibles(user)
    envois = visibles
    filtre = False
    if form.is_bound and form.is_valid():
        if form.cleaned_data["etablissement"]:
            envois, filtre = envois.filter(etablissement=form.cleaned_data["etablissement"]), True
        if form.cleaned_data["statut"]:
            envois, filtre = envois.filter(statut=form.cleaned_data["statut"]), True
    # Both counts of the page in one query (the exchanges in échec, and all of them when no filter applies),
    # then the page in two steps: its 50 ids under the policy (a plan that the joins of the displayed
    # columns made ten times slower at the large organisme), then those rows with their columns.
    comptes = visibles.aggregate(tous=Count("id"), echec=Count("id", filter=Q(statut=StatutEnvoi.ECHEC)))
    paginator = Paginator(envois.order_by("-cree_le", "-id").values_list("id", flat=True), 50)
    if not filtre:
        paginator.count = comptes["tous"]  # known already: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    page.object_list = marquer_lisibles(user, envois_de_la_page(user, ids))
    journaliser_personnes(
        request,
        TypeAcces.LECTURE,
        (e.usager for e in page.object_list),
        "Liste des échanges (ligne affichée)",
    )
    return render(
        request,
        "interop/liste.html",
        {
            "form": form,
            "page": page,
            "modifiables": policy.etablissements_autorises(user, Droit.DOCUMENTS_MODIFIER),
            "en_echec": comptes["echec"],
            "voit_messagerie": bool(boites_lisibles(user)),
        },
    )


def marquer_lisibles(user, envois) -> list:
    """Each exchange knows whether its document is one the user may read (its data category): the title and
    the actions of the others are not shown (one query for the page)."""
    envois = list(envois)
    ids = {e.document_id for e in envois if e.document_id}
    lisibles = lisibles_parmi(user, ids, {e.document.categorie for e in envois if e.document_id})
    for envoi in envois:
        envoi.document_lisible = envoi.document_id is None or envoi.document_id in lisibles
    return envois


def _action(request, public_id, service, succes):
    envoi = get_in_scope_or_404(envois_visibles(request.user), public_id)
    with traitement(request=request):
        service(request.user, envoi)
        messages.success(request, succes)
    suite = request.POST.get("suite", "")
    return redirect(suite if suite.startswith("/") and not suite.startswith("//") else "interop:liste")


@login_required
@require_POST
def relancer(request, public_id):
    return _action(request, public_id, services.do_relancer, "Envoi relancé : il part dans un instant.")


@login_required
@require_POST
def annuler(request, public_id):
    return _action(request, public_id, services.do_annuler, "Envoi annulé.")


@login_required
def document(request, public_id):
    """ "Envoyer" a document: to the DMP (with masking), or to a correspondent by MSSanté."""
    user = request.user
    doc = get_in_scope_or_404(
        documents_lisibles(user).select_related("usager", "etablissement", "auteur"), public_id
    )
    if not policy.can_contenu(user, Droit.DOCUMENTS_MODIFIER, doc):
        raise Http404
    correspondants = []
    if policy.can(user, Droit.SOINS_VOIR, doc.usager):
        from soins.models import Intervenant

        correspondants = list(
            for_tenant(user, Intervenant.objects.filter(usager=doc.usager, actif=True)).exclude(
                adresse_mss=""
            )
        )
    nom = request.POST.get("formulaire", "") if request.method == "POST" else ""
    if nom not in ("", "dmp", "mssante", "retrait"):
        raise Http404
    if nom == "retrait":
        with traitement(request=request) as etat:
            services.do_demander_retrait_dmp(user, doc)
        if etat.ok:
            messages.success(request, "Retrait du DMP demandé : le document y sera marqué déprécié.")
        return redirect("interop:document", public_id=doc.public_id)
    dmp_form = EnvoiDmpForm(request.POST if nom == "dmp" else None)
    mss_form = EnvoiMssanteForm(
        correspondants, request.POST if nom == "mssante" else None, partenaires=adresses_mssante(user)[:200]
    )
    if nom == "dmp" and traiter(
        dmp_form, lambda: services.do_demander_envoi_dmp(user, doc, dmp_form.cleaned_data["masquage"])
    ):
        messages.success(request, "Envoi au DMP demandé : il part dans un instant.")
        return redirect("interop:document", public_id=doc.public_id)
    if nom == "mssante" and traiter(
        mss_form, lambda: services.do_demander_envoi_mssante(user, doc, *mss_form.choix)
    ):
        messages.success(request, f"Message sécurisé à {mss_form.choix[0]} : il part dans un instant.")
        return redirect("interop:document", public_id=doc.public_id)
    envois = list(doc.envois.select_related("demande_par").order_by("-cree_le"))
    return render(
        request,
        "interop/document.html",
        {
            **contexte_dossier(request, doc.usager, "echanges", precision=f"envoi de « {doc.titre} »"),
            "document": doc,
            "envois": envois,
            "dmp_form": dmp_form,
            "mss_form": mss_form,
            "modifiables": policy.etablissements_autorises(user, Droit.DOCUMENTS_MODIFIER),
            "motif_dmp": services.motif_blocage_dmp(doc),
            "dmp_en_cours": next(
                (
                    e
                    for e in envois
                    if e.type_envoi == TypeEnvoi.DMP
                    and e.operation == OperationEnvoi.DEPOT
                    and e.statut != StatutEnvoi.ANNULE
                ),
                None,
            ),
            "retrait_dmp": next(
                (
                    e
                    for e in envois
                    if e.operation == OperationEnvoi.RETRAIT and e.statut != StatutEnvoi.ANNULE
                ),
                None,
            ),
        },
    )


@login_required
def dossier(request, public_id):
    user = request.user
    usager = get_for_user_or_404(
        user, Droit.DOCUMENTS_VOIR, Usager.objects.filter(fusionne_dans__isnull=True), public_id
    )
    du_dossier = usager.etablissement_ids()
    etabs = [
        e
        for e in _etablissements(user, Droit.DOCUMENTS_MODIFIER)
        if e.pk in du_dossier and services.peut_exporter_fhir(user, usager, e)
    ]
    form = ExportFhirForm(request.POST or None)
    choix_etablissements(form, etabs)
    if request.method == "POST":
        if not etabs:
            raise Http404
        if traiter(
            form, lambda: services.do_demander_envoi_fhir(user, usager, form.cleaned_data["etablissement"])
        ):
            messages.success(request, "Export FHIR demandé : il part vers l'entrepôt dans un instant.")
            return redirect("interop:dossier", public_id=usager.public_id)
    return render(
        request,
        "interop/dossier.html",
        {
            **contexte_dossier(request, usager, "echanges"),
            "envois": marquer_lisibles(user, envois_du_dossier(user, usager)),
            "modifiables": policy.etablissements_autorises(user, Droit.DOCUMENTS_MODIFIER),
            "form": form if etabs else None,
        },
    )


@login_required
def export_fhir(request, public_id, etablissement_id):
    """The FHIR TDDUI Bundle of the dossier for one ESMS, as a download (journaled as an export)."""
    user = request.user
    usager = get_for_user_or_404(
        user, Droit.DOCUMENTS_VOIR, Usager.objects.filter(fusionne_dans__isnull=True), public_id
    )
    etablissement = get_for_user_or_404(
        user, Droit.DOCUMENTS_MODIFIER, Etablissement.objects.all(), etablissement_id
    )
    if (
        not services.peut_exporter_fhir(user, usager, etablissement)
        or etablissement.pk not in usager.etablissement_ids()
    ):
        raise Http404
    bundle = construire_bundle(
        usager, etablissement, identifiant=f"urn:uuid:{usager.public_id}", lecteur=request.user
    )
    journaliser_acces(
        request,
        TypeAcces.EXPORT,
        usager,
        f"Export FHIR (TDDUI) de {usager} — {etablissement.nom}",
        etablissement_id=etablissement.pk,
    )
    reponse = HttpResponse(
        json.dumps(bundle, ensure_ascii=False, indent=1), content_type="application/fhir+json"
    )
    nom = nom_de_fichier_sur(f"tddui-{usager.nom_naissance.lower()}-{timezone.localdate():%Y%m%d}.json")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'  # safe characters only
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@login_required
def tableau_indicateurs(request, etablissement_id):
    etablissement = get_for_user_or_404(
        request.user, Droit.PILOTAGE_VOIR, Etablissement.objects.all(), etablissement_id
    )
    jour = timezone.localdate()
    depuis = datetime.date(jour.year, 1, 1)
    form = IndicateursForm(request.GET or None, initial={"depuis": depuis})
    if form.is_bound and form.is_valid() and form.cleaned_data["depuis"]:
        depuis = form.cleaned_data["depuis"]
    return render(
        request,
        "interop/indicateurs.html",
        {"etablissement": etablissement, "form": form, **indicateurs(etablissement, depuis, jour)},
    )
