"""Pages of the administrative side: the monthly presence record of an ESMS for billing (asked here,
produced by a worker whose progress the page polls), and the ESMS's absence threshold."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dui.audit import journaliser_acces
from dui.exports import nom_de_fichier_sur
from dui.forms import traitement
from dui.models import StatutExport, TypeAcces
from habilitations.access import get_in_scope_or_404
from habilitations.roles import Droit

from . import selectors, services
from .forms import DroitForm, MoisForm, SeuilForm


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


# --- Droits et aides (tab of the dossier) -----------------------------------------------------------------


@login_required
def droits(request, public_id):
    from usagers.dossier import contexte_dossier, usager_ou_404
    from usagers.selectors import etablissements_du_dossier

    usager = usager_ou_404(request, public_id, Droit.ADMINISTRATIF_VOIR)
    contexte = contexte_dossier(request, usager, "droits")
    jour = timezone.localdate()
    lignes = selectors.droits_du_dossier(request.user, usager)
    for d in lignes:
        d.etat = "expire" if d.expire(jour) else ("a_renouveler" if d.a_renouveler(jour) else "")
    ecriture = etablissements_du_dossier(request.user, usager, Droit.ADMINISTRATIF_MODIFIER)
    return render(
        request,
        "administratif/droits.html",
        {
            **contexte,
            "droits": lignes,
            "peut_ecrire": bool(ecriture),
            "orientations": selectors.orientations_a_reprendre(request.user, usager) if ecriture else [],
        },
    )


@login_required
def droit_form(request, public_id, droit_id=None):
    from usagers.dossier import contexte_dossier, usager_ou_404
    from usagers.selectors import etablissements_du_dossier

    usager = usager_ou_404(request, public_id, Droit.ADMINISTRATIF_MODIFIER)
    droit = None
    if droit_id is not None:
        droit = selectors.droit_du_dossier_ou_none(request.user, usager, droit_id)
        if droit is None:
            raise Http404
    ecriture = etablissements_du_dossier(request.user, usager, Droit.ADMINISTRATIF_MODIFIER)
    if not ecriture and droit is None:
        raise Http404
    form = DroitForm(
        request.POST or None, instance=droit, justificatifs=selectors.justificatifs(request.user, usager)
    )
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            valeurs = {k: v for k, v in form.cleaned_data.items() if k in services.CHAMPS_DROIT}
            services.do_enregistrer_droit(
                request.user, usager, droit.etablissement if droit else ecriture[0], droit, **valeurs
            )
            messages.success(request, "Droit enregistré.")
            return redirect("administratif:droits", public_id=usager.public_id)
    return render(
        request,
        "administratif/droit_form.html",
        {**contexte_dossier(request, usager, "droits"), "form": form, "droit": droit},
    )


@login_required
@require_POST
def reprendre_orientation(request, public_id, demande_id):
    from usagers.dossier import usager_ou_404
    from usagers.selectors import etablissements_du_dossier

    usager = usager_ou_404(request, public_id, Droit.ADMINISTRATIF_MODIFIER)
    demande = selectors.demandes_cdaph(request.user, usager).filter(public_id=demande_id).first()
    ecriture = etablissements_du_dossier(request.user, usager, Droit.ADMINISTRATIF_MODIFIER)
    if demande is None or not ecriture:
        raise Http404
    with traitement(request=request):
        services.do_reprendre_orientation(request.user, usager, ecriture[0], demande)
        messages.success(request, "Orientation CDAPH reprise de la demande d'admission.")
    return redirect("administratif:droits", public_id=usager.public_id)


# --- Contrat de séjour / DIPC -----------------------------------------------------------------------------


def _dossier_ecriture(request, public_id):
    """The person, and the ESMS where ``request.user`` writes their administrative record (404 if none)."""
    from usagers.dossier import usager_ou_404
    from usagers.selectors import etablissements_du_dossier

    usager = usager_ou_404(request, public_id, Droit.ADMINISTRATIF_MODIFIER)
    if not etablissements_du_dossier(request.user, usager, Droit.ADMINISTRATIF_MODIFIER):
        raise Http404
    return usager


def _contrat(request, usager, contrat_id):
    contrat = selectors.contrat_du_dossier_ou_none(request.user, usager, contrat_id)
    if contrat is None:
        raise Http404
    return contrat


def _formulaires_contrats(request, usager, **lies):
    from documents.selectors import sejours_pour_depot

    from .forms import CopieSigneeForm, EtablirForm, RefusForm, RemiseForm, RemisesForm

    contrats = selectors.contrats_du_dossier(request.user, usager)
    sejours = sejours_pour_depot(request.user, usager).filter(
        etablissement_id__in=policy_etablissements(request.user)
    )
    return {
        "contrats": contrats,
        "remises": selectors.remises_du_dossier(request.user, usager),
        "etablir": lies.get("etablir")
        or EtablirForm(
            modeles=selectors.modeles(request.user.organisme_id),
            sejours=sejours,
            contrats=selectors.contrats_signes_queryset(request.user, usager),
        ),
        "remise_form": lies.get("remise")
        or RemiseForm(prefix="remise", initial={"remis_le": timezone.localdate()}),
        "copie_form": lies.get("copie") or CopieSigneeForm(prefix="copie"),
        "refus_form": lies.get("refus") or RefusForm(prefix="refus"),
        "remises_form": lies.get("remises") or RemisesForm(prefix="admission"),
        "sejours_ecriture": list(sejours),
    }


def policy_etablissements(user):
    from habilitations import policy

    return policy.etablissements_autorises(user, Droit.ADMINISTRATIF_MODIFIER)


@login_required
def contrats(request, public_id):
    from usagers.dossier import contexte_dossier, usager_ou_404

    usager = usager_ou_404(request, public_id, Droit.ADMINISTRATIF_VOIR)
    contexte = contexte_dossier(request, usager, "contrats")
    ecriture = bool(policy_etablissements(request.user) & {s.etablissement_id for s in contexte["sejours"]})
    return render(
        request,
        "administratif/contrats.html",
        {**contexte, **_formulaires_contrats(request, usager), "peut_ecrire": ecriture},
    )


def _retour(request, usager, cle, form):
    from usagers.dossier import contexte_dossier

    return render(
        request,
        "administratif/contrats.html",
        {
            **contexte_dossier(request, usager, "contrats"),
            **_formulaires_contrats(request, usager, **{cle: form}),
            "peut_ecrire": True,
        },
    )


@login_required
@require_POST
def contrat_etablir(request, public_id):
    from documents.selectors import sejours_pour_depot

    from .forms import EtablirForm

    usager = _dossier_ecriture(request, public_id)
    form = EtablirForm(
        request.POST,
        modeles=selectors.modeles(request.user.organisme_id),
        sejours=sejours_pour_depot(request.user, usager),
        contrats=selectors.contrats_signes_queryset(request.user, usager),
    )
    if form.is_valid():
        with traitement(form):
            d = form.cleaned_data
            services.do_etablir_contrat(request.user, d["sejour"], d["modele"], d["avenant_de"])
            messages.success(request, "Document établi ; son PDF se prépare.")
            return redirect("administratif:contrats", public_id=usager.public_id)
    return _retour(request, usager, "etablir", form)


@login_required
@require_POST
def contrat_remettre(request, public_id, contrat_id):
    from .forms import RemiseForm

    usager = _dossier_ecriture(request, public_id)
    contrat = _contrat(request, usager, contrat_id)
    form = RemiseForm(request.POST, prefix="remise")
    if form.is_valid():
        with traitement(form):
            services.do_remettre(
                request.user, contrat, form.cleaned_data["remis_le"], form.cleaned_data["remis_a"]
            )
            messages.success(request, "Remise enregistrée.")
            return redirect("administratif:contrats", public_id=usager.public_id)
    return _retour(request, usager, "remise", form)


@login_required
def contrat_signer(request, public_id, contrat_id):
    """The signature on a tablet: the text, then a frame where the person (or their representative) signs
    with a finger or a stylus."""
    from usagers.dossier import contexte_dossier

    from .forms import SignatureForm

    usager = _dossier_ecriture(request, public_id)
    contrat = _contrat(request, usager, contrat_id)
    form = SignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            services.do_signer(
                request.user,
                contrat,
                signataire=form.cleaned_data["signataire"],
                qualite=form.cleaned_data["qualite"],
                image=form.image(),
            )
            messages.success(request, "Signature enregistrée ; le PDF signé se prépare, avec son empreinte.")
            return redirect("administratif:contrats", public_id=usager.public_id)
    from .contrats import blocs

    return render(
        request,
        "administratif/signer.html",
        {**contexte_dossier(request, usager, "contrats"), "contrat": contrat, "form": form,
         "blocs": blocs(contrat.texte)},
    )  # fmt: skip


@login_required
@require_POST
def contrat_copie(request, public_id, contrat_id):
    from .forms import CopieSigneeForm

    usager = _dossier_ecriture(request, public_id)
    contrat = _contrat(request, usager, contrat_id)
    form = CopieSigneeForm(request.POST, request.FILES, prefix="copie")
    if form.is_valid():
        with traitement(form):
            d = form.cleaned_data
            services.do_deposer_copie_signee(
                request.user, contrat, d["fichiers"], d["signataire"], d["qualite"]
            )
            messages.success(request, "Copie signée déposée dans le dossier.")
            return redirect("administratif:contrats", public_id=usager.public_id)
    return _retour(request, usager, "copie", form)


@login_required
@require_POST
def contrat_refus(request, public_id, contrat_id):
    from .forms import RefusForm

    usager = _dossier_ecriture(request, public_id)
    contrat = _contrat(request, usager, contrat_id)
    form = RefusForm(request.POST, prefix="refus")
    if form.is_valid():
        with traitement(form):
            services.do_refuser(request.user, contrat, form.cleaned_data["motif"])
            messages.success(request, "Refus enregistré : établissez un DIPC.")
            return redirect("administratif:contrats", public_id=usager.public_id)
    return _retour(request, usager, "refus", form)


@login_required
@require_POST
def remises(request, public_id, sejour_id):
    from documents.selectors import sejours_pour_depot

    from .forms import RemisesForm

    usager = _dossier_ecriture(request, public_id)
    sejour = sejours_pour_depot(request.user, usager).filter(public_id=sejour_id).first()
    if sejour is None:
        raise Http404
    form = RemisesForm(request.POST, prefix="admission")
    if form.is_valid():
        with traitement(form):
            d = form.cleaned_data
            services.do_enregistrer_remises(
                request.user, sejour, {g: d[g] for g in ("livret", "charte", "reglement")}, d["remis_a"]
            )
            messages.success(request, "Documents remis à l'admission enregistrés.")
            return redirect("administratif:contrats", public_id=usager.public_id)
    return _retour(request, usager, "remises", form)


@login_required
def suivi_contrats(request, public_id):
    """The director's list: the admissions of the last four months and the state of their contract."""
    from dui.models import Etablissement
    from habilitations import policy

    etablissement = get_in_scope_or_404(
        policy.scope(request.user, Droit.PILOTAGE_VOIR, Etablissement.objects.filter(actif=True)), public_id
    )
    lignes = selectors.suivi_contrats(request.user, [etablissement.pk], timezone.localdate())
    if lignes:
        from dui.audit import journaliser_personnes

        journaliser_personnes(
            request, TypeAcces.LECTURE, [ligne["usager"] for ligne in lignes],
            f"Suivi des contrats de séjour — {etablissement.nom}", etablissement_id=etablissement.pk,
        )  # fmt: skip
    return render(
        request,
        "administratif/suivi_contrats.html",
        {
            "etablissement": etablissement,
            "lignes": lignes,
            "en_retard": sum(ligne["etat"].en_retard for ligne in lignes),
        },
    )


def _exiger_admin(request) -> None:
    if not (request.user.est_admin_organisme and request.user.organisme_id):
        raise Http404


@login_required
def modeles(request):
    _exiger_admin(request)
    return render(
        request,
        "administratif/modeles.html",
        {"modeles": selectors.modeles(request.user.organisme_id, actifs=False)},
    )


@login_required
def modele(request, public_id=None):
    from .contrats import VARIABLES
    from .forms import ModeleForm
    from .models import ModeleContrat

    _exiger_admin(request)
    instance = None
    if public_id is not None:
        instance = get_in_scope_or_404(selectors.modeles(request.user.organisme_id, actifs=False), public_id)
    form = ModeleForm(request.POST or None, instance=instance or ModeleContrat())
    if request.method == "POST" and form.is_valid():
        with traitement(form, refus_404=False):
            services.do_enregistrer_modele(request.user, instance, **form.cleaned_data)
            messages.success(request, "Modèle enregistré.")
            return redirect("administratif:modeles")
    return render(
        request, "administratif/modele.html", {"form": form, "modele": instance, "variables": VARIABLES}
    )
