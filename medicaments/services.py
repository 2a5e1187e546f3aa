"""Write paths of the circuit du médicament. Each service checks the habilitation itself (views are not
the only callers) and runs in one transaction.

- Prescribing is for physicians (``medical.modifier`` and ``medicaments.modifier`` in the ESMS).
- Administering is for the care team holding ``medicaments.modifier`` and ``soins.modifier`` (infirmiers,
  médecins): not the aides-soignants (``medicaments.voir``), not the pharmacien (no ``soins.modifier``).
- Piluliers and stock: ``medicaments.modifier`` in the ESMS (infirmiers, pharmacien, médecins).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from dui import occurrences
from dui.models import Etablissement
from habilitations import policy
from habilitations.roles import Droit
from usagers.models import Usager

from . import securite
from .models import (
    Administration,
    AlertePrescription,
    ArticleStock,
    DosePlanifiee,
    EffetSiBesoin,
    MouvementStock,
    Pilulier,
    Prescription,
    Presentation,
    StatutAdministration,
    TypeMouvement,
)

REFUS = "Vous n'avez pas l'habilitation nécessaire."
# The plan is generated this many days ahead (a daily task extends it): the next week's piluliers are
# prepared from it.
HORIZON_JOURS = 14
# A dose may be validated from this long before its time (a round starts early) …
AVANCE_ADMISE = datetime.timedelta(hours=2)
# … and recorded up to a day late (night shift, late entry); older ones need a transmission.
RETARD_ADMIS = datetime.timedelta(hours=24)


class AlertesNonAcquittees(ValidationError):
    """The line raises safety alerts that the prescriber has not all acknowledged with a reason."""

    def __init__(self, alertes: list[securite.Alerte]):
        self.alertes = alertes
        super().__init__(
            "Cette prescription déclenche des alertes : indiquez pour chacune pourquoi vous "
            "maintenez la prescription, ou modifiez-la."
        )


def peut_prescrire(user, usager: Usager, etablissement: Etablissement) -> bool:
    return policy.can_dans_etablissement(
        user, Droit.MEDICAL_MODIFIER, usager, etablissement
    ) and policy.can_dans_etablissement(user, Droit.MEDICAMENTS_MODIFIER, usager, etablissement)


def peut_administrer(user, objet) -> bool:
    return policy.can_contenu(user, Droit.MEDICAMENTS_MODIFIER, objet) and policy.can_contenu(
        user, Droit.SOINS_MODIFIER, objet
    )


# --- Prescriptions ---------------------------------------------------------------------------------------------


def _valider(prescription: Prescription) -> None:
    erreurs = {}
    if not prescription.specialite_id and not prescription.substance_id:
        erreurs["specialite"] = "Choisissez un médicament (spécialité ou substance)."
    if prescription.dose is None or prescription.dose <= 0:
        erreurs["dose"] = "La dose doit être supérieure à zéro."
    if prescription.si_besoin:
        if not prescription.indication.strip():
            erreurs["indication"] = "Un traitement « si besoin » demande son indication (douleur, fièvre…)."
        if not prescription.max_par_24h:
            erreurs["max_par_24h"] = (
                "Un traitement « si besoin » demande le nombre maximum de prises par 24 h."
            )
        prescription.heures = []
    else:
        prescription.max_par_24h = None
        if not prescription.heures:
            erreurs["heures"] = "Choisissez au moins un moment ou une heure de prise."
        if prescription.recurrence == "jours_semaine" and not prescription.jours_semaine:
            erreurs["jours_semaine"] = "Choisissez au moins un jour de la semaine."
    if prescription.fin and prescription.debut and prescription.fin <= prescription.debut:
        erreurs["fin"] = "La fin doit être après le début."
    if erreurs:
        raise ValidationError(erreurs)


def _libelle(prescription: Prescription) -> None:
    produit = prescription.specialite or prescription.substance  # one of the two (check constraint)
    prescription.libelle = produit.denomination[:300] if produit is not None else ""


def _enregistrer_alertes(auteur, prescription: Prescription, alertes, acquittements: dict[str, str]) -> None:
    manquantes = [a for a in alertes if not (acquittements.get(a.cle) or "").strip()]
    if manquantes:
        raise AlertesNonAcquittees(alertes)
    AlertePrescription.objects.bulk_create(
        [
            AlertePrescription(
                organisme_id=prescription.organisme_id,
                prescription=prescription,
                type_alerte=a.type_alerte,
                cle=a.cle,
                message=a.message[:500],
                motif=acquittements[a.cle].strip()[:300],
                acquittee_par=auteur,
            )
            for a in alertes
        ]
    )


@transaction.atomic
def do_prescrire(
    auteur,
    prescription: Prescription,
    acquittements: dict[str, str] | None = None,
    remplace: Prescription | None = None,
) -> Prescription:
    """Write a line after the safety checks; every alert must be acknowledged with a reason
    (``AlertesNonAcquittees`` otherwise: nothing is written). Generates its plan d'administration."""
    usager, etablissement = prescription.usager, prescription.etablissement
    if not peut_prescrire(auteur, usager, etablissement):
        raise PermissionDenied(REFUS)
    prescription.organisme_id = usager.organisme_id
    prescription.prescripteur = auteur
    prescription.debut = prescription.debut or timezone.now()
    _valider(prescription)
    _libelle(prescription)
    # the person's lines are checked one writer at a time (two physicians cannot both miss the duplicate)
    Usager.objects.select_for_update().filter(pk=usager.pk).first()
    alertes = securite.verifier(prescription, exclure=remplace)
    prescription.remplace = remplace
    prescription.save()
    _enregistrer_alertes(auteur, prescription, alertes, acquittements or {})
    generer_plan(prescription)
    return prescription


def _arreter(auteur, prescription: Prescription, motif: str, le: datetime.datetime) -> Prescription:
    prescription.arrete_le = le
    prescription.arrete_par = auteur
    prescription.motif_cloture = Prescription.motif_nettoye(motif)
    prescription.save()
    # the future plan goes; what was due before the stop stays, with what was done
    DosePlanifiee.objects.filter(
        prescription=prescription, prevue_le__gte=le, administration__isnull=True
    ).delete()
    return prescription


@transaction.atomic
def do_arreter(auteur, prescription: Prescription, motif: str) -> Prescription:
    if not peut_prescrire(auteur, prescription.usager, prescription.etablissement):
        raise PermissionDenied(REFUS)
    if not motif.strip():
        raise ValidationError({"motif": "Indiquez le motif de l'arrêt."})
    prescription = (
        Prescription.objects.select_for_update()
        .select_related("usager", "etablissement")
        .get(pk=prescription.pk)
    )
    if prescription.arrete_le:
        raise ValidationError("Cette ligne est déjà arrêtée.")
    return _arreter(auteur, prescription, motif, timezone.now())


@transaction.atomic
def do_modifier(
    auteur,
    ancienne: Prescription,
    nouvelle: Prescription,
    motif: str,
    acquittements: dict[str, str] | None = None,
) -> Prescription:
    """A modification is a stop and a new line (the history shows both): the new line starts now (or at
    its own later start), the old one stops at the same instant; the plan changes from then on only."""
    if not peut_prescrire(auteur, ancienne.usager, ancienne.etablissement):
        raise PermissionDenied(REFUS)
    if not motif.strip():
        raise ValidationError({"motif": "Indiquez le motif de la modification."})
    ancienne = (
        Prescription.objects.select_for_update().select_related("usager", "etablissement").get(pk=ancienne.pk)
    )
    if ancienne.arrete_le:
        raise ValidationError("Cette ligne est déjà arrêtée : prescrivez une nouvelle ligne.")
    maintenant = timezone.now()
    nouvelle.usager, nouvelle.etablissement = ancienne.usager, ancienne.etablissement
    nouvelle.debut = max(nouvelle.debut or maintenant, maintenant)
    _arreter(auteur, ancienne, f"Modifiée : {motif.strip()}", nouvelle.debut)
    return do_prescrire(auteur, nouvelle, acquittements, remplace=ancienne)


def generer_plan(
    prescription: Prescription,
    jusqu_au: datetime.date | None = None,
    maintenant: datetime.datetime | None = None,
) -> int:
    """Create the planned doses from now (never in the past) to ``jusqu_au`` (default: the horizon).
    Idempotent (unique per prescription and time)."""
    if prescription.si_besoin or prescription.arrete_le:
        return 0
    maintenant = maintenant or timezone.now()
    depart = max(prescription.debut, maintenant)
    jour = timezone.localtime(depart).date()
    fin = jusqu_au or timezone.localdate(maintenant) + datetime.timedelta(days=HORIZON_JOURS)
    doses = []
    while jour <= fin:
        for moment in prescription.prises_du_jour(jour):
            if moment >= depart:
                doses.append(
                    DosePlanifiee(
                        organisme_id=prescription.organisme_id,
                        prescription=prescription,
                        usager_id=prescription.usager_id,
                        etablissement_id=prescription.etablissement_id,
                        prevue_le=moment,
                    )
                )
        jour += datetime.timedelta(days=1)
    DosePlanifiee.objects.bulk_create(doses, ignore_conflicts=True, batch_size=1000)
    return len(doses)


def etendre_plans(organisme_id: int) -> int:
    """Daily: extend every active line's plan to the horizon."""
    total = 0
    for prescription in Prescription.objects.filter(
        organisme_id=organisme_id, arrete_le__isnull=True, si_besoin=False
    ).iterator():
        if prescription.fin is None or prescription.fin > timezone.now():
            total += generer_plan(prescription)
    return total


# --- Barcode ---------------------------------------------------------------------------------------------------


def cip13_du_code(saisie: str) -> str:
    """The CIP13 in what a scanner typed: an EAN-13 (13 digits) or a GS1 DataMatrix (AI 01 + GTIN-14 =
    "0" + CIP13, then other AIs: expiry, lot, serial). Raises a French ValidationError otherwise."""
    brut = "".join(c for c in saisie.strip() if c.isalnum())
    if brut.startswith("01") and len(brut) >= 16 and brut[2:16].isdigit():
        cip = brut[3:16]
    elif len(brut) == 13 and brut.isdigit():
        cip = brut
    else:
        raise ValidationError(
            "Code illisible : scannez le code de la boîte (CIP13 ou DataMatrix) ou tapez ses 13 chiffres."
        )
    somme = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(cip[:12]))
    if (10 - somme % 10) % 10 != int(cip[12]):
        raise ValidationError(f"Code {cip} invalide (clé de contrôle fausse) : scannez à nouveau.")
    return cip


def verifier_boite(prescription: Prescription, saisie: str) -> Presentation:
    """The scanned box must be the prescribed spécialité, or contain the prescribed substance (a DCI
    line). Raises a ValidationError naming both drugs otherwise."""
    cip = cip13_du_code(saisie)
    presentation = Presentation.objects.select_related("specialite").filter(cip13=cip).first()
    if presentation is None:
        raise ValidationError(f"Boîte inconnue (CIP13 {cip}) : vérifiez le médicament avant de le donner.")
    if prescription.specialite_id:
        correspond = presentation.specialite_id == prescription.specialite_id
    else:
        correspond = (
            prescription.substance_id is not None
            and presentation.specialite.compositions.filter(substance_id=prescription.substance_id).exists()
        )
    if not correspond:
        raise ValidationError(
            f"Mauvais médicament : la boîte scannée est « {presentation.specialite} », la "
            f"prescription est « {prescription.intitule} ». Administration bloquée."
        )
    return presentation


# --- Administration --------------------------------------------------------------------------------------------


def _deja_note(administration: Administration) -> ValidationError:
    return occurrences.deja_note(administration, str(administration.auteur), administration.administree_le)


def _verrouiller_active(prescription: Prescription, moment: datetime.datetime) -> Prescription:
    """Lock the line (a stop waits for this administration, or this one sees the stop) and check it is
    active at ``moment``. The database trigger checks it again."""
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    if prescription.arrete_le and prescription.arrete_le <= moment:
        raise ValidationError(
            f"Prescription arrêtée le {timezone.localtime(prescription.arrete_le):%d/%m à %H:%M} "
            f"({prescription.motif_cloture}) : rien ne peut plus être administré sur cette ligne."
        )
    if prescription.debut > moment:
        raise ValidationError(
            f"Prescription pas encore commencée (début le "
            f"{timezone.localtime(prescription.debut):%d/%m à %H:%M})."
        )
    if prescription.fin and prescription.fin <= moment:
        raise ValidationError("Prescription terminée : rien ne peut plus être administré sur cette ligne.")
    return prescription


def _sortie_de_stock(auteur, administration: Administration) -> None:
    """When the ESMS counts each dose given, a "donné" takes it out of stock (lot with the nearest expiry)."""
    prescription = administration.prescription
    if (
        not prescription.specialite_id
        or administration.quantite != administration.quantite.to_integral_value()
    ):
        return
    article = ArticleStock.objects.filter(
        etablissement_id=administration.etablissement_id,
        specialite_id=prescription.specialite_id,
        sortie_par_administration=True,
    ).first()
    if article is None:
        return
    lots = (
        MouvementStock.objects.filter(article=article)
        .values("lot", "peremption")
        .annotate(reste=Sum("quantite"))
        .filter(reste__gt=0)
        .order_by("peremption", "lot")
    )
    lot = lots.first() or {"lot": "", "peremption": None}
    MouvementStock.objects.create(
        organisme_id=article.organisme_id,
        article=article,
        etablissement_id=article.etablissement_id,
        type_mouvement=TypeMouvement.ADMINISTRATION,
        quantite=-int(administration.quantite),
        lot=lot["lot"] or "",
        peremption=lot["peremption"],
        administration=administration,
        auteur=auteur,
    )


@transaction.atomic
def do_administrer(
    auteur,
    dose: DosePlanifiee,
    statut: str,
    motif: str = "",
    precision: str = "",
    reporte_a: datetime.datetime | None = None,
    code_boite: str = "",
    maintenant: datetime.datetime | None = None,
    confirme: bool = False,
    cle: str = "",
) -> Administration:
    """Donné / refusé / non donné (reason) / reporté (to a time) for one planned dose, with the time and the
    professional. A postponed (or undone) dose is later given or not (the same row); the others are final.
    Two nurses at once: one row (unique constraint), a clear message for the second. "Donné" outside the
    dose's window (``DUI_GARDES_HORAIRES["dose"]``) needs ``confirme``, and the deviation is recorded."""
    if not peut_administrer(auteur, dose):
        raise PermissionDenied(REFUS)
    maintenant = maintenant or timezone.now()
    if statut not in StatutAdministration.values:
        raise ValidationError("Choisissez donné, refusé, non donné ou reporté.")
    if dose.prevue_le - AVANCE_ADMISE > maintenant:
        raise ValidationError(
            f"Trop tôt : cette dose est prévue à {timezone.localtime(dose.prevue_le):%H:%M}."
        )
    if dose.prevue_le + RETARD_ADMIS < maintenant:
        raise ValidationError("Cette dose est trop ancienne pour être validée : écrivez une transmission.")
    prescription = _verrouiller_active(dose.prescription, maintenant)
    existante = Administration.objects.select_for_update().select_related("auteur").filter(dose=dose).first()
    if existante is not None and occurrences.rejouee(existante, cle):
        return existante  # sent again from a device's queue: already recorded
    if existante is not None and not existante.ouverte:
        raise _deja_note(existante)
    if statut == StatutAdministration.ANNULE:
        raise ValidationError("Choisissez donné, refusé, non donné ou reporté.")
    if statut == StatutAdministration.NON_DONNE and motif == "refus":
        statut = StatutAdministration.REFUSE  # a refusal is recorded one way, whichever button said it
    if statut == StatutAdministration.REFUSE:
        motif = "refus"
    occurrences.verifier_motif(
        statut == StatutAdministration.NON_DONNE,
        motif,
        precision,
        "Indiquez pourquoi la dose n'a pas été donnée.",
    )
    if statut == StatutAdministration.REPORTE:
        if reporte_a is None:
            raise ValidationError({"reporte_a": "Indiquez l'heure à laquelle la dose est reportée."})
        if reporte_a <= maintenant:
            raise ValidationError({"reporte_a": "L'heure de report doit être à venir."})
    if statut not in (StatutAdministration.REFUSE, StatutAdministration.NON_DONNE):
        motif, precision = "", ""
    ecart = None
    if statut == StatutAdministration.DONNE:
        attendu = dose.prevue_le
        if existante is not None and existante.statut == StatutAdministration.REPORTE and existante.reporte_a:
            attendu = existante.reporte_a
        ecart = occurrences.verifier_horaire(
            attendu, maintenant, ("dose",), confirme, "Cette dose est prévue"
        )
    cip = verifier_boite(prescription, code_boite).cip13 if code_boite.strip() else ""
    valeurs = {
        "statut": statut,
        "motif": motif,
        "precision": precision.strip()[:200],
        "reporte_a": reporte_a if statut == StatutAdministration.REPORTE else None,
        "auteur": auteur,
        "administree_le": maintenant,
        "cip13_scanne": cip,
        "ecart_confirme": ecart,
        "cle_idempotence": cle[:64],
    }
    administration = occurrences.enregistrer_validation(
        existante,
        reportee=lambda a: a.statut == StatutAdministration.REPORTE,
        valeurs=valeurs,
        nouvelle=lambda: Administration(
            organisme_id=dose.organisme_id,
            prescription=prescription,
            dose=dose,
            usager_id=dose.usager_id,
            etablissement_id=dose.etablissement_id,
            quantite=prescription.dose,
            **valeurs,
        ),
        relire=lambda: Administration.objects.select_related("auteur").filter(dose=dose).first(),
        refus=_deja_note,
    )
    if statut == StatutAdministration.DONNE:
        _sortie_de_stock(auteur, administration)
    return administration


# Administrations older than this are not corrected here (a transmission says what happened).
CORRECTION_ADMISE = RETARD_ADMIS


@transaction.atomic
def do_corriger_administration(
    auteur, administration: Administration, motif: str = "", maintenant: datetime.datetime | None = None
) -> Administration:
    """Undo a dose's validation (given, refused, not given, postponed, or a "si besoin" dose): its author
    within ``DUI_FENETRE_CORRECTION_MINUTES`` in one tap, afterwards any nurse who administers in the ESMS,
    with a reason. The row becomes "annulé" (a planned dose is to do again), its history keeps what was
    noted; a dose taken out of stock goes back into it (a movement of its own)."""
    if not peut_administrer(auteur, administration):
        raise PermissionDenied(REFUS)
    maintenant = maintenant or timezone.now()
    administration = (
        Administration.objects.select_for_update().select_related("auteur").get(pk=administration.pk)
    )
    if administration.administree_le + CORRECTION_ADMISE < maintenant:
        raise ValidationError(
            "Cette validation est trop ancienne pour être corrigée ici : écrivez une transmission."
        )
    etait_donnee = administration.statut == StatutAdministration.DONNE
    occurrences.annuler_validation(
        administration, auteur, motif, "administree_le", peut_corriger_tout=True, maintenant=maintenant
    )
    if etait_donnee:
        _retour_en_stock(auteur, administration, maintenant)
    return administration


def _retour_en_stock(auteur, administration: Administration, maintenant: datetime.datetime) -> None:
    """What the undone dose took out of stock goes back, to the same lot."""
    sorties = list(
        MouvementStock.objects.filter(administration=administration)
        .values("article_id", "lot", "peremption")
        .annotate(net=Sum("quantite"))
        .filter(net__lt=0)
    )
    for sortie in sorties:
        MouvementStock.objects.create(
            organisme_id=administration.organisme_id,
            article_id=sortie["article_id"],
            etablissement_id=administration.etablissement_id,
            type_mouvement=TypeMouvement.ANNULATION,
            quantite=-sortie["net"],
            lot=sortie["lot"],
            peremption=sortie["peremption"],
            administration=administration,
            commentaire="Dose notée donnée par erreur, remise en stock",
            auteur=auteur,
            le=maintenant,
        )


def prises_si_besoin_24h(prescription: Prescription, maintenant: datetime.datetime) -> int:
    return Administration.objects.filter(
        prescription=prescription,
        statut=StatutAdministration.DONNE,
        administree_le__gt=maintenant - datetime.timedelta(hours=24),
    ).count()


@transaction.atomic
def do_donner_si_besoin(
    auteur,
    prescription: Prescription,
    indication: str,
    code_boite: str = "",
    maintenant: datetime.datetime | None = None,
) -> Administration:
    """A "si besoin" dose, given for an indication, within the line's maximum per 24 h (counted under the
    line's lock: two nurses cannot both give the last allowed dose)."""
    if not peut_administrer(auteur, prescription):
        raise PermissionDenied(REFUS)
    if not prescription.si_besoin:
        raise ValidationError("Cette ligne n'est pas un traitement « si besoin ».")
    if not indication.strip():
        raise ValidationError({"indication": "Indiquez pourquoi la dose est donnée (douleur, fièvre…)."})
    maintenant = maintenant or timezone.now()
    prescription = _verrouiller_active(prescription, maintenant)
    deja = prises_si_besoin_24h(prescription, maintenant)
    if prescription.max_par_24h is not None and deja >= prescription.max_par_24h:
        raise ValidationError(
            f"Maximum atteint : {deja} prise(s) sur les dernières 24 h pour "
            f"{prescription.max_par_24h} autorisée(s). Appelez le médecin."
        )
    cip = verifier_boite(prescription, code_boite).cip13 if code_boite.strip() else ""
    administration = Administration.objects.create(
        organisme_id=prescription.organisme_id,
        prescription=prescription,
        usager_id=prescription.usager_id,
        etablissement_id=prescription.etablissement_id,
        statut=StatutAdministration.DONNE,
        indication=indication.strip()[:200],
        quantite=prescription.dose,
        auteur=auteur,
        administree_le=maintenant,
        cip13_scanne=cip,
        reevaluer_le=maintenant + datetime.timedelta(minutes=settings.DUI_REEVALUATION_SI_BESOIN_MINUTES),
    )
    _sortie_de_stock(auteur, administration)
    return administration


@transaction.atomic
def do_reevaluer_si_besoin(
    auteur,
    administration: Administration,
    effet: str,
    douleur_apres: int | None = None,
    commentaire: str = "",
    maintenant: datetime.datetime | None = None,
) -> Administration:
    """What a "si besoin" dose did (issue 23, item 4): the effect seen, the pain on the 0-10 scale, an
    observation (required for an adverse effect). Once per dose, by whoever administers in the ESMS; the
    row's history keeps it."""
    if not peut_administrer(auteur, administration):
        raise PermissionDenied(REFUS)
    maintenant = maintenant or timezone.now()
    administration = (
        Administration.objects.select_for_update(of=("self",))
        .select_related("reevaluee_par")
        .get(pk=administration.pk)
    )
    if administration.dose_id is not None or administration.reevaluer_le is None:
        raise ValidationError("Seule une dose « si besoin » se réévalue ici.")
    if administration.statut != StatutAdministration.DONNE:
        raise ValidationError("Cette dose a été annulée : il n'y a rien à réévaluer.")
    if administration.reevaluee_le is not None:
        par = administration.reevaluee_par.get_full_name() if administration.reevaluee_par else ""
        raise ValidationError(
            f"Déjà réévaluée à {timezone.localtime(administration.reevaluee_le):%H:%M} par {par}."
        )
    erreurs = {}
    if effet not in EffetSiBesoin.values:
        erreurs["effet"] = "Choisissez l'effet observé."
    if douleur_apres is not None and not 0 <= douleur_apres <= 10:
        erreurs["douleur_apres"] = "La douleur se note de 0 (aucune) à 10 (maximale)."
    if effet == EffetSiBesoin.INDESIRABLE and not commentaire.strip():
        erreurs["commentaire"] = "Décrivez l'effet indésirable observé (et prévenez le médecin)."
    if erreurs:
        raise ValidationError(erreurs)
    administration.effet = effet
    administration.douleur_apres = douleur_apres
    administration.commentaire_reevaluation = commentaire.strip()[:300]
    administration.reevaluee_le = maintenant
    administration.reevaluee_par = auteur
    administration.save(
        update_fields=[
            "effet",
            "douleur_apres",
            "commentaire_reevaluation",
            "reevaluee_le",
            "reevaluee_par",
            "modifie_le",
        ]
    )
    return administration


# --- Piluliers -------------------------------------------------------------------------------------------------


def lundi(jour: datetime.date) -> datetime.date:
    return jour - datetime.timedelta(days=jour.weekday())


@transaction.atomic
def do_marquer_pilulier_prepare(
    auteur, usager: Usager, etablissement: Etablissement, semaine: datetime.date
) -> Pilulier:
    if not policy.can_dans_etablissement(auteur, Droit.MEDICAMENTS_MODIFIER, usager, etablissement):
        raise PermissionDenied(REFUS)
    if semaine != lundi(semaine):
        raise ValidationError("Une semaine de pilulier commence un lundi.")
    existant = (
        Pilulier.objects.select_for_update(of=("self",))
        .select_related("prepare_par")
        .filter(usager=usager, etablissement=etablissement, semaine=semaine)
        .first()
    )
    if existant:
        raise ValidationError(
            f"Pilulier déjà préparé par {existant.prepare_par} le "
            f"{timezone.localtime(existant.prepare_le):%d/%m à %H:%M}."
        )
    try:
        with transaction.atomic():
            return Pilulier.objects.create(
                organisme_id=usager.organisme_id,
                usager=usager,
                etablissement=etablissement,
                semaine=semaine,
                prepare_par=auteur,
            )
    except IntegrityError:
        raise ValidationError("Pilulier déjà préparé par un autre professionnel.") from None


@transaction.atomic
def do_verifier_pilulier(auteur, pilulier: Pilulier) -> Pilulier:
    """The double check: by a second professional, once."""
    if not policy.can_contenu(auteur, Droit.MEDICAMENTS_MODIFIER, pilulier):
        raise PermissionDenied(REFUS)
    pilulier = (
        Pilulier.objects.select_for_update(of=("self",)).select_related("verifie_par").get(pk=pilulier.pk)
    )
    if pilulier.prepare_par_id == auteur.pk:
        raise ValidationError(
            "Le double contrôle doit être fait par un autre professionnel que celui qui a "
            "préparé le pilulier."
        )
    if pilulier.verifie_par_id:
        raise ValidationError(f"Pilulier déjà contrôlé par {pilulier.verifie_par}.")
    pilulier.verifie_par, pilulier.verifie_le = auteur, timezone.now()
    pilulier.save()
    return pilulier


# --- Stock -----------------------------------------------------------------------------------------------------


def _exiger_stock(auteur, etablissement: Etablissement) -> None:
    if (
        etablissement.organisme_id != auteur.organisme_id
        or etablissement.pk not in policy.etablissements_autorises(auteur, Droit.MEDICAMENTS_MODIFIER)
    ):
        raise PermissionDenied(REFUS)


@transaction.atomic
def do_ajouter_article(auteur, article: ArticleStock) -> ArticleStock:
    _exiger_stock(auteur, article.etablissement)
    article.organisme_id = article.etablissement.organisme_id
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        raise ValidationError(
            {"specialite": "Ce médicament est déjà suivi en stock dans cet ESMS."}
        ) from None
    return article


def quantite_en_stock(article: ArticleStock, lot: str | None = None) -> int:
    mouvements = MouvementStock.objects.filter(article=article)
    if lot is not None:
        mouvements = mouvements.filter(lot=lot)
    return mouvements.aggregate(t=Sum("quantite"))["t"] or 0


@transaction.atomic
def do_mouvement(
    auteur,
    article: ArticleStock,
    type_mouvement: str,
    quantite: int,
    lot: str = "",
    peremption: datetime.date | None = None,
    commentaire: str = "",
) -> MouvementStock:
    """Réception (+), sortie or destruction (−, within the lot's stock), inventaire (``quantite`` = the
    count found: the movement is the difference)."""
    _exiger_stock(auteur, article.etablissement)
    article = ArticleStock.objects.select_for_update().get(pk=article.pk)
    lot = lot.strip()[:40]
    if type_mouvement == TypeMouvement.RECEPTION:
        if quantite <= 0:
            raise ValidationError({"quantite": "La quantité reçue doit être positive."})
        if not lot or peremption is None:
            raise ValidationError({"lot": "Indiquez le lot et la date de péremption de la réception."})
        delta = quantite
    elif type_mouvement in (TypeMouvement.SORTIE, TypeMouvement.PERIME):
        if quantite <= 0:
            raise ValidationError({"quantite": "La quantité doit être positive."})
        disponible = quantite_en_stock(article, lot)
        if quantite > disponible:
            raise ValidationError(
                {
                    "quantite": f"Stock insuffisant{' pour le lot ' + lot if lot else ''} : "
                    f"{disponible} disponible(s)."
                }
            )
        if type_mouvement == TypeMouvement.SORTIE and not commentaire.strip():
            raise ValidationError({"commentaire": "Indiquez le motif de la sortie."})
        delta = -quantite
        peremption = (
            peremption
            or MouvementStock.objects.filter(article=article, lot=lot)
            .exclude(peremption=None)
            .values_list("peremption", flat=True)
            .first()
        )
    elif type_mouvement == TypeMouvement.INVENTAIRE:
        if quantite < 0:
            raise ValidationError({"quantite": "La quantité comptée ne peut pas être négative."})
        delta = quantite - quantite_en_stock(article, lot)
        if delta == 0:
            raise ValidationError(
                {"quantite": "Le stock compté est égal au stock théorique : rien à corriger."}
            )
        peremption = (
            peremption
            or MouvementStock.objects.filter(article=article, lot=lot)
            .exclude(peremption=None)
            .values_list("peremption", flat=True)
            .first()
        )
    else:
        raise ValidationError("Mouvement inconnu.")
    return MouvementStock.objects.create(
        organisme_id=article.organisme_id,
        article=article,
        etablissement_id=article.etablissement_id,
        type_mouvement=type_mouvement,
        quantite=delta,
        lot=lot,
        peremption=peremption,
        commentaire=commentaire.strip()[:200],
        auteur=auteur,
    )


# --- Ordonnance ------------------------------------------------------------------------------------------------


def do_demander_ordonnance(auteur, usager: Usager, etablissement: Etablissement):
    """The ordonnance of the person's current lines in the ESMS, produced as a PDF by the worker."""
    from documents.models import TypeDocument
    from documents.services import do_demander_generation

    if not peut_prescrire(auteur, usager, etablissement):
        raise PermissionDenied(REFUS)
    derniere = (
        Prescription.objects.filter(usager=usager, etablissement=etablissement, arrete_le__isnull=True)
        .order_by("-cree_le")
        .first()
    )
    if derniere is None:
        raise ValidationError("Aucune ligne en cours dans cet ESMS : rien à imprimer.")
    # the ordonnance is attached to the newest line: asked again without a change, it is a new version
    return do_demander_generation(
        auteur,
        source=derniere,
        usager=usager,
        etablissement=etablissement,
        type_document=TypeDocument.ORDONNANCE,
        categorie="medical",
        titre=f"Ordonnance du {timezone.localdate():%d/%m/%Y}",
        tache="medicaments.generer_ordonnance",
    )


def do_demander_cr_administration(
    auteur, usager: Usager, etablissement: Etablissement, du: datetime.date, au: datetime.date
):
    """The compte rendu d'administration (LOINC 80565-5) of the person in the ESMS over a period, as a PDF
    produced by the worker (the document the DMP feeding will send)."""
    from documents.models import TypeDocument
    from documents.services import do_demander_generation

    if not (
        policy.can_dans_etablissement(auteur, Droit.MEDICAMENTS_VOIR, usager, etablissement)
        and policy.can_dans_etablissement(auteur, Droit.DOCUMENTS_MODIFIER, usager, etablissement)
    ):
        raise PermissionDenied(REFUS)
    if au < du:
        raise ValidationError({"au": "La fin de la période doit suivre son début."})
    if au > timezone.localdate() or (au - du).days > 92:
        raise ValidationError({"au": "Période passée de trois mois au plus."})
    return do_demander_generation(
        auteur,
        source=usager,
        usager=usager,
        etablissement=etablissement,
        type_document=TypeDocument.CR_ADMINISTRATION,
        categorie="medicaments",
        titre=f"Compte rendu d'administration du {du:%d/%m/%Y} au {au:%d/%m/%Y}",
        tache="medicaments.generer_cr_administration",
        options={"du": du.isoformat(), "au": au.isoformat()},
    )
