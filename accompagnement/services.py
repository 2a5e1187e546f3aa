"""Write paths of the accompagnement: the projet personnalisé's lifecycle, the évaluations, the journal de
suivi. Each function checks the habilitation itself (views and tasks cannot forget it), runs in one
transaction, and raises ``ValidationError`` with a French message for a broken rule.

PP lifecycle (shared/docs/DOMAIN.md, "Projet personnalisé"):
recueil des attentes → co-construction → validation (accord of the person or their legal representative;
a refusal is recorded and sends the project back to co-construction) → mise en œuvre → bilan (at least
yearly) → révision = a new version, built from the previous one; the previous one is kept and becomes
"remplacé" when the new one is validated.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from dui.history import update_with_history
from dui.models import Etablissement
from habilitations import policy
from habilitations.models import Habilitation
from habilitations.roles import MODIFIER, Droit
from usagers.models import Usager
from usagers.selectors import exiger_sejour

from . import aggir
from .models import (
    DUREE_MAX_AVANT_BILAN,
    RESULTATS_A_RECONDUIRE,
    Action,
    Attente,
    AvisValidation,
    Besoin,
    BesoinEvalue,
    CodeSerafin,
    Confidentialite,
    Decision,
    EvaluationAggir,
    EvaluationGrille,
    EvaluationSerafin,
    ExprimePar,
    GrilleEvaluation,
    Importance,
    ItemGrille,
    JeuSerafin,
    Modalite,
    ModeAggir,
    Objectif,
    Observation,
    ProjetPersonnalise,
    Rappel,
    ResultatObjectif,
    StatutPP,
    TypeItem,
)


def _exiger(user, action: str, obj) -> None:
    if not policy.can_contenu(user, action, obj):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")


def _exiger_sur_etablissement(user, action: str, usager: Usager, etablissement: Etablissement) -> None:
    if not policy.can_dans_etablissement(user, action, usager, etablissement):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")


def _date_passee(jour: datetime.date, champ: str, libelle: str) -> None:
    if jour > timezone.localdate():
        raise ValidationError({champ: f"{libelle} ne peut pas être dans le futur."})


def professionnels_habilites(*etablissements: Etablissement):
    """Professionals with an active habilitation today in one of these ESMS (référents, coordonnateurs)."""

    from habilitations.models import Professionnel

    jour = timezone.localdate()
    habs = Habilitation.objects.filter(etablissement__in=etablissements).en_cours(jour)
    return Professionnel.objects.filter(
        organisme_id=etablissements[0].organisme_id, is_active=True, pk__in=habs.values("professionnel_id")
    ).order_by("nom", "prenom")


def _exiger_habilite(pro, etablissement, champ: str) -> None:
    if pro is None or not professionnels_habilites(etablissement).filter(pk=pro.pk).exists():
        raise ValidationError({champ: "Choisissez un professionnel habilité dans cet établissement."})


def _verrouiller(projet: ProjetPersonnalise) -> ProjetPersonnalise:
    """The PP row, locked for this transaction: two professionals acting on the same PP queue up."""
    return ProjetPersonnalise.objects.select_for_update().get(pk=projet.pk)


def _exiger_brouillon(projet: ProjetPersonnalise) -> None:
    if not projet.brouillon:
        raise ValidationError(
            "Ce projet est validé : son contenu ne se modifie plus. Engagez une révision "
            "(nouvelle version) après le bilan."
        )


# --- Projet personnalisé --------------------------------------------------------------------------------


@transaction.atomic
def do_creer_projet(
    auteur, usager: Usager, etablissement: Etablissement, coordonnateur
) -> ProjetPersonnalise:
    """The first version of a PP (or a new one after the previous was replaced)."""
    _exiger_sur_etablissement(auteur, Droit.SOCIAL_MODIFIER, usager, etablissement)
    exiger_sejour(usager, etablissement, timezone.localdate())
    _exiger_habilite(coordonnateur, etablissement, "coordonnateur")
    existants = ProjetPersonnalise.objects.filter(usager=usager, etablissement=etablissement)
    if existants.filter(statut__in=[StatutPP.RECUEIL, StatutPP.CO_CONSTRUCTION]).exists():
        raise ValidationError(
            "Un projet est déjà en cours d'élaboration pour cette personne dans cet établissement."
        )
    if existants.filter(statut__in=[StatutPP.EN_OEUVRE, StatutPP.BILAN]).exists():
        raise ValidationError("Un projet validé est en cours : faites son bilan puis engagez une révision.")
    version = (existants.aggregate(v=Max("version"))["v"] or 0) + 1
    try:
        with transaction.atomic():
            return ProjetPersonnalise.objects.create(
                organisme_id=usager.organisme_id,
                usager=usager,
                etablissement=etablissement,
                version=version,
                coordonnateur=coordonnateur,
            )
    except IntegrityError as exc:
        raise ValidationError("Un projet vient d'être créé pour cette personne : rechargez la page.") from exc


@transaction.atomic
def do_enregistrer_projet_de_vie(
    auteur, projet: ProjetPersonnalise, projet_de_vie: str, coordonnateur
) -> None:
    _exiger(auteur, Droit.SOCIAL_MODIFIER, projet)
    projet = _verrouiller(projet)
    _exiger_brouillon(projet)
    _exiger_habilite(coordonnateur, projet.etablissement, "coordonnateur")
    projet.projet_de_vie = projet_de_vie.strip()
    projet.coordonnateur = coordonnateur
    projet.save(update_fields=["projet_de_vie", "coordonnateur", "modifie_le"])


def _ajouter(auteur, projet: ProjetPersonnalise, element) -> None:
    _exiger(auteur, Droit.SOCIAL_MODIFIER, projet)
    verrouille = _verrouiller(projet)
    _exiger_brouillon(verrouille)
    element.organisme_id = projet.organisme_id
    element.full_clean(exclude=["projet", "objectif", "organisme"])
    element.save()


@transaction.atomic
def do_ajouter_attente(auteur, projet: ProjetPersonnalise, attente: Attente) -> Attente:
    attente.projet = projet
    if not attente.texte.strip():
        raise ValidationError({"texte": "Écrivez l'attente, avec les mots de la personne."})
    _date_passee(attente.recueillie_le, "recueillie_le", "La date du recueil")
    _ajouter(auteur, projet, attente)
    return attente


@transaction.atomic
def do_ajouter_besoin(auteur, projet: ProjetPersonnalise, besoin: Besoin) -> Besoin:
    besoin.projet = projet
    if besoin.code_serafin_id:
        code = CodeSerafin.objects.filter(pk=besoin.code_serafin_id).first()
        if code is None or code.jeu != JeuSerafin.BESOINS or not code.actif:
            raise ValidationError(
                {"code_serafin": "Choisissez un besoin de la nomenclature SERAFIN-PH en vigueur."}
            )
    elif not besoin.categorie_libre.strip():
        raise ValidationError(
            {"categorie_libre": "Choisissez un besoin SERAFIN-PH ou saisissez une catégorie."}
        )
    _ajouter(auteur, projet, besoin)
    return besoin


@transaction.atomic
def do_ajouter_objectif(auteur, projet: ProjetPersonnalise, objectif: Objectif) -> Objectif:
    objectif.projet = projet
    if objectif.besoin is not None and objectif.besoin.projet_id != projet.pk:
        raise ValidationError({"besoin": "Ce besoin n'appartient pas à ce projet."})
    _exiger_habilite(objectif.referent if objectif.referent_id else None, projet.etablissement, "referent")
    if objectif.echeance < timezone.localdate():
        raise ValidationError({"echeance": "L'échéance d'un objectif ne peut pas être passée."})
    _ajouter(auteur, projet, objectif)
    return objectif


@transaction.atomic
def do_ajouter_action(auteur, projet: ProjetPersonnalise, action: Action) -> Action:
    if not action.objectif_id or action.objectif.projet_id != projet.pk:
        raise ValidationError({"objectif": "Choisissez un objectif de ce projet."})
    if action.prestation_id:
        code = CodeSerafin.objects.filter(pk=action.prestation_id).first()
        if (
            code is None
            or code.jeu not in (JeuSerafin.PRESTATIONS_DIRECTES, JeuSerafin.PRESTATIONS_INDIRECTES)
            or not code.actif
        ):
            raise ValidationError({"prestation": "Choisissez une prestation SERAFIN-PH en vigueur."})
    _ajouter(auteur, projet, action)
    return action


ELEMENTS = {"attente": Attente, "besoin": Besoin, "objectif": Objectif, "action": Action}


@transaction.atomic
def do_retirer_element(auteur, projet: ProjetPersonnalise, type_element: str, public_id) -> None:
    """Remove a line of a draft PP (its history keeps it)."""
    _exiger(auteur, Droit.SOCIAL_MODIFIER, projet)
    projet = _verrouiller(projet)
    _exiger_brouillon(projet)
    modele = ELEMENTS.get(type_element)
    if modele is None:
        raise ValidationError("Élément inconnu.")
    filtre = {"objectif__projet": projet} if modele is Action else {"projet": projet}
    element = modele._default_manager.filter(public_id=public_id, **filtre).first()
    if element is None:
        raise ValidationError("Cet élément n'existe plus.")
    element.delete()


@transaction.atomic
def do_passer_en_co_construction(auteur, projet: ProjetPersonnalise) -> None:
    _exiger(auteur, Droit.SOCIAL_MODIFIER, projet)
    projet = _verrouiller(projet)
    if projet.statut != StatutPP.RECUEIL:
        raise ValidationError("Le recueil des attentes est déjà terminé.")
    if not projet.attentes.exists():
        raise ValidationError(
            "Recueillez au moins une attente de la personne (ou de ses proches) avant la co-construction."
        )
    projet.statut = StatutPP.CO_CONSTRUCTION
    projet.save(update_fields=["statut", "modifie_le"])


@transaction.atomic
def do_recueillir_avis(
    auteur, projet: ProjetPersonnalise, avis: AvisValidation, echeance_bilan: datetime.date | None = None
) -> AvisValidation:
    """Record the person's (or representative's) agreement or refusal. An agreement validates the version
    (mise en œuvre, bilan due within a year at most, the previous version replaced); a refusal is kept
    and the project stays in co-construction."""
    _exiger(auteur, Droit.SOCIAL_MODIFIER, projet)
    avis.recueilli_par = auteur
    return _enregistrer_avis(projet, avis, echeance_bilan)


@transaction.atomic
def recueillir_avis_en_ligne(
    projet: ProjetPersonnalise, avis: AvisValidation, donne_par: str
) -> AvisValidation:
    """The agreement or refusal given online by the person or their legal representative, in the space of
    the persons and relatives (the caller, ``relation``, has checked that the account may give it). The
    same rules as at a meeting; the bilan falls due a year later at most."""
    avis.modalite = Modalite.EN_LIGNE
    avis.date_avis = timezone.localdate()
    avis.donne_en_ligne_par = donne_par[:200]
    avis.recueilli_par = None
    return _enregistrer_avis(projet, avis, None)


def _enregistrer_avis(
    projet: ProjetPersonnalise, avis: AvisValidation, echeance_bilan: datetime.date | None
) -> AvisValidation:
    projet = _verrouiller(projet)
    if projet.statut != StatutPP.CO_CONSTRUCTION:
        raise ValidationError("Seul un projet en co-construction peut être soumis à l'avis de la personne.")
    erreurs = {}
    if avis.date_avis > timezone.localdate():
        erreurs["date_avis"] = "La date de l'avis ne peut pas être dans le futur."
    if avis.exprime_par == ExprimePar.REPRESENTANT and not avis.nom_representant.strip():
        erreurs["nom_representant"] = "Indiquez le nom du représentant légal."
    if avis.decision == Decision.REFUS and not avis.motif.strip():
        erreurs["motif"] = "Indiquez le motif du refus, avec les mots de la personne si possible."
    if erreurs:
        raise ValidationError(erreurs)
    if avis.decision == Decision.ACCORD:
        if not projet.objectifs.exists():
            raise ValidationError(
                "Un projet sans objectif ne peut pas être validé : ajoutez au moins un objectif."
            )
        echeance_max = avis.date_avis + DUREE_MAX_AVANT_BILAN
        echeance = echeance_bilan or echeance_max
        if echeance > echeance_max:
            raise ValidationError(
                {
                    "echeance_bilan": f"Le bilan a lieu au moins une fois par an : au plus tard le "
                    f"{echeance_max:%d/%m/%Y}."
                }
            )
        if echeance <= avis.date_avis:
            raise ValidationError({"echeance_bilan": "La date du bilan doit suivre la validation."})
    avis.projet = projet
    avis.organisme_id = projet.organisme_id
    avis.save()
    if avis.decision == Decision.ACCORD:
        if projet.precedent_id:
            update_with_history(
                ProjetPersonnalise.objects.filter(
                    pk=projet.precedent_id, statut__in=[StatutPP.EN_OEUVRE, StatutPP.BILAN]
                ),
                statut=StatutPP.REMPLACE,
                modifie_le=timezone.now(),
            )
            Rappel.objects.filter(projet_id=projet.precedent_id, fait_le__isnull=True).update(
                fait_le=timezone.now()
            )
        projet.statut = StatutPP.EN_OEUVRE
        projet.date_validation = avis.date_avis
        projet.echeance_bilan = echeance
        try:
            with transaction.atomic():
                projet.save(update_fields=["statut", "date_validation", "echeance_bilan", "modifie_le"])
        except IntegrityError as exc:
            raise ValidationError(
                "Un autre projet validé est en cours pour cette personne dans cet établissement."
            ) from exc
    return avis


@transaction.atomic
def do_enregistrer_bilan(
    auteur,
    projet: ProjetPersonnalise,
    *,
    date_bilan: datetime.date,
    synthese: str,
    avis_usager: str,
    resultats: Mapping[int, tuple[str, str]],
) -> None:
    """The bilan of a validated PP: a result for every objective, a synthesis, the person's opinion."""
    _exiger(auteur, Droit.SOCIAL_MODIFIER, projet)
    projet = _verrouiller(projet)
    if projet.statut != StatutPP.EN_OEUVRE:
        raise ValidationError("Le bilan porte sur un projet validé en cours de mise en œuvre.")
    if date_bilan > timezone.localdate():
        raise ValidationError({"date_bilan": "La date du bilan ne peut pas être dans le futur."})
    if projet.date_validation is not None and date_bilan < projet.date_validation:
        raise ValidationError({"date_bilan": "Le bilan ne peut pas précéder la validation du projet."})
    if not synthese.strip():
        raise ValidationError({"synthese": "Rédigez la synthèse du bilan."})
    objectifs = list(projet.objectifs.all())
    manquants = [
        o.libelle for o in objectifs if resultats.get(o.pk, ("", ""))[0] not in ResultatObjectif.values
    ]
    if manquants:
        raise ValidationError(f"Indiquez le résultat de chaque objectif : {', '.join(manquants)}.")
    for objectif in objectifs:
        objectif.resultat, objectif.commentaire_bilan = resultats[objectif.pk]
        objectif.save(update_fields=["resultat", "commentaire_bilan", "modifie_le"])
    projet.statut = StatutPP.BILAN
    projet.date_bilan = date_bilan
    projet.synthese_bilan = synthese.strip()
    projet.avis_usager_bilan = avis_usager.strip()
    projet.bilan_par = auteur
    projet.save(
        update_fields=[
            "statut",
            "date_bilan",
            "synthese_bilan",
            "avis_usager_bilan",
            "bilan_par",
            "modifie_le",
        ]
    )
    Rappel.objects.filter(projet=projet, fait_le__isnull=True).update(fait_le=timezone.now())


@transaction.atomic
def do_reviser(auteur, projet: ProjetPersonnalise) -> ProjetPersonnalise:
    """A new version built from a PP whose bilan is done: projet de vie and besoins carried over,
    objectives partly or not reached carried over with their actions (échéances to be reviewed), attentes
    collected anew. The previous version stays the current one until the new one is validated."""
    _exiger(auteur, Droit.SOCIAL_MODIFIER, projet)
    projet = _verrouiller(projet)
    if projet.statut != StatutPP.BILAN:
        raise ValidationError("La révision suit le bilan : enregistrez d'abord le bilan du projet en cours.")
    if ProjetPersonnalise.objects.filter(
        usager_id=projet.usager_id,
        etablissement_id=projet.etablissement_id,
        statut__in=[StatutPP.RECUEIL, StatutPP.CO_CONSTRUCTION],
    ).exists():
        raise ValidationError("Une révision est déjà en cours d'élaboration.")
    derniere = ProjetPersonnalise.objects.filter(
        usager_id=projet.usager_id, etablissement_id=projet.etablissement_id
    ).aggregate(v=Max("version"))
    nouveau = ProjetPersonnalise.objects.create(
        organisme_id=projet.organisme_id,
        usager_id=projet.usager_id,
        etablissement_id=projet.etablissement_id,
        version=derniere["v"] + 1,
        precedent=projet,
        coordonnateur_id=projet.coordonnateur_id,
        projet_de_vie=projet.projet_de_vie,
    )
    besoins = {}
    for besoin in projet.besoins.all():
        besoins[besoin.pk] = Besoin.objects.create(
            organisme_id=projet.organisme_id,
            projet=nouveau,
            code_serafin_id=besoin.code_serafin_id,
            categorie_libre=besoin.categorie_libre,
            description=besoin.description,
            priorite=besoin.priorite,
        )
    echeance_min = timezone.localdate() + datetime.timedelta(days=30)
    for objectif in projet.objectifs.filter(resultat__in=RESULTATS_A_RECONDUIRE).prefetch_related("actions"):
        copie = Objectif.objects.create(
            organisme_id=projet.organisme_id,
            projet=nouveau,
            libelle=objectif.libelle,
            besoin=besoins.get(objectif.besoin_id) if objectif.besoin_id else None,
            referent_id=objectif.referent_id,
            echeance=max(objectif.echeance, echeance_min),
            avis_usager=objectif.avis_usager,
            reconduit_de=objectif,
        )
        for action in objectif.actions.all():
            Action.objects.create(
                organisme_id=projet.organisme_id,
                objectif=copie,
                libelle=action.libelle,
                intervenant=action.intervenant,
                frequence=action.frequence,
                moyens=action.moyens,
                prestation_id=action.prestation_id,
            )
    return nouveau


def do_demander_pdf_projet(auteur, projet: ProjetPersonnalise, gros_caracteres: bool = False):
    from documents.models import TypeDocument
    from documents.services import do_demander_generation

    _exiger(auteur, Droit.SOCIAL_VOIR, projet)
    if not policy.can_contenu(auteur, Droit.DOCUMENTS_MODIFIER, projet):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")
    usager = projet.usager
    return do_demander_generation(
        auteur,
        source=projet,
        usager=usager,
        etablissement=projet.etablissement,
        type_document=TypeDocument.PROJET_PERSONNALISE,
        categorie="social",
        titre=f"Projet personnalisé v{projet.version} — {usager}",
        tache="accompagnement.generer_pdf_projet",
        options={"gros_caracteres": bool(gros_caracteres)},
    )


# --- Rappels ----------------------------------------------------------------------------------------------

PREAVIS_RAPPEL = datetime.timedelta(days=30)


def creer_rappels_bilans(organisme_id: int, jour: datetime.date | None = None) -> int:
    """Reminders for the coordonnateur of every validated PP whose bilan is due within 30 days or late
    (idempotent: one reminder per PP, person and due date). Run daily by Celery beat, per organisme."""
    jour = jour or timezone.localdate()
    projets = ProjetPersonnalise.objects.filter(
        organisme_id=organisme_id,
        statut=StatutPP.EN_OEUVRE,
        echeance_bilan__lte=jour + PREAVIS_RAPPEL,
    ).select_related("usager")
    crees = 0
    for projet in projets.iterator(chunk_size=500):
        assert projet.echeance_bilan is not None  # filtered on it above
        retard = " (en retard)" if projet.echeance_bilan < jour else ""
        _, cree = Rappel.objects.get_or_create(
            organisme_id=organisme_id,
            projet=projet,
            destinataire_id=projet.coordonnateur_id,
            echeance=projet.echeance_bilan,
            defaults={
                "libelle": f"Bilan du projet personnalisé de {projet.usager} à réaliser avant le "
                f"{projet.echeance_bilan:%d/%m/%Y}{retard}"
            },
        )
        crees += cree
    return crees


# --- Évaluations ----------------------------------------------------------------------------------------


def codes_aggir(mode: str, reponses: Mapping[str, object]) -> dict[str, str]:
    """Item codes from the answers: adverbs (a list of the satisfied ones among S T C H, empty for
    "none") or direct codes. Every item of the grid must be answered."""
    codes = {}
    manquants = []
    for item in aggir.items_ordonnes():
        valeur = reponses.get(item)
        if valeur is None:
            manquants.append(aggir.LIBELLES.get(item.split(".")[0], item))
            continue
        if mode == ModeAggir.ADVERBES:
            codes[item] = aggir.code_des_adverbes(valeur)  # type: ignore[arg-type]
        else:
            codes[item] = str(valeur)
    if manquants:
        raise ValidationError(
            "Toutes les variables doivent être évaluées ; il manque : "
            + ", ".join(dict.fromkeys(manquants))
            + "."
        )
    return codes


@transaction.atomic
def do_enregistrer_aggir(
    auteur,
    usager: Usager,
    etablissement: Etablissement,
    *,
    date_evaluation: datetime.date,
    mode: str,
    reponses: Mapping[str, object],
    illustratives: Mapping[str, str] | None = None,
    commentaire: str = "",
) -> EvaluationAggir:
    _exiger_sur_etablissement(auteur, Droit.SOINS_MODIFIER, usager, etablissement)
    _date_passee(date_evaluation, "date_evaluation", "La date de l'évaluation")
    if date_evaluation < usager.date_naissance:
        raise ValidationError({"date_evaluation": "La date de l'évaluation précède la naissance."})
    exiger_sejour(usager, etablissement, date_evaluation)
    if mode not in ModeAggir.values:
        raise ValidationError("Mode de cotation inconnu.")
    try:
        items = codes_aggir(mode, reponses)
        codes = aggir.codes_des_reponses(items)
        gir, rang = aggir.calcul_gir(codes)
        illustratives = {
            k: aggir.valider_code(v, k)
            for k, v in (illustratives or {}).items()
            if k in aggir.VARIABLES_ILLUSTRATIVES and v
        }
    except aggir.CodeInvalide as exc:
        raise ValidationError(str(exc)) from exc
    stockees = {
        k: (sorted(v) if isinstance(v, list | tuple | set) else v) for k, v in reponses.items() if k in items
    }
    return EvaluationAggir.objects.create(
        organisme_id=usager.organisme_id,
        usager=usager,
        etablissement=etablissement,
        date_evaluation=date_evaluation,
        evaluateur=auteur,
        mode=mode,
        reponses={"items": stockees, "codes": items},
        codes=codes,
        illustratives=illustratives,
        gir=gir,
        rang=rang,
        commentaire=commentaire.strip(),
    )


@transaction.atomic
def do_annuler_aggir(auteur, evaluation: EvaluationAggir, motif: str) -> None:
    _exiger(auteur, Droit.SOINS_MODIFIER, evaluation)
    evaluation = EvaluationAggir.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.annulee_le:
        raise ValidationError("Cette évaluation est déjà annulée.")
    if len(motif.strip()) < 5:
        raise ValidationError({"motif": "Indiquez le motif de l'annulation."})
    evaluation.annulee_le = timezone.now()
    evaluation.annulee_par = auteur
    evaluation.motif_cloture = EvaluationAggir.motif_nettoye(motif)
    evaluation.save(update_fields=["annulee_le", "annulee_par", "motif_cloture", "modifie_le"])


def do_demander_pdf_aggir(auteur, evaluation: EvaluationAggir):
    from documents.models import TypeDocument
    from documents.services import do_demander_generation

    _exiger(auteur, Droit.SOINS_VOIR, evaluation)
    if not policy.can_contenu(auteur, Droit.DOCUMENTS_MODIFIER, evaluation):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")
    return do_demander_generation(
        auteur,
        source=evaluation,
        usager=evaluation.usager,
        etablissement=evaluation.etablissement,
        type_document=TypeDocument.GRILLE_EVALUATION,
        categorie="soins",
        titre=f"Grille AGGIR du {evaluation.date_evaluation:%d/%m/%Y} — {evaluation.usager}",
        tache="accompagnement.generer_pdf_aggir",
    )


@transaction.atomic
def do_enregistrer_serafin(
    auteur,
    usager: Usager,
    etablissement: Etablissement,
    *,
    date_evaluation: datetime.date,
    lignes: Iterable[tuple[CodeSerafin, int, str]],
    commentaire: str = "",
) -> EvaluationSerafin:
    _exiger_sur_etablissement(auteur, Droit.SOCIAL_MODIFIER, usager, etablissement)
    _date_passee(date_evaluation, "date_evaluation", "La date de l'évaluation")
    exiger_sejour(usager, etablissement, date_evaluation)
    lignes = list(lignes)
    if not any(importance > Importance.AUCUN for _, importance, _ in lignes):
        raise ValidationError("Aucun besoin n'est coté : indiquez au moins un besoin identifié.")
    evaluation = EvaluationSerafin.objects.create(
        organisme_id=usager.organisme_id,
        usager=usager,
        etablissement=etablissement,
        date_evaluation=date_evaluation,
        evaluateur=auteur,
        commentaire=commentaire.strip(),
    )
    for code, importance, texte in lignes:
        if code.jeu != JeuSerafin.BESOINS:
            raise ValidationError(f"{code.code} n'est pas un besoin SERAFIN-PH.")
        BesoinEvalue.objects.create(
            organisme_id=usager.organisme_id,
            evaluation=evaluation,
            code=code,
            importance=importance,
            commentaire=texte.strip()[:300],
        )
    return evaluation


PRIORITE_DE_L_IMPORTANCE = {Importance.IMPORTANT: 1, Importance.REGULIER: 2, Importance.PONCTUEL: 3}


@transaction.atomic
def do_reporter_besoins(auteur, evaluation: EvaluationSerafin) -> int:
    """Copy the needs identified by a SERAFIN-PH evaluation into the PP being built (same usager and ESMS),
    skipping those it already has. Returns the number added."""
    _exiger(auteur, Droit.SOCIAL_VOIR, evaluation)
    projet = ProjetPersonnalise.objects.filter(
        usager_id=evaluation.usager_id,
        etablissement_id=evaluation.etablissement_id,
        statut__in=[StatutPP.RECUEIL, StatutPP.CO_CONSTRUCTION],
    ).first()
    if projet is None:
        raise ValidationError(
            "Aucun projet personnalisé en cours d'élaboration pour cette personne dans cet "
            "établissement : créez-le (ou engagez une révision) d'abord."
        )
    _exiger(auteur, Droit.SOCIAL_MODIFIER, projet)
    _verrouiller(projet)
    deja = set(projet.besoins.exclude(code_serafin__isnull=True).values_list("code_serafin__code", flat=True))
    ajoutes = 0
    for ligne in evaluation.besoins.select_related("code").filter(importance__gt=Importance.AUCUN):
        if ligne.code.code in deja:
            continue
        Besoin.objects.create(
            organisme_id=projet.organisme_id,
            projet=projet,
            code_serafin=ligne.code,
            description=ligne.commentaire,
            priorite=PRIORITE_DE_L_IMPORTANCE[Importance(ligne.importance)],
        )
        ajoutes += 1
    return ajoutes


def _exiger_config_grille(auteur, etablissement: Etablissement) -> None:
    if (
        etablissement.organisme_id != auteur.organisme_id
        or etablissement.pk not in policy.etablissements_autorises(auteur, Droit.PILOTAGE_MODIFIER)
    ):
        raise PermissionDenied("La configuration des grilles est réservée à la direction de l'établissement.")


@transaction.atomic
def do_enregistrer_grille(auteur, grille: GrilleEvaluation, items: list[dict]) -> GrilleEvaluation:
    """Create or update a grid with its questions (``items``: [{libelle, type_item, options, obligatoire}]).
    A grid that has been used keeps its questions: only its name, description, interpretation and
    activity change."""
    _exiger_config_grille(auteur, grille.etablissement)
    grille.organisme_id = auteur.organisme_id
    utilisee = grille.pk is not None and grille.evaluations.exists()
    if not items and not utilisee:
        raise ValidationError("Ajoutez au moins une question.")
    for item in items:
        if item["type_item"] == TypeItem.CHOIX and len(item.get("options") or []) < 2:
            raise ValidationError(
                f"« {item['libelle']} » : un choix demande au moins deux réponses possibles."
            )
    try:
        with transaction.atomic():
            grille.full_clean(exclude=["organisme"])
            grille.save()
    except IntegrityError as exc:
        raise ValidationError({"nom": "Une grille porte déjà ce nom dans cet établissement."}) from exc
    if utilisee:
        return grille
    grille.items.all().delete()
    for ordre, item in enumerate(items, start=1):
        ItemGrille.objects.create(
            organisme_id=grille.organisme_id,
            grille=grille,
            ordre=ordre,
            libelle=item["libelle"],
            type_item=item["type_item"],
            options=item.get("options") or [],
            obligatoire=item.get("obligatoire", True),
        )
    return grille


def _points(item: ItemGrille, brut: str) -> tuple[str, float | None]:
    """(the answer as shown, its points) for one item; ValidationError for an impossible answer."""
    brut = (brut or "").strip()
    if item.type_item == TypeItem.TEXTE:
        return brut, None
    if item.type_item == TypeItem.NOMBRE:
        try:
            nombre = float(brut.replace(",", "."))
        except ValueError:
            raise ValidationError(f"« {item.libelle} » : un nombre est attendu.") from None
        return brut, nombre
    options = (
        item.options
        if item.type_item == TypeItem.CHOIX
        else (item.options or [{"libelle": "Oui", "points": 1}, {"libelle": "Non", "points": 0}])
    )
    for index, option in enumerate(options):
        if brut == str(index):
            return option["libelle"], float(option.get("points") or 0)
    raise ValidationError(f"« {item.libelle} » : choisissez une des réponses proposées.")


@transaction.atomic
def do_evaluer_avec_grille(
    auteur,
    usager: Usager,
    etablissement: Etablissement,
    grille: GrilleEvaluation,
    *,
    date_evaluation: datetime.date,
    reponses: Mapping[str, str],
    commentaire: str = "",
) -> EvaluationGrille:
    if grille.etablissement_id != etablissement.pk or not grille.active:
        raise ValidationError("Cette grille n'est pas proposée dans cet établissement.")
    _exiger_sur_etablissement(auteur, Droit.de(grille.categorie, MODIFIER), usager, etablissement)
    _date_passee(date_evaluation, "date_evaluation", "La date de l'évaluation")
    exiger_sejour(usager, etablissement, date_evaluation)
    lignes, score, compte = [], 0.0, False
    erreurs = []
    for item in grille.items.all():
        brut = reponses.get(str(item.pk), "")
        if not str(brut).strip():
            if item.obligatoire:
                erreurs.append(f"« {item.libelle} » : réponse obligatoire.")
            continue
        try:
            affichee, points = _points(item, str(brut))
        except ValidationError as exc:
            erreurs.extend(exc.messages)
            continue
        if points is not None:
            score += points
            compte = True
        lignes.append({"question": item.libelle, "reponse": affichee, "points": points})
    if erreurs:
        raise ValidationError(erreurs)
    score_final = round(score, 2) if compte else None
    return EvaluationGrille.objects.create(
        organisme_id=usager.organisme_id,
        usager=usager,
        etablissement=etablissement,
        grille=grille,
        categorie=grille.categorie,
        date_evaluation=date_evaluation,
        evaluateur=auteur,
        reponses=lignes,
        score=score_final,
        interpretation=grille.interpreter(score_final),
        commentaire=commentaire.strip(),
    )


# --- Journal de suivi -----------------------------------------------------------------------------------


@transaction.atomic
def do_ecrire_observation(auteur, observation: Observation) -> Observation:
    usager, etablissement = observation.usager, observation.etablissement
    _exiger_sur_etablissement(auteur, Droit.SOCIAL_MODIFIER, usager, etablissement)
    if observation.date_observation > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"date_observation": "Une observation ne peut pas être datée dans le futur."})
    exiger_sejour(usager, etablissement, timezone.localtime(observation.date_observation).date())
    if not observation.texte.strip():
        raise ValidationError({"texte": "L'observation est vide."})
    objectif = observation.objectif
    if objectif is not None and (
        objectif.projet.usager_id != usager.pk or objectif.projet.etablissement_id != etablissement.pk
    ):
        raise ValidationError({"objectif": "Cet objectif n'appartient pas au projet de cette personne."})
    from .models import ACTION_CONFIDENTIALITE

    action = ACTION_CONFIDENTIALITE.get(Confidentialite(observation.confidentialite))
    if (
        action
        and action != Droit.PILOTAGE_VOIR
        and etablissement.pk not in policy.etablissements_autorises(auteur, action)
    ):
        raise ValidationError(
            {
                "confidentialite": "Vous ne pouvez pas réserver un écrit à une équipe dont vous ne "
                "faites pas partie."
            }
        )
    observation.organisme_id = usager.organisme_id
    observation.auteur = auteur
    observation.save()
    return observation
