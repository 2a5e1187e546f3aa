"""Pages of the accompagnement: the dossier's PP tab and the PP page, evaluations (AGGIR, SERAFIN-PH,
configurable grids), the journal de suivi, and the ESMS pages for the chef de service and the director
(bilans due, GMP). Views are thin: a form, a service or a selector, a template."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dui.forms import ajouter_erreurs, traitement
from dui.graphiques import Repere, polyline
from dui.models import Etablissement
from habilitations import policy
from habilitations.access import for_tenant, get_contenu_or_404, get_for_user_or_404
from habilitations.roles import MODIFIER, VOIR, Droit
from usagers.dossier import contexte_dossier, usager_ou_404
from usagers.models import Usager
from usagers.selectors import etablissements_du_dossier

from . import aggir, selectors, services
from .forms import (
    ActionForm,
    AggirForm,
    AnnulationForm,
    AttenteForm,
    AvisForm,
    BesoinForm,
    BilanForm,
    GrilleForm,
    NouveauProjetForm,
    ObjectifForm,
    ObservationForm,
    ProjetDeVieForm,
    SerafinForm,
)
from .models import (
    Attente,
    AvisValidation,
    Besoin,
    CodeSerafin,
    EvaluationAggir,
    EvaluationGrille,
    EvaluationSerafin,
    GrilleEvaluation,
    Importance,
    JeuSerafin,
    Objectif,
    Observation,
    ProjetPersonnalise,
    StatutPP,
    TypeItem,
)
from .pdf import lignes_aggir
from .registre_projet import registre_projet

SECTEUR_HANDICAP = {
    "MAS",
    "FAM",
    "FOYER_VIE",
    "FOYER_HEB",
    "ESAT",
    "IME",
    "ITEP",
    "IEM",
    "CAMSP",
    "SESSAD",
    "SAVS",
    "SAMSAH",
}


def _contenu(request, modele, public_id, action: str, queryset=None):
    """A row of a dossier's content the user may act on (tenant, usager, ESMS), 404 otherwise."""
    return get_contenu_or_404(
        request.user, action, modele.objects.all() if queryset is None else queryset, public_id
    )


def _documents_de(user, source, categorie: str):
    """The latest documents generated from ``source``, which the user already reads (its category):
    the ``documents`` habilitation on it is the one thing left to check."""
    from documents.models import Document

    if not policy.can_contenu(user, Droit.DOCUMENTS_VOIR, source):
        return []
    return list(
        for_tenant(user, Document.objects.filter(objet_id=source.public_id, categorie=categorie)).order_by(
            "-version"
        )[:3]
    )


def _message_erreur(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- Projet personnalisé ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def projets(request, public_id):
    """The dossier's "Projet personnalisé" tab: per ESMS, the current version, the one being built, the
    older ones; creating the first version."""
    usager = usager_ou_404(request, public_id, Droit.SOCIAL_VOIR)
    liste = selectors.projets_du_dossier(request.user, usager)
    etabs_modifiables = etablissements_du_dossier(request.user, usager, Droit.SOCIAL_MODIFIER)
    avec_projet_ouvert = {p.etablissement_id for p in liste if p.statut != StatutPP.REMPLACE}
    creables = [e for e in etabs_modifiables if e.pk not in avec_projet_ouvert]
    form = None
    if creables:
        pros = services.professionnels_habilites(*creables)
        form = NouveauProjetForm(
            for_tenant(request.user, Etablissement.objects.filter(pk__in=[e.pk for e in creables])),
            pros,
            request.POST or None,
            initial={"etablissement": creables[0].public_id, "coordonnateur": request.user.public_id},
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            with traitement(form):
                projet = services.do_creer_projet(
                    request.user,
                    usager,
                    form.cleaned_data["etablissement"],
                    form.cleaned_data["coordonnateur"],
                )
                messages.success(request, "Projet personnalisé créé : commencez par recueillir les attentes.")
                return redirect(projet.get_absolute_url())
    par_etab: dict = {}
    for p in liste:
        par_etab.setdefault(p.etablissement, []).append(p)
    return render(
        request,
        "accompagnement/projets.html",
        {
            **contexte_dossier(request, usager, "projet"),
            "par_etablissement": par_etab,
            "form": form,
            "aujourdhui": timezone.localdate(),
        },
    )


FORMULAIRES_PP = (
    "projet_de_vie",
    "attente",
    "besoin",
    "objectif",
    "action",
    "retirer",
    "co_construction",
    "avis",
    "bilan",
    "reviser",
    "pdf",
)


@login_required
@require_http_methods(["GET", "POST"])
def projet(request, public_id):
    pp = _contenu(
        request,
        ProjetPersonnalise,
        public_id,
        Droit.SOCIAL_VOIR,
        ProjetPersonnalise.objects.select_related("usager", "etablissement", "coordonnateur"),
    )
    user = request.user
    peut_modifier = policy.can_contenu(user, Droit.SOCIAL_MODIFIER, pp)
    pros = services.professionnels_habilites(pp.etablissement)
    post = request.POST if request.method == "POST" else None
    nom = (post or {}).get("formulaire", "")
    if post is not None and (nom not in FORMULAIRES_PP or (nom != "pdf" and not peut_modifier)):
        raise Http404

    def lie(cle):
        return post if nom == cle else None

    forms = {
        "projet_de_vie": ProjetDeVieForm(
            pros,
            lie("projet_de_vie"),
            initial={"projet_de_vie": pp.projet_de_vie, "coordonnateur": pp.coordonnateur.public_id},
            prefix="vie",
        ),
        "attente": AttenteForm(lie("attente"), instance=Attente(projet=pp), prefix="attente"),
        "besoin": BesoinForm(
            lie("besoin"),
            instance=Besoin(projet=pp),
            prefix="besoin",
            secteur_handicap=pp.etablissement.categorie in SECTEUR_HANDICAP,
        ),
        "objectif": ObjectifForm(
            pp.besoins.all(), pros, lie("objectif"), instance=Objectif(projet=pp), prefix="objectif"
        ),
        "action": ActionForm(pp.objectifs.all(), lie("action"), prefix="action"),
        "avis": AvisForm(
            lie("avis"),
            instance=AvisValidation(projet=pp),
            prefix="avis",
            initial={"date_avis": timezone.localdate()},
        ),
    }
    if pp.statut == StatutPP.EN_OEUVRE:
        forms["bilan"] = BilanForm(
            pp.objectifs.all(), lie("bilan"), prefix="bilan", initial={"date_bilan": timezone.localdate()}
        )
    if post is not None:
        resultat = _traiter_pp(request, pp, nom, forms.get(nom), post)
        if resultat is not None:
            return resultat
    pp = selectors.projet_complet(pp)
    registre_projet.annoter(user, pp)

    return render(
        request,
        "accompagnement/projet.html",
        {
            **contexte_dossier(
                request, pp.usager, "projet", f"version {pp.version} ({pp.etablissement.nom})"
            ),
            "projet": pp,
            "forms": forms,
            "peut_modifier": peut_modifier and pp.brouillon,
            "peut_agir": peut_modifier,
            "versions": selectors.versions(pp),
            "aujourdhui": timezone.localdate(),
            "documents": _documents_de(user, pp, "social"),
            "etapes": _etapes(pp),
        },
    )


def _etapes(pp: ProjetPersonnalise) -> list[tuple[str, str]]:
    """(libellé, état) of each step of the lifecycle for the stepper: fait / en_cours / a_venir."""
    ordre = [StatutPP.RECUEIL, StatutPP.CO_CONSTRUCTION, StatutPP.EN_OEUVRE, StatutPP.BILAN]
    libelles = ["Recueil des attentes", "Co-construction", "Validation et mise en œuvre", "Bilan"]
    if pp.statut == StatutPP.REMPLACE:
        return [(libelle, "fait") for libelle in libelles] + [("Révisé", "fait")]
    courant = ordre.index(StatutPP(pp.statut))
    etats = [
        (libelle, "fait" if i < courant else "en_cours" if i == courant else "a_venir")
        for i, libelle in enumerate(libelles)
    ]
    return etats + [("Révision", "a_venir")]


def _traiter_pp(request, pp, nom, form, post):
    """One POST on the PP page; returns a redirect on success, None to re-render with the errors."""
    user = request.user
    succes = {
        "projet_de_vie": "Projet de vie enregistré.",
        "attente": "Attente enregistrée.",
        "besoin": "Besoin ajouté.",
        "objectif": "Objectif ajouté.",
        "action": "Action ajoutée.",
        "retirer": "Élément retiré.",
        "co_construction": "Recueil terminé : place à la co-construction.",
        "bilan": "Bilan enregistré : vous pouvez engager la révision du projet.",
    }
    # an action button has no form: its refusal goes into the page's messages
    with traitement(form, request=request) as etat:
        if nom in ("retirer", "co_construction", "reviser", "pdf"):
            if nom == "retirer":
                services.do_retirer_element(user, pp, post.get("type", ""), _uuid(post.get("element")))
            elif nom == "co_construction":
                services.do_passer_en_co_construction(user, pp)
            elif nom == "reviser":
                nouveau = services.do_reviser(user, pp)
                messages.success(
                    request,
                    f"Version {nouveau.version} créée à partir du bilan : recueillez les "
                    f"attentes de la personne.",
                )
                return redirect(nouveau.get_absolute_url())
            else:
                services.do_demander_pdf_projet(user, pp, gros_caracteres=post.get("gros_caracteres") == "1")
                messages.success(
                    request, "Le PDF est en préparation ; il apparaîtra dans les documents du dossier."
                )
                return redirect(pp.get_absolute_url() + "#documents")
            messages.success(request, succes[nom])
            return redirect(pp.get_absolute_url())
        if not form.is_valid():
            return None
        data = form.cleaned_data
        if nom == "projet_de_vie":
            services.do_enregistrer_projet_de_vie(user, pp, data["projet_de_vie"], data["coordonnateur"])
        elif nom == "attente":
            services.do_ajouter_attente(user, pp, form.instance)
        elif nom == "besoin":
            services.do_ajouter_besoin(user, pp, form.instance)
        elif nom == "objectif":
            services.do_ajouter_objectif(user, pp, form.instance)
        elif nom == "action":
            services.do_ajouter_action(user, pp, form.instance)
        elif nom == "avis":
            avis = services.do_recueillir_avis(user, pp, form.instance, data.get("echeance_bilan"))
            if avis.decision == "accord":
                messages.success(
                    request, "Accord enregistré : le projet est validé et entre en mise en œuvre."
                )
            else:
                messages.warning(
                    request, "Refus enregistré : le projet reste en co-construction pour être retravaillé."
                )
            return redirect(pp.get_absolute_url())
        elif nom == "bilan":
            services.do_enregistrer_bilan(
                user,
                pp,
                date_bilan=data["date_bilan"],
                synthese=data["synthese"],
                avis_usager=data["avis_usager"],
                resultats=form.resultats(),
            )
    if not etat.ok:
        return redirect(pp.get_absolute_url()) if form is None else None
    messages.success(request, succes[nom])
    return redirect(
        pp.get_absolute_url() + (f"#{nom}" if nom in ("attente", "besoin", "objectif", "action") else "")
    )


def _uuid(valeur):
    import uuid

    try:
        return uuid.UUID(str(valeur))
    except (TypeError, ValueError):
        raise ValidationError("Élément inconnu.") from None


# --- Évaluations ---------------------------------------------------------------------------------------------

CATEGORIES_EVALUATION = ("social", "soins")  # SERAFIN-PH and grids / AGGIR and grids


def _dans_une_categorie(chercher):
    """The first object ``chercher(categorie)`` finds for one of the evaluation categories, 404 if none:
    an evaluation page opens with either habilitation."""
    for categorie in CATEGORIES_EVALUATION:
        try:
            return chercher(categorie)
        except Http404:
            continue
    raise Http404("Introuvable.")


def _get_union(request, qs, public_id) -> Usager:
    """The usager if the user may read its evaluations: social (SERAFIN-PH, grids) or soins (AGGIR)."""
    return _dans_une_categorie(lambda c: get_for_user_or_404(request.user, Droit.de(c, VOIR), qs, public_id))


@login_required
def evaluations(request, public_id):
    usager = _get_union(request, Usager.objects.filter(fusionne_dans__isnull=True), public_id)
    user = request.user
    voit_soins = policy.can(user, Droit.SOINS_VOIR, usager)
    voit_social = policy.can(user, Droit.SOCIAL_VOIR, usager)
    aggirs = selectors.evaluations_aggir(user, usager) if voit_soins else []
    grilles_possibles = []
    etabs = {}
    for action in (Droit.SOCIAL_MODIFIER, Droit.SOINS_MODIFIER):
        etabs[action] = etablissements_du_dossier(user, usager, action)
    categories = {
        "social": [e.pk for e in etabs[Droit.SOCIAL_MODIFIER]],
        "soins": [e.pk for e in etabs[Droit.SOINS_MODIFIER]],
    }
    for grille in for_tenant(
        user,
        GrilleEvaluation.objects.filter(
            active=True, etablissement_id__in=categories["social"] + categories["soins"]
        ),
    ).select_related("etablissement"):
        if grille.etablissement_id in categories[grille.categorie]:
            grilles_possibles.append(grille)
    return render(
        request,
        "accompagnement/evaluations.html",
        {
            **contexte_dossier(request, usager, "evaluations"),
            "aggirs": aggirs,
            "courbe": selectors.courbe_gir(aggirs),
            "serafins": selectors.evaluations_serafin(user, usager) if voit_social else [],
            "grilles_evaluations": selectors.evaluations_grille(user, usager),
            "peut_aggir": bool(etabs[Droit.SOINS_MODIFIER]),
            "peut_serafin": bool(etabs[Droit.SOCIAL_MODIFIER]),
            "grilles_possibles": grilles_possibles,
            "voit_soins": voit_soins,
            "voit_social": voit_social,
        },
    )


def _grille_aggir(form: AggirForm) -> list[dict]:
    """The grid for the template, with what was answered (a form sent back with errors loses nothing)."""
    data: Any = form.data if form.is_bound else {}  # a QueryDict (getlist) when bound
    lignes = []
    for variable, sous in aggir.VARIABLES_DISCRIMINANTES.items():
        for index, cle in enumerate([f"{variable}.{s}" for s in sous] or [variable]):
            lignes.append(
                {
                    "cle": cle,
                    "variable": aggir.LIBELLES[variable],
                    "premiere": index == 0,
                    "sous_variable": aggir.LIBELLES.get(cle, "") if sous else "",
                    "adverbes": [
                        (a, aggir.ADVERBES_LIBELLES[a], a in (data.getlist(f"adv_{cle}") if data else []))
                        for a in aggir.ADVERBES
                    ],
                    "aucun": bool(data.get(f"aucun_{cle}")) if data else False,
                    "code": data.get(f"code_{cle}", "") if data else "",
                }
            )
    return lignes


def _apercu(form: AggirForm) -> dict:
    """The GIR the answers give so far (live preview), or what is still missing."""
    reponses, manquants = form.reponses()
    if manquants:
        return {"manquants": len(manquants), "total": len(form.items)}
    items = services.codes_aggir(form.mode_choisi, reponses)
    codes = aggir.codes_des_reponses(items)
    gir, rang = aggir.calcul_gir(codes)
    return {
        "gir": gir,
        "rang": rang,
        "codes": [(aggir.LIBELLES[v], codes[v]) for v in aggir.VARIABLES_DISCRIMINANTES],
    }


@login_required
@require_http_methods(["GET", "POST"])
def aggir_nouvelle(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.SOINS_MODIFIER)
    etabs = etablissements_du_dossier(request.user, usager, Droit.SOINS_MODIFIER)
    if not etabs:
        raise Http404
    form = AggirForm(etabs, request.POST or None, initial={"mode": request.GET.get("mode")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with traitement(form):  # the service says which variables are missing
            evaluation = services.do_enregistrer_aggir(
                request.user,
                usager,
                data["etablissement"],
                date_evaluation=data["date_evaluation"],
                mode=form.mode_choisi,
                reponses=form.reponses()[0],
                illustratives=form.illustratives(),
                commentaire=data["commentaire"],
            )
            messages.success(request, f"Évaluation enregistrée : GIR {evaluation.gir}.")
            return redirect(evaluation.get_absolute_url())
    return render(
        request,
        "accompagnement/aggir_form.html",
        {
            **contexte_dossier(request, usager, "evaluations"),
            "form": form,
            "mode": form.mode_choisi,
            "grille": _grille_aggir(form),
            "apercu": _apercu(form) if form.is_bound else None,
            "illustratives": [
                (v, aggir.LIBELLES[v], form.data.get(f"ill_{v}", "") if form.is_bound else "")
                for v in aggir.VARIABLES_ILLUSTRATIVES
            ],
        },
    )


@login_required
@require_POST
def aggir_apercu(request, public_id):
    """htmx: the GIR the answers give so far, recomputed on every change of the grid."""
    usager = usager_ou_404(request, public_id, Droit.SOINS_MODIFIER)
    etabs = etablissements_du_dossier(request.user, usager, Droit.SOINS_MODIFIER)
    if not etabs:
        raise Http404
    form = AggirForm(etabs, request.POST)
    try:
        apercu = _apercu(form)
    except (ValidationError, aggir.CodeInvalide):
        apercu = {"manquants": len(form.items), "total": len(form.items)}
    return render(request, "accompagnement/_apercu_gir.html", {"apercu": apercu})


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_aggir(request, public_id):
    evaluation = _contenu(
        request,
        EvaluationAggir,
        public_id,
        Droit.SOINS_VOIR,
        EvaluationAggir.objects.select_related("usager", "etablissement", "evaluateur", "annulee_par"),
    )
    annulation = AnnulationForm(request.POST if request.POST.get("formulaire") == "annuler" else None)
    if request.method == "POST":
        formulaire = request.POST.get("formulaire")
        if formulaire not in ("pdf", "annuler"):
            raise Http404
        try:
            if formulaire == "pdf":
                services.do_demander_pdf_aggir(request.user, evaluation)
                messages.success(request, "Le PDF de la grille est en préparation.")
                return redirect(evaluation.get_absolute_url())
            if annulation.is_valid():
                services.do_annuler_aggir(request.user, evaluation, annulation.cleaned_data["motif"])
                messages.success(
                    request, "Évaluation annulée : elle n'est plus prise en compte (GMP, dossier)."
                )
                return redirect(evaluation.get_absolute_url())
        except ValidationError as exc:
            if formulaire == "pdf":
                _message_erreur(request, exc)
                return redirect(evaluation.get_absolute_url())
            ajouter_erreurs(annulation, exc)
        except PermissionDenied:
            raise Http404 from None
    return render(
        request,
        "accompagnement/aggir.html",
        {
            **contexte_dossier(
                request, evaluation.usager, "evaluations", f"AGGIR du {evaluation.date_evaluation:%d/%m/%Y}"
            ),
            "evaluation": evaluation,
            "lignes": lignes_aggir(evaluation),
            "annulation": annulation,
            "illustratives": [(aggir.LIBELLES[k], v) for k, v in evaluation.illustratives.items()],
            "peut_modifier": policy.can_contenu(request.user, Droit.SOINS_MODIFIER, evaluation),
            "documents": _documents_de(request.user, evaluation, "soins"),
        },
    )


def _codes_serafin_besoins():
    return list(CodeSerafin.objects.filter(jeu=JeuSerafin.BESOINS, actif=True).order_by("code"))


@login_required
@require_http_methods(["GET", "POST"])
def serafin_nouvelle(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.SOCIAL_MODIFIER)
    etabs = etablissements_du_dossier(request.user, usager, Droit.SOCIAL_MODIFIER)
    if not etabs:
        raise Http404
    form = SerafinForm(etabs, request.POST or None)
    codes = _codes_serafin_besoins()
    lignes = []
    for code in codes:
        brut = request.POST.get(f"importance_{code.pk}", "0") if request.method == "POST" else "0"
        importance = int(brut) if brut in {str(v) for v in Importance.values} else 0
        lignes.append(
            {
                "code": code,
                "importance": importance,
                "commentaire": request.POST.get(f"commentaire_{code.pk}", "")[:300]
                if request.method == "POST"
                else "",
            }
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with traitement(form):
            evaluation = services.do_enregistrer_serafin(
                request.user,
                usager,
                data["etablissement"],
                date_evaluation=data["date_evaluation"],
                lignes=[
                    (lg["code"], lg["importance"], lg["commentaire"])
                    for lg in lignes
                    if lg["code"].feuille or lg["importance"]
                ],
                commentaire=data["commentaire"],
            )
            messages.success(request, "Évaluation des besoins enregistrée.")
            return redirect("accompagnement:serafin", public_id=evaluation.public_id)
    return render(
        request,
        "accompagnement/serafin_form.html",
        {
            **contexte_dossier(request, usager, "evaluations"),
            "form": form,
            "lignes": lignes,
            "importances": Importance.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_serafin(request, public_id):
    evaluation = _contenu(
        request,
        EvaluationSerafin,
        public_id,
        Droit.SOCIAL_VOIR,
        EvaluationSerafin.objects.select_related("usager", "etablissement", "evaluateur"),
    )
    if request.method == "POST":
        if request.POST.get("formulaire") != "reporter":
            raise Http404
        with traitement(request=request):
            ajoutes = services.do_reporter_besoins(request.user, evaluation)
            messages.success(
                request, f"{ajoutes} besoin(s) reporté(s) dans le projet personnalisé en cours d'élaboration."
            )
        return redirect("accompagnement:serafin", public_id=evaluation.public_id)
    return render(
        request,
        "accompagnement/serafin.html",
        {
            **contexte_dossier(request, evaluation.usager, "evaluations"),
            "evaluation": evaluation,
            "besoins": evaluation.besoins.select_related("code").filter(importance__gt=0),
            "peut_reporter": policy.can_contenu(request.user, Droit.SOCIAL_MODIFIER, evaluation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluer_grille(request, public_id, grille_id):
    usager = _get_union(request, Usager.objects.filter(fusionne_dans__isnull=True), public_id)
    grille = _grille_utilisable(request, grille_id)
    etabs = [
        e
        for e in etablissements_du_dossier(request.user, usager, Droit.de(grille.categorie, MODIFIER))
        if e.pk == grille.etablissement_id
    ]
    if not etabs:
        raise Http404
    from .forms import EvaluationBaseForm

    form = EvaluationBaseForm(etabs, request.POST or None)
    items = list(grille.items.all())
    valeurs = (
        {str(i.pk): request.POST.get(f"item_{i.pk}", "") for i in items} if request.method == "POST" else {}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with traitement(form):
            evaluation = services.do_evaluer_avec_grille(
                request.user,
                usager,
                data["etablissement"],
                grille,
                date_evaluation=data["date_evaluation"],
                reponses=valeurs,
                commentaire=data["commentaire"],
            )
            messages.success(
                request,
                f"Évaluation « {grille.nom} » enregistrée"
                f"{f' : score {evaluation.score}' if evaluation.score is not None else ''}.",
            )
            return redirect("accompagnement:evaluation_grille", public_id=evaluation.public_id)
    return render(
        request,
        "accompagnement/grille_evaluer.html",
        {
            **contexte_dossier(request, usager, "evaluations"),
            "form": form,
            "grille": grille,
            "items": [
                {
                    "item": i,
                    "valeur": valeurs.get(str(i.pk), ""),
                    "options": list(
                        enumerate(
                            i.options
                            if i.type_item == TypeItem.CHOIX
                            else (
                                i.options
                                or [{"libelle": "Oui", "points": 1}, {"libelle": "Non", "points": 0}]
                            )
                        )
                    ),
                }
                for i in items
            ],
        },
    )


def _grille_utilisable(request, grille_id) -> GrilleEvaluation:
    """A grid of an ESMS where the user may read its category (404 otherwise)."""
    visibles = for_tenant(request.user, GrilleEvaluation.objects.filter(active=True))
    return _dans_une_categorie(
        lambda c: get_for_user_or_404(
            request.user, Droit.de(c, VOIR), visibles.filter(categorie=c), grille_id
        )
    )


@login_required
def evaluation_grille(request, public_id):
    evaluation = _dans_une_categorie(
        lambda c: _contenu(
            request,
            EvaluationGrille,
            public_id,
            Droit.de(c, VOIR),
            EvaluationGrille.objects.filter(categorie=c).select_related(
                "usager", "grille", "evaluateur", "etablissement"
            ),
        )
    )
    return render(
        request,
        "accompagnement/evaluation_grille.html",
        {
            **contexte_dossier(request, evaluation.usager, "evaluations", str(evaluation)),
            "evaluation": evaluation,
        },
    )


# --- Grilles configurables (direction) --------------------------------------------------------------------------


def _etabs_config(user):
    return policy.scope(user, Droit.PILOTAGE_MODIFIER, Etablissement.objects.filter(actif=True))


@login_required
def grilles(request):
    etabs = _etabs_config(request.user)
    if not etabs.exists():
        raise Http404
    return render(
        request,
        "accompagnement/grilles.html",
        {
            "grilles": for_tenant(request.user, GrilleEvaluation.objects.filter(etablissement__in=etabs))
            .select_related("etablissement")
            .prefetch_related("items")
            .order_by("etablissement__nom", "nom"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def grille(request, public_id=None):
    etabs = _etabs_config(request.user)
    instance = GrilleEvaluation(organisme_id=request.user.organisme_id)
    if public_id is not None:
        instance = get_for_user_or_404(
            request.user, Droit.PILOTAGE_MODIFIER, GrilleEvaluation.objects.all(), public_id
        )
    elif not etabs.exists():
        raise Http404
    verrouillee = instance.pk is not None and instance.evaluations.exists()
    form = GrilleForm(etabs, request.POST or None, instance=instance, verrouillee=verrouillee)
    if request.method == "POST" and form.is_valid():
        grille_obj = form.save(commit=False)
        grille_obj.interpretation = form.cleaned_data["interpretation_texte"]
        with traitement(form):
            services.do_enregistrer_grille(request.user, grille_obj, form.cleaned_data["questions"])
            messages.success(request, f"Grille « {grille_obj.nom} » enregistrée.")
            return redirect("accompagnement:grilles")
    return render(
        request,
        "accompagnement/grille_form.html",
        {"form": form, "grille": instance, "verrouillee": verrouillee},
    )


# --- Journal de suivi -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def journal(request, public_id):
    from django.core.paginator import Paginator

    usager = usager_ou_404(request, public_id, Droit.SOCIAL_VOIR)
    user = request.user
    etabs = etablissements_du_dossier(user, usager, Droit.SOCIAL_MODIFIER)
    objectifs = for_tenant(
        user,
        Objectif.objects.filter(
            projet__usager=usager,
            projet__statut__in=[StatutPP.EN_OEUVRE, StatutPP.CO_CONSTRUCTION, StatutPP.RECUEIL],
            projet__etablissement__in=etabs,
        ),
    ).select_related("projet")
    form = ObservationForm(
        etabs,
        objectifs,
        request.POST or None,
        instance=Observation(usager=usager, organisme_id=usager.organisme_id),
        initial={"etablissement": etabs[0].public_id} if len(etabs) == 1 else {},
    )
    if request.method == "POST":
        if not etabs:
            raise Http404
        if form.is_valid():
            with traitement(form):
                services.do_ecrire_observation(user, form.instance)
                messages.success(request, "Observation enregistrée.")
                return redirect("accompagnement:journal", public_id=usager.public_id)
    page = Paginator(selectors.journal_du_dossier(user, usager), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "accompagnement/journal.html",
        {
            **contexte_dossier(request, usager, "suivi"),
            "form": form if etabs else None,
            "page": page,
        },
    )


# --- Pilotage ------------------------------------------------------------------------------------------------------


@login_required
def bilans(request, etablissement_id):
    etab = get_for_user_or_404(
        request.user, Droit.PILOTAGE_VOIR, Etablissement.objects.all(), etablissement_id
    )
    return render(
        request, "accompagnement/bilans.html", {"etablissement": etab, **selectors.suivi_des_bilans(etab)}
    )


@login_required
def gmp(request, etablissement_id):
    etab = get_for_user_or_404(
        request.user, Droit.PILOTAGE_VOIR, Etablissement.objects.all(), etablissement_id
    )
    jour = timezone.localdate()
    evolution = selectors.gmp(etab, selectors.fins_de_mois(jour, 12))
    actuel = evolution[-1]
    valeurs = [ligne["gmp"] for ligne in evolution if ligne["gmp"] is not None]
    largeur, hauteur = 640, 180
    # x: the month's rank; y: the GMP from 0 to at least 1000 (the top of the scale: every person GIR 1)
    repere = Repere(
        largeur,
        hauteur,
        0,
        max(len(evolution) - 1, 1),
        bas=0,
        haut=max([*valeurs, 1000]),
        marge_h=16,
        marge_b=24,
    )
    points = [
        {"x": repere.x(i), "y": repere.y(ligne["gmp"]), "ligne": ligne}
        for i, ligne in enumerate(evolution)
        if ligne["gmp"] is not None
    ]
    return render(
        request,
        "accompagnement/gmp.html",
        {
            "etablissement": etab,
            "parametres_export": {"etablissement": etab.public_id},
            "actuel": actuel,
            "evolution": evolution,
            "repartition": [(g, actuel["repartition"][g], aggir.POINTS_GIR[g]) for g in range(1, 7)],
            "courbe": {
                "largeur": largeur,
                "hauteur": hauteur,
                "points": points,
                "polyline": polyline([(p["x"], p["y"]) for p in points]),
            },
            "non_evalues": selectors.non_evalues(etab, jour).order_by("nom_naissance")[:50],
            "jour": jour,
            "debut": datetime.date(jour.year, 1, 1),
        },
    )
