"""Dossier usager pages: search, creation with identitovigilance, the dossier hub, identity checks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dui.audit import journaliser_acces, journaliser_personnes
from dui.forms import ajouter_erreurs, traitement
from dui.models import Etablissement, TypeAcces
from habilitations import policy
from habilitations.access import for_tenant, get_for_user_or_404
from habilitations.roles import Droit

from . import selectors, services
from .dossier import contexte_dossier, usager_ou_404
from .doublons import presenter_doublons
from .forms import (
    AbsenceForm,
    AdmissionForm,
    ConsentementForm,
    DocumentForm,
    DossierAdministratifForm,
    MesureForm,
    MoisForm,
    ProcheForm,
    SortieForm,
    TransfertForm,
    UsagerForm,
)
from .models import (
    Consentement,
    DossierAdministratif,
    MesureProtection,
    Proche,
    StatutIdentite,
    TypeConsentement,
    Usager,
)


def _etablissements_admission(user):
    return policy.scope(user, Droit.ADMINISTRATIF_MODIFIER, Etablissement.objects.filter(actif=True))


@login_required
@require_http_methods(["GET", "POST"])
def recherche(request):
    """The search is posted (htmx), never a query string: names, birth dates and INS would otherwise sit in
    URLs, browser history and access logs. Each person listed is journaled."""
    texte = request.POST.get("q", "") if request.method == "POST" else ""
    resultats = selectors.rechercher(request.user, texte) if texte.strip() else []
    journaliser_personnes(request, TypeAcces.RECHERCHE, resultats, "Recherche de personnes (résultat)")
    contexte = {
        "q": texte,
        "resultats": resultats,
        "peut_creer": _etablissements_admission(request.user).exists(),
        # an emergency access needs a habilitation somewhere (its rights are those of one's own roles)
        "peut_bris_de_glace": bool(policy.roles_par_etablissement(request.user)),
    }
    if request.headers.get("HX-Request"):
        return render(request, "usagers/_resultats.html", contexte)
    return render(request, "usagers/recherche.html", contexte)


@login_required
@require_http_methods(["GET", "POST"])
def creer(request):
    etablissements = _etablissements_admission(request.user)
    if not etablissements.exists():
        raise Http404
    form = UsagerForm(request.POST or None)
    admission = AdmissionForm(
        etablissements, request.POST or None, initial={"date_entree": timezone.localdate()}
    )
    doublons: dict = {}
    if request.method == "POST" and form.is_valid() and admission.is_valid():
        data = admission.cleaned_data
        try:
            usager = services.do_creer_usager(
                request.user,
                form.instance,
                services.Admission(
                    etablissement=data["etablissement"],
                    mode_accueil=data["mode_accueil"],
                    date_entree=data["date_entree"],
                    chambre=data["chambre"],
                    provenance=data["provenance"],
                ),
                confirmer_doublon=data["confirmer_doublon"],
            )
        except services.DoublonProbable as exc:
            doublons = presenter_doublons(request, exc.doublons)
            form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Dossier de {usager} créé (identité provisoire).")
            return redirect(usager.get_absolute_url())
    return render(request, "usagers/creer.html", {"form": form, "admission": admission, **doublons})


def _doublons_visibles(request, usager: Usager, peut_modifier: bool | None = None):
    if not (
        peut_modifier
        if peut_modifier is not None
        else policy.can(request.user, Droit.ADMINISTRATIF_MODIFIER, usager)
    ):
        return Usager.objects.none()
    return policy.scope(
        request.user, Droit.ADMINISTRATIF_MODIFIER, selectors.doublons_probables(usager.organisme_id, usager)
    )


@login_required
def dossier(request, public_id):
    usager = usager_ou_404(request, public_id)
    contexte = contexte_dossier(request, usager, "identite")
    return render(
        request,
        "usagers/sections/identite.html",
        {
            **contexte,
            "transitions": usager.transitions.select_related("auteur")[:20],
            "document_form": DocumentForm(),
            "doublons": list(_doublons_visibles(request, usager, contexte["peut_modifier"])[:5]),
        },
    )


@login_required
@require_POST
def fusionner(request, public_id):
    principal = usager_ou_404(request, public_id, Droit.ADMINISTRATIF_MODIFIER)
    doublon = (
        _doublons_visibles(request, principal).filter(public_id=request.POST.get("doublon") or None).first()
        if _uuid_valide(request.POST.get("doublon"))
        else None
    )
    if doublon is None or request.POST.get("confirmation") != "oui":
        messages.error(
            request, "Choisissez le dossier doublon et confirmez qu'il s'agit de la même personne."
        )
        return redirect(principal.get_absolute_url())
    with traitement(request=request, refus_404=False):
        services.do_fusionner(request.user, principal, doublon, request)
        messages.success(request, f"Le dossier en double a été fusionné dans celui de {principal}.")
    return redirect(principal.get_absolute_url())


def _uuid_valide(valeur) -> bool:
    import uuid

    try:
        uuid.UUID(str(valeur))
    except (TypeError, ValueError):
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def administratif(request, public_id):
    usager = usager_ou_404(request, public_id)
    dossier_adm = selectors.dossier_administratif_de(usager) or DossierAdministratif(
        usager=usager, organisme_id=usager.organisme_id
    )
    voit_soins = policy.can(request.user, Droit.SOINS_VOIR, usager)
    form = DossierAdministratifForm(request.POST or None, instance=dossier_adm, voit_soins=voit_soins)
    if request.method == "POST":
        if not policy.can(request.user, Droit.ADMINISTRATIF_MODIFIER, usager):
            raise Http404
        if form.is_valid():
            with traitement(form, refus_404=False):
                services.do_enregistrer_administratif(request.user, form.instance)
                messages.success(request, "Dossier administratif enregistré.")
                return redirect("usagers:administratif", public_id=usager.public_id)
    return render(
        request,
        "usagers/sections/administratif.html",
        {
            **contexte_dossier(request, usager, "administratif"),
            "form": form,
            "dossier_adm": dossier_adm,
            "voit_soins": voit_soins,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entourage(request, public_id, proche_id=None):
    usager = usager_ou_404(request, public_id)
    peut_modifier_entourage = policy.can(request.user, Droit.ADMINISTRATIF_MODIFIER, usager) or policy.can(
        request.user, Droit.SOCIAL_MODIFIER, usager
    )
    proche = None
    if proche_id is not None:
        proche = usager.proches.filter(public_id=proche_id).first()
        if proche is None:
            raise Http404
    form = ProcheForm(
        request.POST if request.method == "POST" and "proche" in request.POST else None,
        instance=proche or Proche(usager=usager, organisme_id=usager.organisme_id),
        prefix="proche",
    )
    mesure_form = MesureForm(
        request.POST if request.method == "POST" and "mesure" in request.POST else None,
        instance=MesureProtection(usager=usager, organisme_id=usager.organisme_id),
        prefix="mesure",
    )
    if request.method == "POST":
        if not peut_modifier_entourage:
            raise Http404
        if "supprimer" in request.POST and proche is not None:
            services.do_supprimer_proche(request.user, proche)
            messages.success(request, f"{proche} retiré(e) de l'entourage.")
            return redirect("usagers:entourage", public_id=usager.public_id)
        cible, service, message = (
            (form, services.do_enregistrer_proche, "Entourage enregistré.")
            if "proche" in request.POST
            else (mesure_form, services.do_ajouter_mesure, "Mesure de protection enregistrée.")
        )
        if cible.is_valid():
            with traitement(cible, refus_404=False):
                service(request.user, cible.instance)
                messages.success(request, message)
                return redirect("usagers:entourage", public_id=usager.public_id)
    return render(
        request,
        "usagers/sections/entourage.html",
        {
            **contexte_dossier(request, usager, "entourage"),
            "proches": usager.proches.all(),
            "mesures": usager.mesures.all(),
            "form": form,
            "mesure_form": mesure_form,
            "proche": proche,
            "peut_modifier_entourage": peut_modifier_entourage,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consentements(request, public_id):
    usager = usager_ou_404(request, public_id)
    form = ConsentementForm(
        request.POST or None,
        instance=Consentement(usager=usager, organisme_id=usager.organisme_id),
        initial={"date_recueil": timezone.localdate()},
    )
    if request.method == "POST":
        if not policy.can(request.user, Droit.ADMINISTRATIF_MODIFIER, usager):
            raise Http404
        if form.is_valid():
            with traitement(form, refus_404=False):
                services.do_recueillir_consentement(request.user, form.instance)
                messages.success(request, "Consentement enregistré.")
                return redirect("usagers:consentements", public_id=usager.public_id)
    historique = list(usager.consentements.select_related("recueilli_par"))
    courants = {}
    for c in historique:  # newest first: the first seen per type is the current answer
        courants.setdefault(c.type_consentement, c)
    return render(
        request,
        "usagers/sections/consentements.html",
        {
            **contexte_dossier(request, usager, "consentements"),
            "form": form,
            "historique": historique,
            "courants": [courants.get(code) or (code, libelle) for code, libelle in TypeConsentement.choices],
        },
    )


@login_required
@require_POST
def verifier_document(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.ADMINISTRATIF_MODIFIER)
    form = DocumentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez le document d'identité présenté.")
    else:
        with traitement(request=request, refus_404=False):
            statut = services.do_verifier_document(
                request.user, usager, form.cleaned_data["type_document"], form.cleaned_data["commentaire"]
            )
            messages.success(request, f"Document contrôlé : identité {StatutIdentite(statut).label.lower()}.")
    return redirect(usager.get_absolute_url())


@login_required
@require_POST
def demander_insi(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.ADMINISTRATIF_MODIFIER)
    appel = services.do_demander_insi(request.user, usager)
    return redirect("usagers:appel_insi", public_id=usager.public_id, appel_id=appel.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def appel_insi(request, public_id, appel_id):
    usager = usager_ou_404(request, public_id)
    appel = usager.appels_insi.filter(public_id=appel_id).select_related("demandeur").first()
    if appel is None:
        raise Http404
    if request.method == "POST":
        try:
            services.do_relancer_insi(request.user, appel)
        except (ValidationError, PermissionDenied):
            raise Http404 from None
        return redirect("usagers:appel_insi", public_id=usager.public_id, appel_id=appel.public_id)
    journaliser_acces(request, TypeAcces.LECTURE, usager, f"Résultat de l'appel INSi pour {usager}")
    contexte = {
        "usager": usager,
        "appel": appel,
        "peut_modifier": policy.can(request.user, Droit.ADMINISTRATIF_MODIFIER, usager),
    }
    if request.headers.get("HX-Request"):
        return render(request, "usagers/_appel_insi.html", contexte)
    return render(request, "usagers/appel_insi.html", contexte)


@login_required
@require_http_methods(["GET", "POST"])
def presence(request, public_id):
    usager = usager_ou_404(request, public_id)
    user = request.user
    peut_declarer = policy.can(user, Droit.ADMINISTRATIF_MODIFIER, usager) or policy.can(
        user, Droit.SOINS_MODIFIER, usager
    )
    peut_gerer = policy.can(user, Droit.ADMINISTRATIF_MODIFIER, usager)
    sejours = list(usager.sejours.select_related("etablissement", "unite").prefetch_related("absences"))
    courant = next((s for s in sejours if s.date_sortie is None), None)
    post = request.POST if request.method == "POST" else None
    form = AbsenceForm(
        post if post and "absence" in post else None,
        # the séjours of the ESMS where the user may write, labelled with their ESMS (loaded with them)
        sejours=usager.sejours.filter(
            etablissement_id__in=policy.etablissements_autorises(user, Droit.ADMINISTRATIF_MODIFIER)
            | policy.etablissements_autorises(user, Droit.SOINS_MODIFIER)
        ).select_related("etablissement"),
        initial={"sejour": courant.public_id if courant else None, "debut": timezone.localdate()},
    )
    sortie_form = SortieForm(
        post if post and "sortie" in post else None, initial={"date_sortie": timezone.localdate()}
    )
    transfert_form = TransfertForm(
        post if post and "transfert" in post else None,
        etablissements=policy.scope(
            user, Droit.ADMINISTRATIF_MODIFIER, Etablissement.objects.filter(actif=True)
        ).exclude(pk=courant.etablissement_id if courant else None),
        initial={"date_transfert": timezone.localdate()},
    )
    if request.method == "POST":
        if "absence" in post and peut_declarer:
            if form.is_valid():
                with traitement(form, refus_404=False):
                    services.do_declarer_absence(user, form.instance)
                    messages.success(request, f"Absence enregistrée : {form.instance}.")
                    return redirect("usagers:presence", public_id=usager.public_id)
        elif "sortie" in post and peut_gerer and courant:
            if sortie_form.is_valid():
                data = sortie_form.cleaned_data
                try:
                    services.do_cloturer_sejour(
                        user,
                        courant,
                        date_sortie=data["date_sortie"],
                        motif=data["motif_sortie"],
                        destination=data["destination"],
                    )
                except (ValidationError, PermissionDenied) as exc:
                    ajouter_erreurs(
                        sortie_form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
                    )
                else:
                    messages.success(request, "Sortie enregistrée.")
                    return redirect("usagers:presence", public_id=usager.public_id)
        elif "transfert" in post and peut_gerer and courant:
            if transfert_form.is_valid():
                data = transfert_form.cleaned_data
                try:
                    services.do_transferer(
                        user,
                        courant,
                        etablissement=data["etablissement"],
                        date_transfert=data["date_transfert"],
                        chambre=data["chambre"],
                    )
                except (ValidationError, PermissionDenied) as exc:
                    ajouter_erreurs(
                        transfert_form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
                    )
                else:
                    messages.success(request, f"Transfert vers {data['etablissement']} enregistré.")
                    return redirect("usagers:presence", public_id=usager.public_id)
        else:
            raise Http404
    return render(
        request,
        "usagers/sections/presence.html",
        {
            **contexte_dossier(request, usager, "presence"),
            "sejours_detail": sejours,
            "form": form,
            "peut_declarer": peut_declarer,
            "peut_gerer": peut_gerer and courant is not None,
            "sortie_form": sortie_form,
            "transfert_form": transfert_form,
        },
    )


@login_required
def occupation(request, etablissement_id):
    import calendar
    import datetime

    etab = get_for_user_or_404(
        request.user, Droit.PILOTAGE_VOIR, Etablissement.objects.all(), etablissement_id
    )
    form = MoisForm(request.GET or None)
    aujourd_hui = timezone.localdate()
    mois = (
        form.cleaned_data["mois"]
        if form.is_valid() and form.cleaned_data.get("mois")
        else aujourd_hui.replace(day=1)
    )
    fin = mois.replace(day=calendar.monthrange(mois.year, mois.month)[1])
    jours = selectors.occupation(etab, mois, fin)
    realises = [j for j in jours if j["jour"] <= aujourd_hui]
    journees = sum(j["presents"] for j in realises)
    capacite_totale = (etab.capacite or 0) * len(realises)
    return render(
        request,
        "usagers/occupation.html",
        {
            "etablissement": etab,
            "parametres_export": {"etablissement": etab.public_id, "mois": f"{mois:%Y-%m}"},
            "jours": jours,
            "mois": mois,
            "form": form,
            "journees_presence": journees,
            "taux_mois": round(100 * journees / capacite_totale, 1) if capacite_totale else None,
            "precedent": (mois - datetime.timedelta(days=1)).replace(day=1),
            "suivant": fin + datetime.timedelta(days=1),
        },
    )


@login_required
def photo(request, public_id):
    usager = usager_ou_404(request, public_id)
    if not usager.photo:
        raise Http404
    journaliser_acces(request, TypeAcces.LECTURE, usager, f"Photo de {usager}")
    reponse = FileResponse(usager.photo.open("rb"))
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@login_required
@require_POST
def changer_photo(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.ADMINISTRATIF_MODIFIER)
    fichier = request.FILES.get("photo")
    if fichier is None:
        messages.error(request, "Choisissez une photo (JPEG ou PNG).")
    else:
        with traitement(request=request, refus_404=False):
            services.do_changer_photo(request.user, usager, fichier)
            messages.success(request, "Photo enregistrée.")
    return redirect(usager.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def corriger_identite(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.ADMINISTRATIF_MODIFIER)
    form = UsagerForm(
        request.POST or None, instance=for_tenant(request.user, Usager.objects).get(pk=usager.pk)
    )
    if request.method == "POST" and form.is_valid():
        donnees = {k: form.cleaned_data[k] for k in form.fields}
        avant = usager.statut_identite
        with traitement(form, refus_404=False):
            statut = services.do_corriger_identite(request.user, usager, donnees)
            if statut != avant:
                messages.warning(
                    request,
                    "Un trait strict a changé : l'identité redevient provisoire et doit être "
                    "vérifiée de nouveau (document, INSi).",
                )
            else:
                messages.success(request, "Identité enregistrée.")
            return redirect(usager.get_absolute_url())
    return render(request, "usagers/corriger_identite.html", {"usager": usager, "form": form})
