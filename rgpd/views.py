"""Pages of the RGPD app: the right of access (request, follow-up, one download), the lifecycle of the
dossiers (retention rules, archives, anonymisation) and the report of unusual accesses."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dui.audit import journaliser_acces
from dui.exports import nom_de_fichier_sur
from dui.forms import traitement
from dui.models import TypeAcces
from habilitations.access import for_tenant
from habilitations.models import Professionnel
from usagers.models import Usager

from . import cycle, services, surveillance
from .forms import DroitAccesForm, RegleForm, SurveillanceForm
from .models import DemandeDroitAcces, NatureDonnees


def _exiger(request) -> None:
    if not services.peut_demander_droit_acces(request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def droit_acces(request):
    """The DPO (or a director) designates the person by strict traits and asks for the export; the list of
    their own requests follows their progress."""
    _exiger(request)
    form = DroitAccesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        usager = form.designer(request.user.organisme_id)
        if usager is not None:
            with traitement(form):
                services.do_demander_droit_acces(request, usager, form.cleaned_data["motif"])
                messages.success(
                    request,
                    "Export demandé : il est préparé en arrière-plan (rafraîchissez la page dans un instant).",
                )
                return redirect("rgpd:droit_acces")
    demandes = for_tenant(
        request.user, DemandeDroitAcces.objects.filter(demandeur=request.user).select_related("usager")
    )[:20]
    return render(
        request,
        "rgpd/droit_acces.html",
        {"form": form, "demandes": demandes, "jours": settings.DUI_DROIT_ACCES_JOURS},
    )


@login_required
@require_POST
def telecharger(request, public_id):
    _exiger(request)
    demande = (
        for_tenant(request.user, DemandeDroitAcces.objects.filter(demandeur=request.user))
        .select_related("usager")
        .filter(public_id=public_id)
        .first()
    )
    if demande is None or not demande.telechargeable or not services.chemin_du_fichier(demande).is_file():
        raise Http404
    fichier = services.do_retirer_pour_telechargement(request, demande)
    nom = nom_de_fichier_sur(f"droit-acces-{demande.usager.nom_naissance}-{demande.termine_le:%Y%m%d}.zip")
    reponse = FileResponse(fichier, as_attachment=True, filename=nom, content_type="application/zip")
    reponse["Cache-Control"] = "private, no-store"
    return reponse


def _exiger_dpo(request) -> None:
    if not (request.user.est_dpo and request.user.organisme_id):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def conservation(request):
    """The DPO's page of the dossiers' lifecycle: the retention rules (with their source), the archived
    dossiers, and those past their retention, proposed for anonymisation."""
    _exiger_dpo(request)
    organisme_id = request.user.organisme_id
    actuelles = cycle.regles(organisme_id)
    formulaires = {}
    for nature, libelle in NatureDonnees.choices:
        r = actuelles[nature]
        donnees = request.POST if request.method == "POST" and request.POST.get("nature") == nature else None
        form = RegleForm(
            donnees,
            prefix=nature,
            initial={
                "archivage_apres_mois": r.archivage_apres_mois,
                "conservation_annees": r.conservation_annees,
                "source": r.source,
            },
        )
        if donnees is not None and form.is_valid():
            with traitement(form):
                services.do_definir_regle(request, nature, **form.cleaned_data)
                messages.success(request, f"Règle « {libelle} » enregistrée.")
                return redirect("rgpd:conservation")
        formulaires[nature] = (libelle, form)
    archives = for_tenant(
        request.user, Usager.objects.filter(archive_le__isnull=False, anonymise_le__isnull=True)
    ).order_by("-archive_le")
    return render(
        request,
        "rgpd/conservation.html",
        {
            "formulaires": formulaires,
            "archives": archives[:200],
            "nb_archives": archives.count(),
            "a_anonymiser": cycle.a_anonymiser(organisme_id),
        },
    )


@login_required
@require_POST
def anonymiser(request, public_id):
    _exiger_dpo(request)
    proposes = {str(u.public_id): u for u, _echeance in cycle.a_anonymiser(request.user.organisme_id)}
    usager = proposes.get(str(public_id))
    if usager is None:
        raise Http404
    if request.POST.get("confirmation") != "oui":
        messages.error(request, "Cochez la confirmation : l'anonymisation est définitive.")
        return redirect("rgpd:conservation")
    bilan = services.do_anonymiser(request, usager)
    messages.success(
        request, f"Dossier anonymisé : {sum(bilan.values())} lignes effacées ou réduites aux statistiques."
    )
    return redirect("rgpd:conservation")


@login_required
def acces_inhabituels(request):
    """The DPO's report of unusual accesses (volume, outside one's ESMS, at night, break-the-glass not
    reviewed), with filters; ``?format=csv`` exports it (journaled)."""
    _exiger_dpo(request)
    aujourd_hui = timezone.localdate()
    initial = {
        "du": aujourd_hui - datetime.timedelta(days=30),
        "au": aujourd_hui,
        "seuil_dossiers": 40,
        "nuit_debut": 22,
        "nuit_fin": 6,
    }
    professionnels = for_tenant(request.user, Professionnel.objects.all()).order_by("nom", "prenom", "pk")
    donnees = {
        **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in initial.items()},
        **request.GET.dict(),
    }
    form = SurveillanceForm(professionnels, donnees)
    contexte: dict = {"form": form}
    if form.is_valid():
        d = form.cleaned_data
        filtres = surveillance.Filtres(
            du=d["du"],
            au=d["au"],
            seuil_dossiers=d["seuil_dossiers"],
            nuit_debut=d["nuit_debut"],
            nuit_fin=d["nuit_fin"],
            professionnel_id=d["professionnel"].pk if d["professionnel"] else None,
        )
        rapport = surveillance.rapport(request.user.organisme_id, filtres)
        if request.GET.get("format") == "csv":
            journaliser_acces(
                request,
                TypeAcces.EXPORT,
                None,
                f"Rapport des accès inhabituels du {d['du']:%d/%m/%Y} au {d['au']:%d/%m/%Y}",
            )
            return _rapport_csv(rapport, d["du"], d["au"])
        contexte.update(rapport=rapport, resume=surveillance.resume(request.user.organisme_id, filtres))
    return render(request, "rgpd/acces_inhabituels.html", contexte)


def _rapport_csv(rapport, du, au) -> HttpResponse:
    import csv
    import io

    from dui.exports import cellule_sure

    tampon = io.StringIO()
    w = csv.writer(tampon, delimiter=";")

    def ligne(*valeurs):
        w.writerow(cellule_sure(v) for v in valeurs)

    paris = timezone.get_current_timezone()
    ligne("rubrique", "professionnel", "date", "détail", "nombre")
    for v in rapport.volumes:
        ligne(
            "Volume inhabituel",
            v["professionnel"],
            f"{v['jour']:%d/%m/%Y}",
            "dossiers distincts",
            v["dossiers"],
        )
    for h in rapport.hors_habilitations:
        ligne(
            "Hors habilitations",
            h["professionnel"],
            f"{h['dernier'].astimezone(paris):%d/%m/%Y %H:%M}",
            h["etablissement"].nom,
            h["acces"],
        )
    for e in rapport.nuit:
        ligne(
            "Accès de nuit", e.professionnel, f"{e.horodatage.astimezone(paris):%d/%m/%Y %H:%M}", e.libelle, 1
        )
    for b in rapport.bris_de_glace_non_revus:
        ligne(
            "Bris de glace non revu",
            b.professionnel,
            f"{b.debut.astimezone(paris):%d/%m/%Y %H:%M}",
            b.objet_libelle,
            1,
        )
    reponse = HttpResponse("\ufeff" + tampon.getvalue(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="acces-inhabituels-{du:%Y%m%d}-{au:%Y%m%d}.csv"'
    reponse["Cache-Control"] = "private, no-store"
    return reponse
