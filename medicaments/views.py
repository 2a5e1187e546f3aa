"""Pages of the circuit du médicament: the dossier's "Médicaments" tab (prescriptions, ordonnance,
traceability), the drug search, the unit pages (eMAR round, piluliers) and the stock of an ESMS. Views
are thin: a form, a service or a selector, a template."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods, require_POST

from dui import occurrences
from dui.adresses import adresse_locale, adresse_par_objet
from dui.audit import journaliser_acces, journaliser_personnes
from dui.forms import ajouter_erreurs, traitement, traiter
from dui.models import Etablissement, TypeAcces
from dui.occurrences import RESULTAT
from habilitations import policy
from habilitations.access import for_tenant, get_contenu_or_404, get_for_user_or_404, unite_ou_404
from habilitations.roles import Droit
from soins.models import MotifNonRealisation
from usagers.dossier import contexte_dossier, usager_ou_404
from usagers.selectors import etablissements_du_dossier, sejour_dans

from . import selectors, services
from .forms import (
    AdministrationForm,
    ArretForm,
    ArticleForm,
    CrAdministrationForm,
    MouvementForm,
    OrdonnanceForm,
    PrescriptionForm,
    ReevaluationForm,
    SiBesoinForm,
)
from .models import (
    Administration,
    ArticleStock,
    DosePlanifiee,
    Pilulier,
    Prescription,
    nombre_fr,
)


def _jour(request, parametre: str = "jour") -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get(parametre, ""))
    except ValueError:
        return timezone.localdate()


# --- Drug search (reference data: no tenant row) ----------------------------------------------------------------


@login_required
def recherche(request):
    if not policy.etablissements_autorises(request.user, Droit.MEDICAMENTS_VOIR):
        raise Http404
    resultats = selectors.rechercher(request.GET.get("q", ""))
    return render(
        request, "medicaments/_resultats.html", {"resultats": resultats, "q": request.GET.get("q", "")}
    )


# --- Dossier tab -------------------------------------------------------------------------------------------------


def _acquittements(post) -> dict[str, str]:
    return {cle[len("acquit-") :]: valeur for cle, valeur in post.items() if cle.startswith("acquit-")}


def _ecrire_ligne(form, appel) -> tuple[Prescription | None, list]:
    """Run a prescribing service: (the line, []) when written; (None, alerts to acknowledge) or (None, [])
    with the French errors on the form otherwise."""
    try:
        return appel(), []
    except services.AlertesNonAcquittees as exc:
        return None, exc.alertes
    except ValidationError as exc:
        ajouter_erreurs(form, exc)
        return None, []
    except PermissionDenied:
        raise Http404 from None


def _alertes_et_motifs(alertes, post) -> list:
    """Each alert with the reason already typed (a second submit keeps what was written)."""
    deja = _acquittements(post)
    return [(a, deja.get(a.cle, "")) for a in alertes]


@login_required
@require_http_methods(["GET", "POST"])
def dossier(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.MEDICAMENTS_VOIR)
    user = request.user
    etabs = [
        e
        for e in etablissements_du_dossier(user, usager, Droit.MEDICAMENTS_MODIFIER)
        if services.peut_prescrire(user, usager, e)
    ]
    etabs_cr = [
        e
        for e in etablissements_du_dossier(user, usager, Droit.DOCUMENTS_MODIFIER)
        if policy.can_dans_etablissement(user, Droit.MEDICAMENTS_VOIR, usager, e)
    ]
    nom = request.POST.get("formulaire", "") if request.method == "POST" else ""
    if request.method == "POST" and not (
        nom in ("prescrire", "arreter", "ordonnance") and etabs or nom == "cr" and etabs_cr
    ):
        raise Http404
    cr_form = CrAdministrationForm(etabs_cr, request.POST if nom == "cr" else None)
    if nom == "cr" and traiter(
        cr_form,
        lambda: services.do_demander_cr_administration(
            user,
            usager,
            cr_form.cleaned_data["etablissement"],
            cr_form.cleaned_data["du"],
            cr_form.cleaned_data["au"],
        ),
    ):
        messages.success(
            request, "Compte rendu en préparation : il sera dans l'onglet Documents dans quelques instants."
        )
        return redirect("medicaments:dossier", public_id=usager.public_id)
    form = PrescriptionForm(
        etabs,
        request.POST if nom == "prescrire" else None,
        instance=Prescription(organisme_id=usager.organisme_id),
    )
    ordonnance_form = OrdonnanceForm(etabs, request.POST if nom == "ordonnance" else None)
    alertes = []
    if nom == "prescrire" and form.is_valid():
        prescription, alertes = _ecrire_ligne(
            form, lambda: services.do_prescrire(user, form.construire(usager), _acquittements(request.POST))
        )
        if prescription:
            messages.success(request, f"Prescription enregistrée : {prescription.intitule}.")
            return redirect("medicaments:dossier", public_id=usager.public_id)
    if nom == "arreter":
        prescription = get_contenu_or_404(
            user,
            Droit.MEDICAMENTS_MODIFIER,
            Prescription.objects.filter(usager=usager).select_related("usager", "etablissement"),
            request.POST.get("objet"),
        )
        arret = ArretForm(request.POST)
        if arret.is_valid():
            with traitement(request=request):
                services.do_arreter(user, prescription, arret.cleaned_data["motif"])
                messages.success(request, f"Ligne arrêtée : {prescription.intitule}.")
                return redirect("medicaments:dossier", public_id=usager.public_id)
        else:
            messages.error(request, "Indiquez le motif de l'arrêt.")
    if nom == "ordonnance" and traiter(
        ordonnance_form,
        lambda: services.do_demander_ordonnance(user, usager, ordonnance_form.cleaned_data["etablissement"]),
    ):
        messages.success(
            request, "Ordonnance en préparation : elle sera dans l'onglet Documents dans quelques instants."
        )
        return redirect("medicaments:dossier", public_id=usager.public_id)
    prescriptions = list(selectors.prescriptions_du_dossier(user, usager))
    maintenant = timezone.now()
    return render(
        request,
        "medicaments/dossier.html",
        {
            **contexte_dossier(request, usager, "medicaments"),
            "form": form if etabs else None,
            "ordonnance_form": ordonnance_form if etabs else None,
            "cr_form": cr_form if etabs_cr else None,
            "alertes": _alertes_et_motifs(alertes, request.POST),
            "medicament_choisi": selectors.libelle_choix(request.POST.get("medicament", ""))
            if nom == "prescrire"
            else "",
            "en_cours": [
                p for p in prescriptions if p.arrete_le is None and (p.fin is None or p.fin > maintenant)
            ],
            "terminees": [
                p for p in prescriptions if p.arrete_le is not None or (p.fin and p.fin <= maintenant)
            ][:50],
            "administrations": selectors.administrations_du_dossier(user, usager)[:200],
            "peut_prescrire": bool(etabs),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def modifier(request, public_id):
    user = request.user
    ancienne = get_contenu_or_404(
        user,
        Droit.MEDICAMENTS_MODIFIER,
        Prescription.objects.select_related("usager", "etablissement", "specialite", "substance"),
        public_id,
    )
    usager = ancienne.usager
    if ancienne.arrete_le or not services.peut_prescrire(user, usager, ancienne.etablissement):
        raise Http404
    medicament = f"S:{ancienne.specialite.cis}" if ancienne.specialite_id else f"D:{ancienne.substance.code}"
    initial = {
        "medicament": medicament,
        "date_debut": timezone.localdate(),
        "etablissement": ancienne.etablissement.public_id,
        "moments": [],
        "autres_heures": ", ".join(h.strftime("%H:%M") for h in ancienne.heures),
    }
    form = PrescriptionForm(
        [ancienne.etablissement],
        request.POST if request.method == "POST" else None,
        instance=Prescription(organisme_id=usager.organisme_id),
        initial=initial,
    )
    if request.method == "GET":
        for champ in (
            "dose",
            "unite",
            "voie",
            "recurrence",
            "intervalle",
            "jours_semaine",
            "si_besoin",
            "indication",
            "max_par_24h",
            "consignes",
            "commentaire",
            "dosage_dci",
        ):
            form.initial[champ] = getattr(ancienne, champ)
        form.initial["dose"] = nombre_fr(ancienne.dose)
    motif = request.POST.get("motif_modification", "")
    alertes = []
    if request.method == "POST" and form.is_valid():
        if not motif.strip():
            form.add_error(None, "Indiquez le motif de la modification.")
        else:
            nouvelle, alertes = _ecrire_ligne(
                form,
                lambda: services.do_modifier(
                    user, ancienne, form.construire(usager), motif, _acquittements(request.POST)
                ),
            )
            if nouvelle:
                messages.success(request, f"Ligne modifiée : {nouvelle.intitule} — {nouvelle.posologie}.")
                return redirect("medicaments:dossier", public_id=usager.public_id)
    return render(
        request,
        "medicaments/modifier.html",
        {
            **contexte_dossier(request, usager, "medicaments", f"modification de {ancienne.intitule}"),
            "ancienne": ancienne,
            "form": form,
            "alertes": _alertes_et_motifs(alertes, request.POST),
            "motif": motif,
            "medicament_choisi": selectors.libelle_choix(request.POST.get("medicament", medicament)),
        },
    )


# --- eMAR round -------------------------------------------------------------------------------------------------


def select_motifs(choisi: str = ""):
    """The reasons for a dose not given, as a <select> (the same in every dose of the round: rendered once
    unless a choice must be kept after an error)."""
    return format_html(
        '<select name="motif" aria-label="Motif"><option value="">Motif…</option>{}</select>',
        format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (code, " selected" if code == choisi else "", libelle)
                for code, libelle in MotifNonRealisation.choices
                if code != MotifNonRealisation.REFUS  # a refusal has its own button, with its reason
            ),
        ),
    )


SELECT_MOTIFS = select_motifs()


@login_required
def tournee(request, public_id):
    unite = unite_ou_404(request.user, Droit.MEDICAMENTS_VOIR, public_id)
    user = request.user
    maintenant = timezone.now()
    jour_courant, creneau_courant = selectors.creneau_de(maintenant)
    jour = _jour(request) if request.GET.get("jour") else jour_courant
    creneau = request.GET.get("creneau", creneau_courant)
    if creneau not in selectors.LIBELLES_CRENEAUX:
        creneau = creneau_courant
    peut_administrer = unite.etablissement_id in policy.etablissements_autorises(
        user, Droit.MEDICAMENTS_MODIFIER
    ) and unite.etablissement_id in policy.etablissements_autorises(user, Droit.SOINS_MODIFIER)
    journaliser_acces(
        request,
        TypeAcces.LECTURE,
        unite,
        f"Tournée des médicaments du {jour:%d/%m/%Y} ({selectors.LIBELLES_CRENEAUX[creneau]}) — {unite.nom}",
    )
    lignes = selectors.tournee(user, unite, jour, creneau, maintenant)
    journaliser_personnes(
        request,
        TypeAcces.LECTURE,
        (ligne.resident.usager for ligne in lignes),
        f"Tournée des médicaments du {jour:%d/%m/%Y} ({selectors.LIBELLES_CRENEAUX[creneau]}) — {unite.nom}",
        unite.etablissement_id,
    )
    url_dose = adresse_par_objet("medicaments:administrer")
    url_sb = adresse_par_objet("medicaments:si_besoin")
    for ligne in lignes:
        for d in ligne.doses:
            d.url = url_dose(d.dose.public_id)
        for s in ligne.si_besoin:
            s.url = url_sb(s.prescription.public_id)
    if peut_administrer:
        _preparer_corrections(user, [d for ligne in lignes for d in ligne.doses], maintenant)
        _preparer_corrections_si_besoin(user, [s for ligne in lignes for s in ligne.si_besoin], maintenant)
    a_faire = sum(
        1
        for ligne in lignes
        for d in ligne.doses
        if not d.absent and (d.administration is None or d.administration.ouverte)
    )
    return render(
        request,
        "medicaments/tournee.html",
        {
            "unite": unite,
            "jour": jour,
            "creneau": creneau,
            "creneaux": selectors.CRENEAUX,
            "lignes": lignes,
            "peut_administrer": peut_administrer,
            "select_motifs": SELECT_MOTIFS,
            "a_faire": a_faire,
            "en_retard": sum(1 for ligne in lignes for d in ligne.doses if d.en_retard),
            "veille": jour - datetime.timedelta(days=1),
            "lendemain": jour + datetime.timedelta(days=1),
        },
    )


def _preparer_corrections(user, lignes_doses, maintenant) -> None:
    """Whether and how the user may undo each validation shown (``d.correction``), and its URL. Who gives
    the doses corrects them (with a reason after the window)."""
    url_correction = adresse_par_objet("medicaments:corriger")
    for d in lignes_doses:
        d.correction = occurrences.mode_correction(d.administration, user, "administree_le", True, maintenant)
        if d.correction:
            d.url_correction = url_correction(d.administration.public_id)
            d.cible = f"#d-{d.dose.public_id}"
            d.quoi = f"{d.dose.prescription.intitule}, dose de {timezone.localtime(d.dose.prevue_le):%H:%M}"


def _preparer_corrections_si_besoin(user, lignes_si_besoin, maintenant) -> None:
    """The same for the last dose given of each "si besoin" line (a tap on « Noter donné » by mistake)."""
    url_correction = adresse_par_objet("medicaments:corriger")
    for s in lignes_si_besoin:
        s.correction = occurrences.mode_correction(s.derniere, user, "administree_le", True, maintenant)
        if s.correction:
            s.url_correction = url_correction(s.derniere.public_id)
            s.cible = f"#sb-{s.prescription.public_id}"
            s.quoi = (
                f"{s.prescription.intitule}, prise de {timezone.localtime(s.derniere.administree_le):%H:%M}"
            )


def _rendu_si_besoin(request, prescription, erreur: str = "", donnee=None, annulee: bool = False):
    """One "si besoin" line of the round after a dose given (or refused by the maximum), or one undone."""
    maintenant = timezone.now()
    ligne = (
        for_tenant(request.user, Prescription.objects.filter(pk=prescription.pk))
        .annotate(**selectors.derniere_prise(maintenant))
        .select_related("usager", "specialite")
        .get()
    )
    s = selectors.LigneSiBesoin(
        ligne,
        services.prises_si_besoin_24h(prescription, maintenant),
        reverse("medicaments:si_besoin", args=[prescription.public_id]),
        derniere=selectors.derniere_de(ligne),
    )
    _preparer_corrections_si_besoin(request.user, [s], maintenant)
    response = render(
        request,
        "medicaments/_si_besoin.html",
        {
            "s": s,
            "peut_administrer": True,
            "erreur": erreur,
            "donne": donnee is not None,
            "annulee": annulee,
            "reevaluer_le": donnee.reevaluer_le if donnee else None,
            "indication": request.POST.get("indication", "") if erreur else "",
        },
    )
    if donnee is not None or annulee:
        response["HX-Trigger"] = "dose-validee"
    return response


def _rendu_dose(request, dose, erreur: str = "", confirmation=None):
    """One dose of the round after a validation; after an error, what was typed (reason, precision, time)
    stays, its panel open — not the scanned code: the next scan must not be appended to a wrong one."""
    administration = getattr(dose, "administration", None) if dose.pk else None
    ligne = selectors.LigneDose(
        dose, administration, False, reverse("medicaments:administrer", args=[dose.public_id])
    )
    _preparer_corrections(request.user, [ligne], timezone.now())
    saisie = request.POST if erreur else {}
    response = render(
        request,
        "medicaments/_dose.html",
        {
            "d": ligne,
            "peut_administrer": True,
            "erreur": erreur,
            "confirmation": confirmation,
            "saisie": saisie,
            "select_motifs": select_motifs(saisie.get("motif", "")) if erreur else SELECT_MOTIFS,
        },
    )
    if not (erreur or confirmation):
        response["HX-Trigger"] = "dose-validee"
    response[RESULTAT] = "a_confirmer" if confirmation else "refuse" if erreur else "enregistre"
    return response


@login_required
@require_POST
def administrer(request, public_id):
    user = request.user
    dose = get_contenu_or_404(
        user,
        Droit.MEDICAMENTS_MODIFIER,
        DosePlanifiee.objects.select_related("prescription__specialite", "usager"),
        public_id,
    )
    form = AdministrationForm(request.POST)
    erreur = ""
    confirmation = None
    if form.is_valid():
        d = form.cleaned_data
        reporte_a = None
        if d["reporte_a"]:
            jour = timezone.localdate()
            reporte_a = datetime.datetime.combine(
                jour, d["reporte_a"], tzinfo=timezone.get_current_timezone()
            )
            if reporte_a <= timezone.now():  # "2 h" typed at 23 h: tomorrow
                reporte_a += datetime.timedelta(days=1)
        try:
            services.do_administrer(
                user,
                dose,
                d["statut"],
                d["motif"],
                d["precision_refus"] if d["statut"] == "refuse" else d["precision"],
                reporte_a,
                d["code"],
                confirme=d["confirmer_horaire"],
                cle=d["cle_idempotence"],
            )
        except ValidationError as exc:
            if occurrences.hors_horaire(exc):
                confirmation = occurrences.confirmation(
                    exc,
                    reverse("medicaments:administrer", args=[dose.public_id]),
                    request.POST,
                    "donné",
                    cible=f"#d-{dose.public_id}",
                    retour=_retour_tournee(dose),
                )
            else:
                erreur = " ".join(exc.messages)
        except PermissionDenied:
            raise Http404 from None
    else:
        erreur = "Saisie incomplète : choisissez un motif ou une heure de report."
    dose = for_tenant(
        request.user,
        DosePlanifiee.objects.select_related("prescription__specialite", "administration__auteur", "usager"),
    ).get(pk=dose.pk)
    if not request.headers.get("HX-Request"):
        if confirmation:
            return render(request, "dui/confirmer_horaire.html", {"confirmation": confirmation})
        if erreur:
            messages.error(request, erreur)
        else:
            messages.success(
                request,
                f"{dose.prescription.intitule} — {dose.usager} : "
                f"{dose.administration.get_statut_display().lower()}.",
            )
        return redirect(_retour_tournee(dose))
    return _rendu_dose(request, dose, erreur, confirmation)


def _retour_tournee(dose: DosePlanifiee) -> str:
    """The round of the person's unit at the dose's slot, else the person's médicaments."""
    sejour = sejour_dans(dose.usager, dose.etablissement, timezone.localdate())
    if sejour and sejour.unite:
        jour, creneau = selectors.creneau_de(dose.prevue_le)
        return (
            reverse("medicaments:tournee", args=[sejour.unite.public_id]) + f"?jour={jour}&creneau={creneau}"
        )
    return reverse("medicaments:dossier", args=[dose.usager.public_id])


@login_required
@require_POST
def corriger(request, public_id):
    """Undo a dose's validation (given, refused, not given, postponed, a "si besoin" dose): its author
    within the window, a nurse afterwards with a reason; a planned dose is to do again."""
    user = request.user
    administration = get_contenu_or_404(
        user,
        Droit.MEDICAMENTS_MODIFIER,
        Administration.objects.select_related("auteur", "dose", "prescription__specialite", "usager"),
        public_id,
    )
    corrigee, erreur = occurrences.corriger_depuis(
        request, lambda motif: services.do_corriger_administration(user, administration, motif)
    )
    administration = corrigee or administration
    dose = administration.dose
    if dose is None and request.headers.get("HX-Request"):  # a "si besoin" dose, from the round
        return _rendu_si_besoin(request, administration.prescription, erreur, annulee=corrigee is not None)
    if dose is None or not request.headers.get("HX-Request"):
        if erreur:
            messages.error(request, erreur)
        else:
            messages.success(
                request,
                f"{administration.prescription.intitule} — {administration.usager} : validation annulée.",
            )
        if dose is None:
            return redirect("medicaments:dossier", public_id=administration.usager.public_id)
        return redirect(_retour_tournee(dose))
    dose = for_tenant(
        user,
        DosePlanifiee.objects.select_related("prescription__specialite", "administration__auteur", "usager"),
    ).get(pk=dose.pk)
    return _rendu_dose(request, dose, erreur)


@login_required
@require_POST
def reevaluer(request, public_id):
    """Record what a "si besoin" dose did (issue 23, item 4): in the unit pages' section (htmx: the row is
    replaced), or without JavaScript (back to the page it came from)."""
    user = request.user
    administration = get_contenu_or_404(
        user,
        Droit.MEDICAMENTS_MODIFIER,
        Administration.objects.select_related("usager", "auteur", "prescription__specialite").filter(
            dose__isnull=True
        ),
        public_id,
    )
    if not services.peut_administrer(user, administration):  # who gives the doses: the others get 404
        raise Http404
    form = ReevaluationForm(request.POST)
    erreur = ""
    if form.is_valid():
        try:
            administration = services.do_reevaluer_si_besoin(
                user,
                administration,
                form.cleaned_data["effet"],
                form.cleaned_data["douleur_apres"],
                form.cleaned_data["commentaire"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                ajouter_erreurs(form, exc)
            else:
                erreur = " ".join(exc.messages)
        except PermissionDenied:
            raise Http404 from None
    if not request.headers.get("HX-Request"):
        if form.errors or erreur:
            messages.error(request, erreur or " ".join(m for msgs in form.errors.values() for m in msgs))
        else:
            messages.success(
                request, f"{administration.prescription.intitule} — {administration.usager} : effet noté."
            )
        return redirect(
            adresse_locale(request, request.POST.get("suivant"))
            or reverse("medicaments:dossier", args=[administration.usager.public_id])
        )
    maintenant = timezone.now()
    sejour = sejour_dans(administration.usager, administration.etablissement_id, timezone.localdate())
    ligne = selectors.Reevaluation(
        administration,
        (sejour.chambre or "") if sejour else "",
        en_retard=administration.reevaluee_le is None and administration.reevaluer_le <= maintenant,
        url="" if administration.reevaluee_le else reverse("medicaments:reevaluer", args=[public_id]),
    )
    return render(
        request,
        "medicaments/_reevaluation.html",
        {"r": ligne, "form": form if form.errors else None, "erreur": erreur},
    )


@login_required
@require_POST
def si_besoin(request, public_id):
    user = request.user
    prescription = get_contenu_or_404(
        user,
        Droit.MEDICAMENTS_MODIFIER,
        Prescription.objects.select_related("usager", "specialite").filter(si_besoin=True),
        public_id,
    )
    form = SiBesoinForm(request.POST)
    erreur = ""
    donnee = None
    if form.is_valid():
        try:
            donnee = services.do_donner_si_besoin(
                user, prescription, form.cleaned_data["indication"], form.cleaned_data["code"]
            )
        except ValidationError as exc:
            erreur = " ".join(exc.messages)
        except PermissionDenied:
            raise Http404 from None
    else:
        erreur = "Indiquez pourquoi la dose est donnée (douleur, fièvre…)."
    if not request.headers.get("HX-Request"):
        if erreur:
            messages.error(request, erreur)
        else:
            messages.success(request, f"{prescription.intitule} — {prescription.usager} : donné (si besoin).")
        return redirect("medicaments:dossier", public_id=prescription.usager.public_id)
    return _rendu_si_besoin(request, prescription, erreur, donnee)


# --- Piluliers ---------------------------------------------------------------------------------------------------


def _semaine(request) -> datetime.date:
    return services.lundi(
        _jour(request, "semaine")
        if request.GET.get("semaine")
        else timezone.localdate() + datetime.timedelta(days=7)
    )


@login_required
def piluliers(request, public_id):
    unite = unite_ou_404(request.user, Droit.MEDICAMENTS_VOIR, public_id)
    semaine = _semaine(request)
    liste = selectors.residents(request.user, unite, semaine, action=Droit.MEDICAMENTS_VOIR)
    journaliser_acces(
        request, TypeAcces.LECTURE, unite, f"Piluliers de la semaine du {semaine:%d/%m/%Y} — {unite.nom}"
    )
    journaliser_personnes(
        request,
        TypeAcces.LECTURE,
        (r.usager for r in liste),
        f"Piluliers de la semaine du {semaine:%d/%m/%Y} — {unite.nom}",
        unite.etablissement_id,
    )
    faits = selectors.piluliers_de_la_semaine(liste, unite.etablissement_id, semaine)
    a_refaire = selectors.piluliers_a_refaire(list(faits.values()))
    return render(
        request,
        "medicaments/piluliers.html",
        {
            "unite": unite,
            "semaine": semaine,
            "lignes": [(r, faits.get(r.usager.pk), r.usager.pk in a_refaire) for r in liste],
            "precedente": semaine - datetime.timedelta(days=7),
            "suivante": semaine + datetime.timedelta(days=7),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pilulier(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.MEDICAMENTS_VOIR)
    user = request.user
    semaine = services.lundi(_jour(request, "semaine"))
    etabs = etablissements_du_dossier(user, usager, Droit.MEDICAMENTS_VOIR)
    etab_id = request.GET.get("etablissement")
    etablissement = next((e for e in etabs if str(e.public_id) == etab_id), etabs[0] if etabs else None)
    if etablissement is None:
        raise Http404
    existant = for_tenant(
        request.user,
        Pilulier.objects.select_related("prepare_par", "verifie_par").filter(
            usager=usager, etablissement=etablissement, semaine=semaine
        ),
    ).first()
    if request.method == "POST":
        action = request.POST.get("action")
        with traitement(request=request):
            if action == "preparer":
                services.do_marquer_pilulier_prepare(user, usager, etablissement, semaine)
                messages.success(
                    request, "Pilulier marqué préparé. Un second professionnel doit le contrôler."
                )
            elif action == "verifier" and existant:
                services.do_verifier_pilulier(user, existant)
                messages.success(request, "Double contrôle enregistré.")
            else:
                raise Http404
        return redirect(
            reverse("medicaments:pilulier", args=[usager.public_id])
            + f"?semaine={semaine}&etablissement={etablissement.public_id}"
        )
    sejour = sejour_dans(usager, etablissement, semaine) or sejour_dans(
        usager, etablissement, timezone.localdate()
    )
    return render(
        request,
        "medicaments/pilulier.html",
        {
            **contexte_dossier(request, usager, "medicaments", f"pilulier du {semaine:%d/%m/%Y}"),
            "semaine": semaine,
            "etablissement": etablissement,
            "pilulier": existant,
            "sejour": sejour,
            "a_refaire": bool(existant and selectors.piluliers_a_refaire([existant])),
            "grille": selectors.contenu_pilulier(usager, etablissement.pk, semaine),
            "jours": [semaine + datetime.timedelta(days=i) for i in range(7)],
            "peut_modifier": etablissement.pk
            in policy.etablissements_autorises(user, Droit.MEDICAMENTS_MODIFIER),
            "precedente": semaine - datetime.timedelta(days=7),
            "suivante": semaine + datetime.timedelta(days=7),
        },
    )


# --- Stock ---------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def stock(request):
    user = request.user
    autorises = policy.etablissements_autorises(user, Droit.MEDICAMENTS_VOIR)
    etabs = list(for_tenant(user, Etablissement.objects.filter(pk__in=autorises)).order_by("nom"))
    if not etabs:
        raise Http404
    choisi = request.GET.get("etablissement")
    etablissement = next((e for e in etabs if str(e.public_id) == choisi), etabs[0])
    peut_modifier = etablissement.pk in policy.etablissements_autorises(user, Droit.MEDICAMENTS_MODIFIER)
    nom = request.POST.get("formulaire", "") if request.method == "POST" else ""
    if nom and (nom not in ("article", "mouvement") or not peut_modifier):
        raise Http404
    article_form = ArticleForm(
        request.POST if nom == "article" else None, instance=ArticleStock(etablissement=etablissement)
    )
    mouvement_form = MouvementForm(request.POST if nom == "mouvement" else None, auto_id="mvt-%s")
    retour = redirect(reverse("medicaments:stock") + f"?etablissement={etablissement.public_id}")
    if nom == "article" and article_form.is_valid():
        article_form.instance.specialite = article_form.choix
        with traitement(article_form, refus_404=False):
            services.do_ajouter_article(user, article_form.instance)
            messages.success(request, f"{article_form.choix} ajouté au stock.")
            return retour
    if nom == "mouvement" and mouvement_form.is_valid():
        d = mouvement_form.cleaned_data
        article = get_for_user_or_404(
            user,
            Droit.MEDICAMENTS_MODIFIER,
            ArticleStock.objects.filter(etablissement=etablissement).select_related(
                "etablissement", "specialite"
            ),
            d["article"],
        )
        try:
            services.do_mouvement(
                user, article, d["type_mouvement"], d["quantite"], d["lot"], d["peremption"], d["commentaire"]
            )
        except ValidationError as exc:
            ajouter_erreurs(mouvement_form, exc)
            messages.error(
                request,
                f"{article.specialite} : "
                + " ".join(e for erreurs in mouvement_form.errors.values() for e in erreurs),
            )
        else:
            messages.success(request, f"Mouvement enregistré : {article.specialite}.")
            return retour
    elif nom == "mouvement":
        messages.error(
            request,
            "Mouvement incomplet : "
            + " ".join(e for erreurs in mouvement_form.errors.values() for e in erreurs),
        )
    journaliser_acces(
        request, TypeAcces.LECTURE, etablissement, f"Stock de médicaments — {etablissement.nom}"
    )
    etat = selectors.etat_du_stock(etablissement.pk)
    return render(
        request,
        "medicaments/stock.html",
        {
            "etablissements": etabs,
            "etablissement": etablissement,
            "etat": etat,
            "peut_modifier": peut_modifier,
            "article_form": article_form,
            "mouvement_form": mouvement_form,
            "article_en_erreur": request.POST.get("article", "") if nom == "mouvement" else "",
            "medicament_choisi": selectors.libelle_choix(request.POST.get("medicament", ""))
            if nom == "article"
            else "",
            "sous_le_seuil": [e for e in etat if e.sous_le_seuil and e.article.seuil_alerte],
            "a_surveiller": [(e, lot) for e in etat for lot in e.lots if lot["proche"]],
        },
    )
