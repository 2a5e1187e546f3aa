from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dui.audit import journaliser_acces
from dui.exports import nom_de_fichier_sur
from dui.forms import traitement
from dui.graphiques import Repere, polyline
from dui.models import CategorieESMS, Etablissement, StatutExport, TypeAcces
from dui.replique import lecture_sur_replique
from habilitations import policy
from habilitations.access import get_for_user_or_404, get_in_scope_or_404
from habilitations.roles import Droit

from . import selectors, services
from .forms import CoupePathosForm, PeriodeForm, RapportForm
from .rapport import histogramme


@login_required
def tableau_de_bord(request):
    """Every ESMS the director pilots, side by side, and their whole."""
    etablissements = list(selectors.etablissements_pilotes(request.user))
    if not etablissements:
        raise Http404
    form = PeriodeForm(request.GET or None)
    debut, fin = form.periode()
    with lecture_sur_replique(request.user.organisme_id):  # heavy, tolerant of a little lag
        tdb = selectors.tableau_de_bord(request.user, etablissements, debut, fin)
        return render(
            request,
            "pilotage/tableau_de_bord.html",
            {
                "form": form,
                "tdb": tdb,
                "histogramme": histogramme(tdb["mois"]),
                "plusieurs": len(etablissements) > 1,
            },
        )


@login_required
def esms(request, etablissement_id, form_rapport=None):
    etab = get_for_user_or_404(
        request.user, Droit.PILOTAGE_VOIR, Etablissement.objects.all(), etablissement_id
    )
    form = PeriodeForm(request.GET or None)
    debut, fin = form.periode()
    tdb = selectors.tableau_de_bord(request.user, [etab], debut, fin)
    return render(
        request,
        "pilotage/esms.html",
        {
            "etablissement": etab,
            "form": form,
            "tdb": tdb,
            "ligne": tdb["lignes"][0],
            "histogramme": histogramme(tdb["mois"]),
            "motifs": selectors.motifs(request.user, etab, debut, tdb["realise"]),
            "est_ehpad": etab.categorie == CategorieESMS.EHPAD,
            "voit_admissions": Droit.ADMINISTRATIF_VOIR in policy.actions_dans(request.user, etab.pk),
            "voit_echanges": Droit.DOCUMENTS_VOIR in policy.actions_dans(request.user, etab.pk),
            "form_rapport": form_rapport or RapportForm(),
            "rapports": selectors.mes_rapports(request.user).filter(etablissement=etab)[:10],
        },
    )


@login_required
@require_POST
def rapports(request, etablissement_id):
    etab = get_for_user_or_404(
        request.user, Droit.PILOTAGE_VOIR, Etablissement.objects.all(), etablissement_id
    )
    form = RapportForm(request.POST)
    if form.is_valid():
        with traitement(form):
            services.do_demander_rapport(request.user, etab, form.cleaned_data["annee"])
            messages.success(request, "Rapport demandé : il se prépare, la page montre son avancement.")
            return redirect(f"{reverse('pilotage:esms', args=[etab.public_id])}#rapports")
    return esms(request, etablissement_id, form_rapport=form)


@login_required
def rapport_statut(request, public_id):
    """htmx fragment polled while the worker prepares the report."""
    rapport = get_in_scope_or_404(selectors.mes_rapports(request.user), public_id)
    return render(request, "pilotage/_rapport.html", {"rapport": rapport})


FORMATS = {
    "pdf": ("fichier_pdf", "application/pdf", "pdf"),
    "xlsx": ("fichier_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "anap": ("fichier_anap", "text/csv; charset=utf-8", "csv"),
}


@login_required
def rapport_fichier(request, public_id, format_):
    if format_ not in FORMATS:
        raise Http404
    rapport = get_in_scope_or_404(selectors.mes_rapports(request.user), public_id)
    champ, type_contenu, extension = FORMATS[format_]
    fichier = getattr(rapport, champ)
    if rapport.statut != StatutExport.TERMINE or not fichier:
        raise Http404
    journaliser_acces(
        request,
        TypeAcces.EXPORT,
        rapport,
        f"Rapport d'activité {rapport.annee} de {rapport.etablissement} ({format_.upper()})",
        etablissement_id=rapport.etablissement_id,
    )
    suffixe = "-indicateurs-anap" if format_ == "anap" else ""
    reponse = FileResponse(
        fichier.open("rb"),
        content_type=type_contenu,
        as_attachment=True,
        filename=nom_de_fichier_sur(
            f"rapport-activite-{rapport.etablissement.nom}-{rapport.annee}{suffixe}.{extension}"
        ),
    )
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@login_required
def coupes(request, etablissement_id):
    etab = get_for_user_or_404(
        request.user, Droit.PILOTAGE_VOIR, Etablissement.objects.all(), etablissement_id
    )
    if etab.categorie != CategorieESMS.EHPAD:
        raise Http404
    peut_enregistrer = policy.can(request.user, Droit.PILOTAGE_MODIFIER, etab)
    form = CoupePathosForm(request.POST or None) if peut_enregistrer else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            with traitement(form):
                coupe = services.do_enregistrer_coupe(request.user, etab, **form.cleaned_data)
                messages.success(
                    request,
                    f"Coupe du {coupe.date_coupe:%d/%m/%Y} enregistrée : GMPS {coupe.gmps} "
                    f"(GMP {coupe.gmp} + 2,59 × PMP {coupe.pmp}).",
                )
                return redirect("pilotage:coupes", etablissement_id=etab.public_id)
    liste = list(selectors.coupes(request.user, etab).order_by("date_coupe", "id"))
    courbe = None
    if len(liste) > 1:
        repere = Repere(
            640,
            180,
            liste[0].date_coupe,
            liste[-1].date_coupe,
            bas=0,
            haut=max(c.gmps for c in liste) * 1.1,
            marge_h=16,
            marge_b=24,
        )
        points = [{"x": repere.x(c.date_coupe), "y": repere.y(c.gmps), "coupe": c} for c in liste]
        courbe = {
            "largeur": 640,
            "hauteur": 180,
            "points": points,
            "polyline": polyline([(p["x"], p["y"]) for p in points]),
        }
    return render(
        request,
        "pilotage/coupes.html",
        {"etablissement": etab, "coupes": list(reversed(liste)), "form": form, "courbe": courbe},
    )
