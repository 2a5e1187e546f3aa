from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from dui.forms import traitement
from dui.graphiques import Repere, polyline
from dui.models import CategorieESMS, Etablissement
from habilitations import policy
from habilitations.access import get_for_user_or_404
from habilitations.roles import Droit

from . import selectors, services
from .forms import CoupePathosForm, PeriodeForm


def _histogramme(mois: list[dict]) -> dict | None:
    """Monthly occupancy as SVG bars (the table below the chart gives the same figures)."""
    if not mois or all(m["taux"] is None for m in mois):
        return None
    largeur, hauteur = 640, 200
    haut = max([100.0, *(m["taux"] or 0 for m in mois)])
    repere = Repere(largeur, hauteur, -0.5, len(mois) - 0.5, bas=0, haut=haut, marge_h=16, marge_b=24)
    pas = (repere.x1 - repere.x0) / len(mois)
    barres = []
    for i, m in enumerate(mois):
        y = repere.y(m["taux"] or 0)
        barres.append(
            {
                "x": round(repere.x(i) - pas * 0.35, 1),
                "y": y,
                "largeur": round(pas * 0.7, 1),
                "hauteur": round(repere.y(0) - y, 1),
                "etiquette_x": repere.x(i),
                "mois": m,
            }
        )
    return {
        "largeur": largeur,
        "hauteur": hauteur,
        "barres": barres,
        "y100": repere.y(100),
        "y0": repere.y(0),
        "x0": repere.x0,
        "x1": repere.x1,
    }


@login_required
def tableau_de_bord(request):
    """Every ESMS the director pilots, side by side, and their whole."""
    etablissements = list(selectors.etablissements_pilotes(request.user))
    if not etablissements:
        raise Http404
    form = PeriodeForm(request.GET or None)
    debut, fin = form.periode()
    tdb = selectors.tableau_de_bord(request.user, etablissements, debut, fin)
    return render(
        request,
        "pilotage/tableau_de_bord.html",
        {
            "form": form,
            "tdb": tdb,
            "histogramme": _histogramme(tdb["mois"]),
            "plusieurs": len(etablissements) > 1,
        },
    )


@login_required
def esms(request, etablissement_id):
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
            "histogramme": _histogramme(tdb["mois"]),
            "motifs": selectors.motifs(request.user, etab, debut, tdb["realise"]),
            "est_ehpad": etab.categorie == CategorieESMS.EHPAD,
            "voit_admissions": Droit.ADMINISTRATIF_VOIR in policy.actions_dans(request.user, etab.pk),
        },
    )


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
