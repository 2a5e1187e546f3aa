"""Pages of the administrative side: the monthly presence record of an ESMS for billing (asked here,
produced by a worker whose progress the page polls), and the ESMS's absence threshold."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from dui.audit import journaliser_acces
from dui.exports import nom_de_fichier_sur
from dui.forms import traitement
from dui.models import StatutExport, TypeAcces
from habilitations.access import get_in_scope_or_404

from . import selectors, services
from .forms import MoisForm, SeuilForm


def _etablissement(request, public_id):
    return get_in_scope_or_404(selectors.etablissements_factures(request.user), public_id)


@login_required
def presence(request, public_id):
    etablissement = _etablissement(request, public_id)
    reglage = selectors.parametres(etablissement)
    precedent = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    form = MoisForm(request.POST if "mois" in request.POST else None, initial={"mois": f"{precedent:%Y-%m}"})
    seuil = SeuilForm(
        request.POST if "seuil_absence_heures" in request.POST else None,
        initial={"seuil_absence_heures": reglage.seuil_absence_heures},
    )
    if request.method == "POST" and form.is_bound and form.is_valid():
        with traitement(form):
            services.do_demander_export(request.user, etablissement, form.cleaned_data["mois"])
            messages.success(request, "Relevé demandé : il se prépare, la page montre son avancement.")
            return redirect("administratif:presence", public_id=etablissement.public_id)
    if request.method == "POST" and seuil.is_bound and seuil.is_valid():
        with traitement(seuil):
            services.do_regler_seuil(request.user, etablissement, seuil.cleaned_data["seuil_absence_heures"])
            messages.success(request, "Seuil d'absence enregistré ; il vaut pour les prochains relevés.")
            return redirect("administratif:presence", public_id=etablissement.public_id)
    return render(
        request,
        "administratif/presence.html",
        {
            "etablissement": etablissement,
            "form": form,
            "seuil": seuil,
            "reglage": reglage,
            "exports": selectors.exports(request.user, etablissement)[:24],
        },
    )


@login_required
def export_statut(request, public_id):
    """htmx fragment polled while the worker prepares the record."""
    export = get_in_scope_or_404(selectors.mes_exports(request.user), public_id)
    return render(request, "administratif/_export.html", {"export": export})


@login_required
def export_fichier(request, public_id, format_):
    export = get_in_scope_or_404(selectors.mes_exports(request.user), public_id)
    fichier = export.fichier_csv if format_ == "csv" else export.fichier_xlsx
    if export.statut != StatutExport.TERMINE or not fichier:
        raise Http404
    journaliser_acces(
        request,
        TypeAcces.EXPORT,
        export,
        f"Relevé de présence {export.mois:%m/%Y} de {export.etablissement} ({format_.upper()})",
        etablissement_id=export.etablissement_id,
    )
    types = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip
    reponse = FileResponse(
        fichier.open("rb"),
        content_type=types[format_],
        as_attachment=True,
        filename=nom_de_fichier_sur(f"presence-{export.etablissement.nom}-{export.mois:%Y-%m}.{format_}"),
    )
    reponse["Cache-Control"] = "private, no-store"
    return reponse
