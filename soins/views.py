"""Pages of the soins: the dossier's tabs (soins and dossier médical, constantes, transmissions, plan de
soins) and the unit pages carers open on a tablet (relève, day view of the plan de soins, round of
constantes). Views are thin: a form, a service or a selector, a template."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods, require_POST

from annuaire.selectors import partenaires_soignants
from dui import occurrences
from dui.adresses import adresse_par_objet
from dui.audit import journaliser_acces, journaliser_personnes
from dui.forms import ajouter_erreurs, traiter
from dui.models import TypeAcces
from dui.occurrences import RESULTAT
from habilitations import policy
from habilitations.access import for_tenant, get_contenu_or_404, unite_ou_404
from habilitations.roles import Droit
from usagers.dossier import contexte_dossier, usager_ou_404
from usagers.selectors import dossier_administratif_de, etablissements_du_dossier, sejour_dans

from . import selectors, services
from .forms import (
    CONSTANTES_TOUR,
    AllergieForm,
    AntecedentForm,
    ConstantesForm,
    DluForm,
    DossierSoinsForm,
    IntervenantForm,
    MotifForm,
    SeuilForm,
    SoinPlanifieForm,
    TransmissionForm,
    TransmissionRapideForm,
    VaccinationForm,
    ValidationSoinForm,
)
from .models import (
    DEFINITIONS,
    Constante,
    DossierSoins,
    MotifNonRealisation,
    RealisationSoin,
    SoinPlanifie,
    StatutRealisation,
    Transmission,
    TypeAntecedent,
    poste_de,
)
from .registre_unite import registre_unite

# --- Soins and dossier médical (dossier tab) ------------------------------------------------------------------

FORMULAIRES_DOSSIER = (
    "allergie",
    "aucune_allergie",
    "desactiver_allergie",
    "profil",
    "antecedent",
    "basculer_antecedent",
    "vaccination",
    "intervenant",
    "retirer_intervenant",
    "dlu",
)
FORMULAIRES_MEDICAUX = ("antecedent", "basculer_antecedent")
TITRES_ANTECEDENTS = [
    (TypeAntecedent.PROBLEME, "Problèmes de santé actuels"),
    (TypeAntecedent.MEDICAL, "Antécédents médicaux"),
    (TypeAntecedent.CHIRURGICAL, "Antécédents chirurgicaux"),
    (TypeAntecedent.FAMILIAL, "Antécédents familiaux"),
]


@login_required
@require_http_methods(["GET", "POST"])
def dossier(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.SOINS_VOIR)
    user = request.user
    peut_modifier = policy.can(user, Droit.SOINS_MODIFIER, usager)
    voit_medical = policy.can(user, Droit.MEDICAL_VOIR, usager)
    modifie_medical = policy.can(user, Droit.MEDICAL_MODIFIER, usager)
    etabs_dlu = etablissements_du_dossier(user, usager, Droit.DOCUMENTS_MODIFIER) if voit_medical else []
    etabs_dlu = [e for e in etabs_dlu if e.pk in policy.etablissements_autorises(user, Droit.MEDICAL_VOIR)]
    post = request.POST if request.method == "POST" else None
    nom = (post or {}).get("formulaire", "")
    if post is not None:
        autorise = (
            modifie_medical
            if nom in FORMULAIRES_MEDICAUX
            else bool(etabs_dlu)
            if nom == "dlu"
            else peut_modifier
        )
        if nom not in FORMULAIRES_DOSSIER or not autorise:
            raise Http404
    # a GET does not write: an empty dossier de soins is only created when someone fills it in
    dossier_soins = (
        services.dossier_soins_de(usager)
        if nom == "profil"
        else (
            for_tenant(request.user, DossierSoins.objects.filter(usager=usager)).first()
            or DossierSoins(usager=usager, organisme_id=usager.organisme_id)
        )
    )

    def lie(cle):
        return post if nom == cle else None

    forms = {
        "allergie": AllergieForm(lie("allergie"), prefix="allergie"),
        "profil": DossierSoinsForm(lie("profil"), instance=dossier_soins, prefix="profil"),
        "antecedent": AntecedentForm(lie("antecedent"), prefix="antecedent"),
        "vaccination": VaccinationForm(lie("vaccination"), prefix="vaccination"),
        "intervenant": IntervenantForm(
            lie("intervenant"), prefix="intervenant", partenaires=partenaires_soignants(request.user)
        ),
        "motif": MotifForm(lie("desactiver_allergie")),
        "dlu": DluForm(etabs_dlu, lie("dlu"), prefix="dlu"),
    }
    if post is not None:
        ok, message = _traiter_dossier(request, usager, nom, forms, post)
        if ok:
            messages.success(request, message)
            return redirect(reverse("soins:dossier", args=[usager.public_id]) + f"#{nom}")
    from documents.models import TypeDocument
    from documents.selectors import documents_du_dossier

    administratif = dossier_administratif_de(usager)
    return render(
        request,
        "soins/dossier.html",
        {
            **contexte_dossier(request, usager, "soins"),
            "forms": forms,
            "dossier_soins": dossier_soins,
            "peut_modifier_soins": peut_modifier,
            "voit_medical": voit_medical,
            "modifie_medical": modifie_medical,
            "allergies": usager.allergies.select_related("saisie_par").order_by(
                "inactive_le", "-severite", "agent"
            ),
            "antecedents": usager.antecedents.all() if voit_medical else [],
            "types_antecedents": TITRES_ANTECEDENTS,
            "vaccinations": usager.vaccinations.all()[:30],
            "intervenants": usager.intervenants.filter(actif=True),
            "administratif": administratif,
            "peut_dlu": bool(etabs_dlu),
            "dlus": list(
                documents_du_dossier(user, usager)
                .filter(type_document=TypeDocument.DLU)
                .order_by("-cree_le")[:3]
            )
            if voit_medical
            else [],
        },
    )


def _traiter_dossier(request, usager, nom, forms, post) -> tuple[bool, str]:
    user = request.user
    if nom == "aucune_allergie":
        try:
            services.do_declarer_aucune_allergie(user, usager)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return False, ""
        return True, "« Aucune allergie connue » enregistré."
    if nom == "desactiver_allergie":
        allergie = _objet_du_dossier(usager.allergies.all(), post.get("objet"))
        form = forms["motif"]
        return traiter(
            form, lambda: services.do_desactiver_allergie(user, allergie, form.cleaned_data["motif"])
        ), "Allergie désactivée (conservée dans l'historique)."
    if nom == "basculer_antecedent":
        antecedent = _objet_du_dossier(usager.antecedents.all(), post.get("objet"))
        services.do_basculer_antecedent(user, antecedent)
        return True, "Antécédent mis à jour."
    if nom == "retirer_intervenant":
        intervenant = _objet_du_dossier(usager.intervenants.filter(actif=True), post.get("objet"))
        services.do_retirer_intervenant(user, intervenant)
        return True, f"{intervenant.nom} retiré(e) des intervenants."
    form = forms[nom]
    if nom == "allergie":
        return traiter(
            form, lambda: services.do_ajouter_allergie(user, usager, form.instance)
        ), "Allergie enregistrée."
    if nom == "profil":
        return traiter(
            form, lambda: services.do_modifier_dossier_soins(user, form.instance)
        ), "Régime, textures et risques enregistrés."
    if nom == "antecedent":
        return traiter(
            form, lambda: services.do_ajouter_antecedent(user, usager, form.instance)
        ), "Antécédent enregistré."
    if nom == "vaccination":
        return traiter(
            form, lambda: services.do_ajouter_vaccination(user, usager, form.instance)
        ), "Vaccination enregistrée."
    if nom == "intervenant":
        return traiter(
            form, lambda: services.do_ajouter_intervenant(user, usager, form.instance)
        ), "Intervenant enregistré."
    # dlu
    return traiter(
        form, lambda: services.do_demander_dlu(user, usager, form.cleaned_data["etablissement"])
    ), "Le DLU est en préparation : il apparaîtra dans quelques instants ci-dessous et dans les documents."


def _objet_du_dossier(queryset, public_id):
    from habilitations.access import get_in_scope_or_404

    return get_in_scope_or_404(queryset, public_id)


# --- Constantes (dossier tab) ---------------------------------------------------------------------------------

PERIODES = {"7": 7, "30": 30, "90": 90, "365": 365}


@login_required
@require_http_methods(["GET", "POST"])
def constantes(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.SOINS_VOIR)
    user = request.user
    etabs = etablissements_du_dossier(user, usager, Droit.SOINS_MODIFIER)
    peut_seuils = policy.can(user, Droit.SOINS_MODIFIER, usager) and policy.can(
        user, Droit.MEDICAL_VOIR, usager
    )
    nom = request.POST.get("formulaire", "") if request.method == "POST" else ""
    if request.method == "POST" and not (
        (nom == "mesures" and etabs) or (nom == "seuil" and peut_seuils) or (nom == "annuler" and etabs)
    ):
        raise Http404
    form = ConstantesForm(request.POST if nom == "mesures" else None, etablissements=etabs, prefix="c")
    seuil_form = SeuilForm(request.POST if nom == "seuil" else None, prefix="seuil")
    motif_form = MotifForm(request.POST if nom == "annuler" else None)
    enregistrees: list[Constante] = []
    if nom == "mesures" and traiter(
        form,
        lambda: enregistrees.extend(
            services.do_enregistrer_constantes(
                user, usager, form.cleaned_data["etablissement"], form.mesures()
            )
        ),
    ):
        for c in enregistrees:
            if c.alerte:
                messages.warning(request, f"Alerte : {c.alerte}")
        messages.success(request, "Constantes enregistrées.")
        return redirect("soins:constantes", public_id=usager.public_id)
    if nom == "seuil":

        def enregistrer():
            d = seuil_form.cleaned_data
            services.do_modifier_seuils(
                user, usager, d["type_constante"], d["minimum"], d["maximum"], d["minimum_2"], d["maximum_2"]
            )

        if traiter(seuil_form, enregistrer):
            messages.success(request, "Seuils d'alerte enregistrés.")
            return redirect("soins:constantes", public_id=usager.public_id)
    if nom == "annuler":
        constante = get_contenu_or_404(
            user, Droit.SOINS_MODIFIER, Constante.objects.filter(usager=usager), request.POST.get("objet")
        )
        if traiter(
            motif_form,
            lambda: services.do_annuler_constante(user, constante, motif_form.cleaned_data["motif"]),
        ):
            messages.success(request, "Mesure annulée.")
            return redirect("soins:constantes", public_id=usager.public_id)
        messages.error(request, "Indiquez le motif de l'annulation.")
    periode = request.GET.get("periode", "30")
    jours = PERIODES.get(periode, 30)
    fin = timezone.now()
    debut = fin - datetime.timedelta(days=jours)
    mesures = list(
        selectors.constantes_du_dossier(user, usager)
        .filter(mesure_le__gte=debut, annulee_le__isnull=True)
        .order_by("mesure_le")
    )
    seuils = services.seuils_de(usager)
    dernieres = selectors.dernieres_constantes(user, usager)
    return render(
        request,
        "soins/constantes.html",
        {
            **contexte_dossier(request, usager, "constantes"),
            "form": form if etabs else None,
            "seuil_form": seuil_form if peut_seuils else None,
            "graphiques": selectors.graphiques(mesures, seuils, debut, fin),
            "recentes": selectors.constantes_du_dossier(user, usager).select_related("auteur")[:20],
            "dernieres": [(DEFINITIONS[code], dernieres[code]) for code in DEFINITIONS if code in dernieres],
            "imc": selectors.imc(dernieres.get("poids"), dernieres.get("taille")),
            "seuils": [
                (dict(DEFINITIONS[c].__dict__), c, s)
                for c, s in seuils.items()
                if any(v is not None for v in s)
            ],
            "periode": str(jours),
            "periodes": PERIODES,
            "peut_annuler": bool(etabs),
        },
    )


# --- Transmissions (dossier tab) --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transmissions(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.SOINS_VOIR)
    user = request.user
    etabs = etablissements_du_dossier(user, usager, Droit.SOINS_MODIFIER)
    form = TransmissionForm(
        etabs, request.POST or None, instance=Transmission(usager=usager, organisme_id=usager.organisme_id)
    )
    if request.method == "POST":
        if not etabs:
            raise Http404
        if traiter(form, lambda: services.do_ecrire_transmission(user, form.instance)):
            messages.success(request, "Transmission enregistrée.")
            return redirect("soins:transmissions", public_id=usager.public_id)
    page = Paginator(selectors.transmissions_du_dossier(user, usager), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "soins/transmissions.html",
        {**contexte_dossier(request, usager, "transmissions"), "form": form if etabs else None, "page": page},
    )


# --- Plan de soins (dossier tab) ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.SOINS_VOIR)
    user = request.user
    etabs = etablissements_du_dossier(user, usager, Droit.SOINS_MODIFIER)
    nom = request.POST.get("formulaire", "") if request.method == "POST" else ""
    if request.method == "POST" and (nom not in ("soin", "arreter") or not etabs):
        raise Http404
    form = SoinPlanifieForm(
        etabs,
        request.POST if nom == "soin" else None,
        instance=SoinPlanifie(usager=usager, organisme_id=usager.organisme_id),
    )
    motif_form = MotifForm(request.POST if nom == "arreter" else None)
    if nom == "soin" and traiter(form, lambda: services.do_planifier_soin(user, form.instance)):
        messages.success(request, f"Soin « {form.instance.intitule} » ajouté au plan de soins.")
        return redirect("soins:plan", public_id=usager.public_id)
    if nom == "arreter":
        soin = get_contenu_or_404(
            user, Droit.SOINS_MODIFIER, SoinPlanifie.objects.filter(usager=usager), request.POST.get("objet")
        )
        if traiter(
            motif_form, lambda: services.do_arreter_soin(user, soin, motif_form.cleaned_data["motif"])
        ):
            messages.success(request, f"Soin « {soin.intitule} » arrêté.")
            return redirect("soins:plan", public_id=usager.public_id)
        messages.error(request, "Indiquez pourquoi ce soin est arrêté.")
    return render(
        request,
        "soins/plan.html",
        {
            **contexte_dossier(request, usager, "plan"),
            "form": form if etabs else None,
            "soins": selectors.soins_du_dossier(user, usager),
            "realisations": selectors.realisations_recentes(user, usager),
            "peut_modifier": bool(etabs),
        },
    )


# --- Unit pages -------------------------------------------------------------------------------------------------


@login_required
def unites(request):
    liste = list(selectors.unites_de_soins(request.user))
    if not liste and not policy.etablissements_autorises(request.user, Droit.SOINS_VOIR):
        raise Http404
    for unite in liste:  # only the rounds the user may do there (a director reads the relève, does no round)
        actions = policy.actions_dans(request.user, unite.etablissement_id)
        unite.tour_constantes = Droit.SOINS_MODIFIER in actions
        unite.tournee_medicaments = Droit.MEDICAMENTS_VOIR in actions
    return render(request, "soins/unites.html", {"unites": liste})


@login_required
def releve(request, public_id):
    unite = unite_ou_404(request.user, Droit.SOINS_VOIR, public_id)
    user = request.user
    maintenant = timezone.now()
    depuis = services.do_prendre_poste(user, unite, maintenant)
    poste, jour = poste_de(maintenant)
    liste = selectors.residents(user, unite, timezone.localdate())
    elements = selectors.releve(user, unite, depuis, [r.usager for r in liste])
    _urls_des_usagers(r.usager for r in liste)
    journaliser_acces(request, TypeAcces.LECTURE, unite, f"Relève — {unite.nom}")
    journaliser_personnes(
        request, TypeAcces.LECTURE, (r.usager for r in liste), f"Relève — {unite.nom}", unite.etablissement_id
    )
    return render(
        request,
        "soins/releve.html",
        {
            "url_lu": reverse("soins:lu", args=[unite.public_id]),
            "unite": unite,
            "elements": elements,
            "depuis": depuis,
            "poste": {"matin": "du matin", "apres_midi": "de l'après-midi", "nuit": "de nuit"}[poste],
            "jour": jour,
            "non_lus": sum(1 for e in elements if not e.lu),
            "groupes": selectors.regrouper_releve(elements, liste),
            "residents": liste,
            "sections_unite": registre_unite.remplir(user, unite, timezone.localdate()),
        },
    )


@login_required
@require_POST
def marquer_lu(request, public_id):
    """Mark one item (``objet`` = "transmission:<id>"…) or everything of the user's relève read."""
    unite = unite_ou_404(request.user, Droit.SOINS_VOIR, public_id)
    user = request.user
    depuis = timezone.now() - services.RELEVE_MAX
    liste = selectors.residents(user, unite, timezone.localdate())
    elements = selectors.releve(user, unite, depuis, [r.usager for r in liste])
    cible = request.POST.get("objet", "")
    if cible.startswith("usager:"):  # everything of one resident, in one tap (issue 23, item 6)
        elements = [e for e in elements if f"usager:{e.usager.public_id}" == cible]
        if not elements:
            raise Http404
    elif cible != "tout":
        elements = [e for e in elements if f"{e.genre}:{e.objet.public_id}" == cible]
        if not elements:
            raise Http404
    services.do_marquer_lu(
        user,
        transmissions=[e.objet.pk for e in elements if e.genre == "transmission"],
        constantes=[e.objet.pk for e in elements if e.genre == "alerte"],
        realisations=[e.objet.pk for e in elements if e.genre == "soin"],
        absences=[e.objet.pk for e in elements if e.genre == "absence"],
        sejours=[e.objet.pk for e in elements if e.genre == "arrivee"],
    )
    if request.headers.get("HX-Request") and cible != "tout":
        for element in elements:
            element.lu = True
        _urls_des_usagers([elements[0].usager])
        if cible.startswith("usager:"):
            (groupe,) = selectors.regrouper_releve(elements, liste)
            reponse = render(
                request,
                "soins/_groupe_releve.html",
                {"g": groupe, "unite": unite, "url_lu": reverse("soins:lu", args=[unite.public_id])},
            )
        else:
            reponse = render(request, "soins/_element_releve.html", {"e": elements[0], "unite": unite})
        reponse["HX-Trigger"] = "releve-lue"  # the page's counter refreshes
        return reponse
    return redirect("soins:releve", public_id=unite.public_id)


def _urls_des_usagers(usagers) -> None:
    """Each person's transmissions tab, computed once per person (the relève lists dozens of items)."""
    for usager in usagers:
        usager.url_soins = reverse("soins:transmissions", args=[usager.public_id])


def _jour_demande(request) -> datetime.date:
    aujourd_hui = timezone.localdate()
    try:
        jour = (
            datetime.date.fromisoformat(request.GET.get("jour", ""))
            if request.GET.get("jour")
            else aujourd_hui
        )
    except ValueError:
        jour = aujourd_hui
    return jour


# The same <select> in every occurrence of the day view: rendered once (a hundred occurrences per page).
SELECT_MOTIFS = format_html(
    '<select name="motif"><option value="">Motif…</option>{}</select>',
    format_html_join("", '<option value="{}">{}</option>', MotifNonRealisation.choices),
)


@login_required
def journee(request, public_id):
    unite = unite_ou_404(request.user, Droit.SOINS_VOIR, public_id)
    user = request.user
    jour = _jour_demande(request)
    liste = selectors.residents(user, unite, jour)
    peut_valider = unite.etablissement_id in policy.etablissements_autorises(user, Droit.SOINS_MODIFIER)
    journaliser_acces(request, TypeAcces.LECTURE, unite, f"Plan de soins du {jour:%d/%m/%Y} — {unite.nom}")
    journaliser_personnes(
        request,
        TypeAcces.LECTURE,
        (r.usager for r in liste),
        f"Plan de soins du {jour:%d/%m/%Y} — {unite.nom}",
        unite.etablissement_id,
    )
    lignes = selectors.journee(unite, jour, liste)
    urls: dict[int, str] = {}
    for ligne in lignes:
        for o in ligne.occurrences:
            if o.soin.pk not in urls:
                urls[o.soin.pk] = reverse("soins:valider", args=[o.soin.public_id])
            o.url = urls[o.soin.pk]
        if peut_valider:
            _preparer_corrections(user, ligne.occurrences, unite.etablissement_id, timezone.now())
    return render(
        request,
        "soins/journee.html",
        {
            "unite": unite,
            "jour": jour,
            "jour_iso": jour.isoformat(),
            "lignes": lignes,
            "sections_unite": registre_unite.remplir(user, unite, jour),
            "peut_valider": peut_valider,
            "veille": jour - datetime.timedelta(days=1),
            "lendemain": jour + datetime.timedelta(days=1),
            "aujourdhui": timezone.localdate(),
            "statuts": StatutRealisation,
            "select_motifs": SELECT_MOTIFS,
            "a_faire": sum(
                1
                for ligne in lignes
                for o in ligne.occurrences
                if not o.absent and (o.realisation is None or o.realisation.ouverte)
            ),
            "en_retard": sum(1 for ligne in lignes for o in ligne.occurrences if o.en_retard),
        },
    )


@login_required
@require_POST
def valider_soin(request, public_id):
    user = request.user
    soin = get_contenu_or_404(
        user, Droit.SOINS_MODIFIER, SoinPlanifie.objects.select_related("usager"), public_id
    )
    form = ValidationSoinForm(request.POST)
    erreur = ""
    confirmation = None
    realisation = None
    jour = form.cleaned_data.get("jour") if form.is_valid() else None
    heure = form.cleaned_data.get("heure") if form.is_valid() else None
    if form.is_valid():
        d = form.cleaned_data
        try:
            realisation = services.do_valider_soin(
                user,
                soin,
                d["jour"],
                d["heure"],
                d["statut"],
                d["motif"],
                d["precision"],
                d["reporte_a"],
                confirme=d["confirmer_horaire"],
                cle=d["cle_idempotence"],
            )
        except ValidationError as exc:
            if occurrences.hors_horaire(exc):
                cle = selectors.Occurrence(soin, heure, None, False).cle
                confirmation = occurrences.confirmation(
                    exc,
                    reverse("soins:valider", args=[soin.public_id]),
                    request.POST,
                    "fait",
                    cible=f"#o-{cle}",
                    retour=_retour_journee(soin, jour),
                )
            else:
                erreur = " ".join(exc.messages)
        except PermissionDenied:
            raise Http404 from None
    else:
        erreur = "Saisie incomplète : choisissez un motif ou une heure de report."
    if realisation is None and jour and heure:
        realisation = (
            for_tenant(
                request.user, RealisationSoin.objects.filter(soin=soin, date_prevue=jour, heure_prevue=heure)
            )
            .select_related("auteur")
            .first()
        )
    if not request.headers.get("HX-Request"):
        if confirmation:
            return render(request, "dui/confirmer_horaire.html", {"confirmation": confirmation})
        if erreur:
            messages.error(request, erreur)
        else:
            messages.success(
                request, f"{soin.intitule} — {soin.usager} : {realisation.get_statut_display().lower()}."
            )
        return redirect(_retour_journee(soin, jour))
    if not (jour and heure):
        raise Http404
    return _rendu_occurrence(request, soin, jour, heure, realisation, erreur, confirmation)


def _retour_journee(soin: SoinPlanifie, jour: datetime.date | None) -> str:
    """The day view of the person's unit (the day of the occurrence), else the person's plan."""
    sejour = sejour_dans(soin.usager, soin.etablissement, timezone.localdate())
    if sejour and sejour.unite:
        return reverse("soins:journee", args=[sejour.unite.public_id]) + (f"?jour={jour}" if jour else "")
    return reverse("soins:plan", args=[soin.usager.public_id])


def _preparer_corrections(user, occurrences_, etablissement_id: int, maintenant) -> None:
    """Whether and how the user may undo each validation shown (``o.correction``), and its URL."""
    tout = services.peut_corriger_tout(user, etablissement_id)
    url_correction = adresse_par_objet("soins:corriger")
    for o in occurrences_:
        o.correction = occurrences.mode_correction(o.realisation, user, "realise_le", tout, maintenant)
        if o.correction:
            o.url_correction = url_correction(o.realisation.public_id)
            o.cible, o.quoi = f"#o-{o.cle}", f"{o.soin.intitule} de {o.heure_texte}"


def _rendu_occurrence(request, soin, jour, heure, realisation, erreur="", confirmation=None):
    occurrence = selectors.Occurrence(
        soin, heure, realisation, False, reverse("soins:valider", args=[soin.public_id])
    )
    _preparer_corrections(request.user, [occurrence], soin.etablissement_id, timezone.now())
    response = render(
        request,
        "soins/_occurrence.html",
        {
            "o": occurrence,
            "jour_iso": jour.isoformat(),
            "peut_valider": True,
            "erreur": erreur,
            "confirmation": confirmation,
            "select_motifs": SELECT_MOTIFS,
        },
    )
    if not (erreur or confirmation):
        response["HX-Trigger"] = "soin-valide"  # the day view refreshes its counters
    response[RESULTAT] = "a_confirmer" if confirmation else "refuse" if erreur else "enregistre"
    return response


@login_required
@require_POST
def corriger_soin(request, public_id):
    """Undo the validation of a care task (the occurrence is to do again): its author within the window,
    a nurse afterwards with a reason."""
    user = request.user
    realisation = get_contenu_or_404(
        user,
        Droit.SOINS_MODIFIER,
        RealisationSoin.objects.select_related("soin__usager", "auteur"),
        public_id,
    )
    corrigee, erreur = occurrences.corriger_depuis(
        request, lambda motif: services.do_corriger_soin(user, realisation, motif)
    )
    realisation = corrigee or realisation
    soin = realisation.soin
    if not request.headers.get("HX-Request"):
        if erreur:
            messages.error(request, erreur)
        else:
            messages.success(
                request, f"{soin.intitule} — {soin.usager} : validation annulée, le soin est à faire."
            )
        return redirect(_retour_journee(soin, realisation.date_prevue))
    return _rendu_occurrence(
        request, soin, realisation.date_prevue, realisation.heure_prevue, realisation, erreur
    )


def _transmission_rapide_form(usager, *args, **kwargs) -> TransmissionRapideForm:
    kwargs.setdefault("auto_id", f"tr-{usager.public_id}-%s")
    return TransmissionRapideForm(*args, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def transmission_rapide(request, public_id):
    """A transmission written from the day view (htmx): now, in the ESMS of the person's unit. GET gives
    the empty form (fetched when the panel opens, with ids of its own for this person)."""
    usager = usager_ou_404(request, public_id, Droit.SOINS_MODIFIER)
    user = request.user
    unite = unite_ou_404(
        user,
        Droit.SOINS_MODIFIER,
        request.POST.get("unite") if request.method == "POST" else request.GET.get("unite"),
    )
    if request.method == "GET":
        return render(
            request,
            "soins/_transmission_rapide.html",
            {"usager": usager, "unite": unite, "form": _transmission_rapide_form(usager)},
        )
    form = _transmission_rapide_form(
        usager,
        request.POST,
        instance=Transmission(
            usager=usager,
            etablissement=unite.etablissement,
            organisme_id=usager.organisme_id,
            ecrite_le=timezone.now(),
        ),
    )
    ok = traiter(form, lambda: services.do_ecrire_transmission(user, form.instance))
    if not request.headers.get("HX-Request"):
        if ok:
            messages.success(request, f"Transmission enregistrée pour {usager}.")
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("soins:journee", public_id=unite.public_id)
    return render(
        request,
        "soins/_transmission_rapide.html",
        {
            "usager": usager,
            "unite": unite,
            "form": _transmission_rapide_form(usager) if ok else form,
            "enregistree": form.instance if ok else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def tour_constantes(request, public_id):
    """A round of constantes for a whole unit: one line per resident, empty lines are skipped; nothing is
    saved while a line has an error (everything typed stays on screen)."""
    unite = unite_ou_404(request.user, Droit.SOINS_MODIFIER, public_id)
    user = request.user
    liste = [
        r
        for r in selectors.residents(user, unite, timezone.localdate(), Droit.SOINS_MODIFIER)
        if not r.absent
    ]
    post = request.POST if request.method == "POST" else None
    lignes = [
        (r, ConstantesForm(post, types=CONSTANTES_TOUR, heure_seule=True, prefix=str(r.usager.public_id)))
        for r in liste
    ]
    if post is not None:
        valides = all(form.is_valid() for _, form in lignes)
        a_enregistrer = [(r, form) for r, form in lignes if valides and form.mesures()]
        if valides and not a_enregistrer:
            messages.error(request, "Aucune valeur saisie.")
        elif valides:
            try:
                with transaction.atomic():
                    enregistrees = []
                    for r, form in a_enregistrer:
                        try:
                            enregistrees += services.do_enregistrer_constantes(
                                user, r.usager, unite.etablissement, form.mesures()
                            )
                        except ValidationError as exc:
                            ajouter_erreurs(form, exc)
                            raise
            except ValidationError:
                messages.error(request, "Rien n'a été enregistré : corrigez les lignes signalées.")
            except PermissionDenied:
                raise Http404 from None
            else:
                alertes = [c for c in enregistrees if c.alerte]
                for c in alertes:
                    messages.warning(request, f"Alerte — {c.usager} : {c.alerte}")
                messages.success(
                    request,
                    f"{len(enregistrees)} mesure(s) enregistrée(s) pour {len(a_enregistrer)} personne(s).",
                )
                return redirect("soins:tour", public_id=unite.public_id)
        else:
            messages.error(request, "Rien n'a été enregistré : corrigez les lignes signalées.")
    return render(
        request,
        "soins/tour.html",
        {"unite": unite, "lignes": lignes, "types": [(c, DEFINITIONS[c]) for c in CONSTANTES_TOUR]},
    )
