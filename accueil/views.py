"""Pages of the shell: home, the framework-floor page, an établissement's page, the access journal."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dui.audit import journaliser_acces
from dui.models import Etablissement, ExportJournal, StatutExport, TypeAcces
from dui.pagination import PaginatorPlafonne
from dui.registre_accueil import registre_accueil
from dui.selectors import journal_filtre, peut_consulter_journal
from dui.services import do_demander_export_journal
from habilitations import policy
from habilitations.access import for_tenant, get_for_user_or_404
from habilitations.roles import VOIR, Categorie, Droit, Role

from .forms import JournalFiltreForm


@login_required
def accueil(request):
    """The professional's ESMS with the links each app declares (``dui.registre_accueil``) and the "today"
    items of every app."""
    user = request.user
    if user.est_admin_plateforme:
        return redirect("administration:organismes")
    roles = policy.roles_par_etablissement(user)
    etablissements = list(
        for_tenant(user, Etablissement.objects.filter(pk__in=roles.keys())).prefetch_related("unites")
    )
    liens = registre_accueil.liens()
    cartes = []
    for etab in etablissements:
        actions = policy.actions_dans(user, etab.pk)
        cartes.append(
            {
                "etablissement": etab,
                # the ESMS page shows its administrative data: a link only for who may read them
                "lien_etablissement": Droit.ADMINISTRATIF_VOIR in actions,
                "roles": sorted(Role(r).label for r in roles.get(etab.pk, ())),
                "categories": [c.label for c in Categorie if f"{c.value}.{VOIR}" in actions],
                "liens": [
                    (
                        lien.libelle,
                        reverse(lien.url, args=[etab.public_id])
                        if lien.par_etablissement
                        else reverse(lien.url),
                    )
                    for lien in liens
                    if lien.action in actions and (lien.condition is None or lien.condition(etab))
                ],
            }
        )
    aujourdhui = [(source.titre, list(source.elements(user))) for source in registre_accueil.sources()]
    return render(
        request, "dui/accueil.html", {"cartes": cartes, "aujourdhui": [(t, e) for t, e in aujourdhui if e]}
    )


_SERVICE_WORKER = (Path(settings.BASE_DIR) / "static" / "dui" / "sw.js").read_bytes()


def service_worker(request):
    """The service worker (static/dui/sw.js), served from the root so that its scope is the whole site: it
    keeps the round and the day plan readable offline. No personal data in it; public like the static files."""
    reponse = HttpResponse(_SERVICE_WORKER, content_type="text/javascript; charset=utf-8")
    reponse["Cache-Control"] = "no-cache"  # a new version is picked up at the next page
    return reponse


@login_required
def sante(request):
    """The framework floor for the benchmark: authenticated, one tenant transaction, no domain query."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def etablissement(request, public_id):
    etab = get_for_user_or_404(request.user, Droit.ADMINISTRATIF_VOIR, Etablissement.objects.all(), public_id)
    journaliser_acces(request, TypeAcces.LECTURE, etab, f"Fiche établissement {etab.nom}")
    return render(
        request,
        "dui/etablissement.html",
        {
            "etablissement": etab,
            "unites": etab.unites.all(),
            "voit_medical": policy.can(request.user, Droit.MEDICAL_VOIR, etab),
        },
    )


def _exiger_journal(request):
    if not peut_consulter_journal(request.user):
        raise Http404


@login_required
def journal(request):
    _exiger_journal(request)
    form = JournalFiltreForm(request.user.organisme_id, request.GET or None)
    entrees = journal_filtre(request.user)
    if form.is_bound and form.is_valid():
        entrees = journal_filtre(request.user, **form.filtres())
    page = PaginatorPlafonne(entrees, 50).get_page(request.GET.get("page"))
    exports = for_tenant(request.user, ExportJournal.objects.filter(demandeur=request.user))[:10]
    requete = request.GET.copy()
    requete.pop("page", None)
    return render(
        request,
        "dui/journal.html",
        {"form": form, "page": page, "exports": exports, "requete": requete.urlencode()},
    )


@login_required
def journal_connexions(request):
    """Authentication events of the organisme's professionals (successes, failures, lockouts)."""
    _exiger_journal(request)
    from habilitations.models import EvenementAuthentification, TypeEvenementAuth

    evenements = EvenementAuthentification.objects.filter(
        organisme_id=request.user.organisme_id
    ).select_related("professionnel")
    type_evenement = request.GET.get("type", "")
    if type_evenement in TypeEvenementAuth.values:
        evenements = evenements.filter(type_evenement=type_evenement)
    page = Paginator(evenements, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dui/journal_connexions.html",
        {
            "page": page,
            "types": TypeEvenementAuth.choices,
            "type_choisi": type_evenement,
            "requete": f"type={type_evenement}" if type_evenement else "",
        },
    )


@login_required
@require_POST
def journal_export(request):
    _exiger_journal(request)
    form = JournalFiltreForm(request.user.organisme_id, request.POST)
    if not form.is_valid():
        messages.error(request, "Filtres invalides : corrigez-les avant d'exporter.")
        return redirect("journal")
    do_demander_export_journal(request.user, form.filtres())
    messages.success(request, "Export demandé : il sera prêt dans quelques instants (rafraîchissez la page).")
    return redirect("journal")


@login_required
def journal_export_fichier(request, public_id):
    _exiger_journal(request)
    export = (
        for_tenant(
            request.user, ExportJournal.objects.filter(demandeur=request.user, statut=StatutExport.TERMINE)
        )
        .filter(public_id=public_id)
        .first()
    )
    if export is None:
        raise Http404
    chemin = Path(settings.MEDIA_ROOT) / export.fichier
    if not chemin.is_file():
        raise Http404
    journaliser_acces(
        request, TypeAcces.EXPORT, export, f"Export du journal des accès ({export.nb_lignes} lignes)"
    )
    return FileResponse(
        chemin.open("rb"), as_attachment=True, filename=chemin.name, content_type="text/csv; charset=utf-8"
    )


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


# --- Exports of lists (dui.listes): asked from a list's page, prepared by the worker, downloaded here ----------


@login_required
@require_POST
def exporter_liste(request):
    """POST ``liste`` (the code of a declared list) and its page's filters."""
    from dui import listes
    from dui.forms import traitement

    with traitement(request=request):
        export = listes.demander(request.user, request.POST.get("liste", ""), request.POST.dict())
        messages.success(request, f"Export « {export.titre} » demandé : il se prépare ci-dessous.")
        return redirect("exports")
    return redirect(request.POST.get("retour") if _retour_sur(request) else "exports")


def _retour_sur(request) -> bool:
    from dui.adresses import adresse_locale

    return bool(adresse_locale(request, request.POST.get("retour")))


@login_required
def exports(request):
    from dui import listes

    if not request.user.organisme_id:
        raise Http404
    return render(request, "dui/exports.html", {"exports": listes.mes_exports(request.user)[:20]})


@login_required
def export_liste_statut(request, public_id):
    from dui import listes
    from habilitations.access import get_in_scope_or_404

    export = get_in_scope_or_404(listes.mes_exports(request.user), public_id)
    return render(request, "dui/_export_liste.html", {"export": export})


@login_required
def export_liste_fichier(request, public_id, format_):
    from dui import listes
    from dui.exports import nom_de_fichier_sur
    from habilitations.access import get_in_scope_or_404

    if format_ not in ("csv", "xlsx"):
        raise Http404
    export = get_in_scope_or_404(listes.mes_exports(request.user), public_id)
    liste = listes.registre_listes.get(export.liste)
    fichier = export.fichier_csv if format_ == "csv" else export.fichier_xlsx
    if (
        export.statut != StatutExport.TERMINE
        or not fichier
        or liste is None
        or not liste.autorise(request.user)
    ):
        raise Http404
    journaliser_acces(request, TypeAcces.EXPORT, export, f"Export « {export.titre} » ({format_.upper()})")
    types = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip
    reponse = FileResponse(
        fichier.open("rb"),
        content_type=types[format_],
        as_attachment=True,
        filename=nom_de_fichier_sur(f"{export.titre}-{export.cree_le:%Y-%m-%d}.{format_}"),
    )
    reponse["Cache-Control"] = "private, no-store"
    return reponse
