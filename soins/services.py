"""Write paths of the soins: dossier médical and dossier de soins, constantes and their alerts,
transmissions and read marks, plan de soins and the validation of each care task, the DLU request.

Each function checks the habilitation itself (views and tasks cannot forget it), runs in one transaction
and raises ``ValidationError`` with a French message for a broken rule. Facts about the person are checked
on the usager (``policy.can``); what a team does in one ESMS is checked on the usager *and* the ESMS.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from annuaire.identifiants import erreur_rpps, normaliser
from dui import occurrences
from dui.models import Etablissement, Unite
from habilitations import policy
from habilitations.roles import Droit
from usagers.models import Usager
from usagers.selectors import exiger_sejour

from .models import (
    DEFINITIONS,
    PERTE_POIDS_ALERTE,
    Allergie,
    Antecedent,
    Constante,
    DossierSoins,
    Intervenant,
    Lecture,
    PriseDePoste,
    RealisationSoin,
    Recurrence,
    SeuilConstante,
    SoinPlanifie,
    StatutAllergies,
    StatutRealisation,
    Transmission,
    TypeConstante,
    Vaccination,
    format_valeur,
    poste_de,
)

REFUS = "Vous n'avez pas l'habilitation nécessaire."


def _exiger_usager(user, action: str, usager: Usager) -> None:
    if usager.organisme_id != getattr(user, "organisme_id", None) or not policy.can(user, action, usager):
        raise PermissionDenied(REFUS)


def _exiger_sur_etablissement(user, action: str, usager: Usager, etablissement: Etablissement) -> None:
    if not policy.can_dans_etablissement(user, action, usager, etablissement):
        raise PermissionDenied(REFUS)


def _pas_dans_le_futur(moment: datetime.datetime, champ: str) -> None:
    if moment > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({champ: "Cette date est dans le futur."})


# --- Dossier de soins ------------------------------------------------------------------------------------


def dossier_soins_de(usager: Usager) -> DossierSoins:
    """The person's dossier de soins (created empty on first use: every field has a default)."""
    dossier, _ = DossierSoins.objects.get_or_create(
        usager=usager, defaults={"organisme_id": usager.organisme_id}
    )
    return dossier


@transaction.atomic
def do_modifier_dossier_soins(auteur, dossier: DossierSoins) -> DossierSoins:
    _exiger_usager(auteur, Droit.SOINS_MODIFIER, dossier.usager)
    if dossier.regime == "autre" and not dossier.regime_precisions.strip():
        raise ValidationError({"regime_precisions": "Précisez le régime."})
    dossier.organisme_id = dossier.usager.organisme_id
    dossier.save()
    return dossier


@transaction.atomic
def do_ajouter_allergie(auteur, usager: Usager, allergie: Allergie) -> Allergie:
    _exiger_usager(auteur, Droit.SOINS_MODIFIER, usager)
    if not allergie.agent.strip():
        raise ValidationError({"agent": "Indiquez la substance, la classe ou l'aliment en cause."})
    if not allergie.reaction.strip():
        raise ValidationError({"reaction": "Décrivez la réaction observée."})
    if allergie.date_constat and allergie.date_constat > timezone.localdate():
        raise ValidationError({"date_constat": "Cette date est dans le futur."})
    allergie.usager, allergie.organisme_id, allergie.saisie_par = usager, usager.organisme_id, auteur
    allergie.agent = allergie.agent.strip()
    try:
        with transaction.atomic():
            allergie.save()
    except IntegrityError:
        raise ValidationError(
            {"agent": f"« {allergie.agent} » est déjà enregistré pour cette personne."}
        ) from None
    dossier = DossierSoins.objects.select_for_update().get(pk=dossier_soins_de(usager).pk)
    if dossier.statut_allergies != StatutAllergies.RENSEIGNEES:
        dossier.statut_allergies = StatutAllergies.RENSEIGNEES
        dossier.save(update_fields=["statut_allergies", "modifie_le"])
    return allergie


@transaction.atomic
def do_declarer_aucune_allergie(auteur, usager: Usager) -> DossierSoins:
    """ "Aucune allergie connue" is a statement, distinct from "not filled in" (the banner shows which)."""
    _exiger_usager(auteur, Droit.SOINS_MODIFIER, usager)
    dossier = DossierSoins.objects.select_for_update().get(pk=dossier_soins_de(usager).pk)
    if usager.allergies.filter(inactive_le__isnull=True).exists():
        raise ValidationError(
            "Des allergies actives sont enregistrées : désactivez-les d'abord (avec le motif) "
            "si elles sont erronées."
        )
    dossier.statut_allergies = StatutAllergies.AUCUNE
    dossier.save(update_fields=["statut_allergies", "modifie_le"])
    return dossier


@transaction.atomic
def do_desactiver_allergie(auteur, allergie: Allergie, motif: str) -> Allergie:
    _exiger_usager(auteur, Droit.SOINS_MODIFIER, allergie.usager)
    allergie = Allergie.objects.select_for_update().get(pk=allergie.pk)
    if allergie.inactive_le:
        raise ValidationError("Cette allergie est déjà désactivée.")
    if not motif.strip():
        raise ValidationError({"motif": "Indiquez pourquoi cette allergie n'est plus valable."})
    allergie.inactive_le, allergie.motif_cloture = timezone.now(), Allergie.motif_nettoye(motif)
    allergie.save()
    return allergie


@transaction.atomic
def do_ajouter_antecedent(auteur, usager: Usager, antecedent: Antecedent) -> Antecedent:
    _exiger_usager(auteur, Droit.MEDICAL_MODIFIER, usager)
    if not antecedent.libelle.strip():
        raise ValidationError({"libelle": "Indiquez l'antécédent ou le problème de santé."})
    antecedent.usager, antecedent.organisme_id, antecedent.saisi_par = usager, usager.organisme_id, auteur
    antecedent.code_cim10 = antecedent.code_cim10.strip().upper()
    antecedent.save()
    return antecedent


@transaction.atomic
def do_basculer_antecedent(auteur, antecedent: Antecedent) -> Antecedent:
    """Mark a problem resolved (or active again): never deleted."""
    _exiger_usager(auteur, Droit.MEDICAL_MODIFIER, antecedent.usager)
    antecedent.resolu = not antecedent.resolu
    antecedent.save(update_fields=["resolu", "modifie_le"])
    return antecedent


@transaction.atomic
def do_ajouter_vaccination(auteur, usager: Usager, vaccination: Vaccination) -> Vaccination:
    _exiger_usager(auteur, Droit.SOINS_MODIFIER, usager)
    if vaccination.date_vaccination > timezone.localdate():
        raise ValidationError({"date_vaccination": "Une vaccination ne peut pas être datée dans le futur."})
    vaccination.usager, vaccination.organisme_id, vaccination.saisie_par = usager, usager.organisme_id, auteur
    vaccination.save()
    return vaccination


@transaction.atomic
def do_ajouter_intervenant(auteur, usager: Usager, intervenant: Intervenant) -> Intervenant:
    _exiger_usager(auteur, Droit.SOINS_MODIFIER, usager)
    intervenant.usager, intervenant.organisme_id = usager, usager.organisme_id
    partenaire = intervenant.partenaire
    if partenaire is not None:
        if partenaire.organisme_id != usager.organisme_id or not partenaire.actif:
            raise ValidationError({"partenaire": "Choisissez un partenaire de l'annuaire."})
        intervenant.nom = intervenant.nom.strip() or partenaire.nom
        intervenant.specialite = intervenant.specialite or partenaire.specialite[:100]
        intervenant.telephone = intervenant.telephone or partenaire.telephone
        intervenant.rpps = intervenant.rpps or partenaire.rpps
        intervenant.adresse_mss = intervenant.adresse_mss or partenaire.mssante
    if not intervenant.nom.strip():
        raise ValidationError({"nom": "Indiquez le nom, ou choisissez l'intervenant dans l'annuaire."})
    intervenant.rpps = normaliser(intervenant.rpps)
    if intervenant.rpps and (message := erreur_rpps(intervenant.rpps)):
        raise ValidationError({"rpps": message})
    try:
        with transaction.atomic():
            intervenant.save()
    except IntegrityError:
        raise ValidationError(
            {"role": "Un médecin traitant est déjà enregistré : retirez-le d'abord."}
        ) from None
    return intervenant


@transaction.atomic
def do_retirer_intervenant(auteur, intervenant: Intervenant) -> Intervenant:
    _exiger_usager(auteur, Droit.SOINS_MODIFIER, intervenant.usager)
    intervenant.actif = False
    intervenant.save(update_fields=["actif", "modifie_le"])
    return intervenant


# --- Constantes ----------------------------------------------------------------------------------------------

Seuils = dict[str, tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]]


def seuils_de(usager: Usager) -> Seuils:
    """Alert thresholds per constante: the person's own, else the defaults (min, max, min_2, max_2)."""
    seuils: Seuils = {
        code: (d.seuils[0], d.seuils[1], d.seuils_2[0], d.seuils_2[1]) for code, d in DEFINITIONS.items()
    }
    for s in SeuilConstante.objects.filter(usager=usager):
        seuils[s.type_constante] = (s.minimum, s.maximum, s.minimum_2, s.maximum_2)
    return seuils


def _hors_seuils(libelle: str, valeur: Decimal, minimum, maximum, unite: str, decimales: int) -> str:
    if minimum is not None and valeur < minimum:
        return f"{libelle} {format_valeur(valeur, decimales)} {unite} < seuil {format_valeur(minimum, decimales)}"
    if maximum is not None and valeur > maximum:
        return f"{libelle} {format_valeur(valeur, decimales)} {unite} > seuil {format_valeur(maximum, decimales)}"
    return ""


def message_alerte(constante: Constante, seuils: Seuils, poids_precedent: Constante | None = None) -> str:
    """The alert raised by a measurement ("" when none): outside the person's thresholds; for the
    weight, a loss of 5 % or more within a month (dénutrition, HAS 2021)."""
    d = DEFINITIONS[constante.type_constante]
    minimum, maximum, minimum_2, maximum_2 = seuils[constante.type_constante]
    messages = [_hors_seuils(d.libelle, constante.valeur, minimum, maximum, d.unite, d.decimales)]
    if constante.valeur_2 is not None:
        messages.append(
            _hors_seuils(d.libelle_2, constante.valeur_2, minimum_2, maximum_2, d.unite, d.decimales)
        )
    if (
        constante.type_constante == TypeConstante.POIDS
        and poids_precedent is not None
        and poids_precedent.valeur
    ):
        perte = (poids_precedent.valeur - constante.valeur) / poids_precedent.valeur
        if perte >= PERTE_POIDS_ALERTE:
            messages.append(
                f"Perte de poids de {format_valeur(perte * 100, 1)} % depuis le "
                f"{timezone.localtime(poids_precedent.mesure_le):%d/%m/%Y} "
                f"({poids_precedent.affichage}) : risque de dénutrition"
            )
    return " · ".join(m for m in messages if m)[:300]


def _valider_valeurs(constante: Constante) -> None:
    d = DEFINITIONS.get(constante.type_constante)
    if d is None:
        raise ValidationError({"type_constante": "Constante inconnue."})
    bas, haut = d.plausible
    if constante.valeur is None or not (bas <= constante.valeur <= haut):
        raise ValidationError(
            {
                "valeur": f"{d.libelle} : la valeur doit être comprise entre "
                f"{format_valeur(bas, d.decimales)} et {format_valeur(haut, d.decimales)} "
                f"{d.unite}. Vérifiez la saisie."
            }
        )
    if d.plausible_2 is not None:
        bas2, haut2 = d.plausible_2
        if constante.valeur_2 is None:
            raise ValidationError({"valeur_2": f"Indiquez aussi la valeur {d.libelle_2.lower()}."})
        if not (bas2 <= constante.valeur_2 <= haut2):
            raise ValidationError(
                {
                    "valeur_2": f"{d.libelle_2} : la valeur doit être comprise entre "
                    f"{format_valeur(bas2, 0)} et {format_valeur(haut2, 0)} {d.unite}."
                }
            )
        if constante.valeur_2 >= constante.valeur:
            raise ValidationError({"valeur_2": "La diastolique doit être inférieure à la systolique."})
    else:
        constante.valeur_2 = None
    constante.valeur = constante.valeur.quantize(Decimal(1).scaleb(-d.decimales))


def _poids_un_mois_avant(usager: Usager, moment: datetime.datetime) -> Constante | None:
    """The last weight measured between 25 and 45 days before ``moment`` (the "one month" reference)."""
    return (
        Constante.objects.filter(
            usager=usager,
            type_constante=TypeConstante.POIDS,
            annulee_le__isnull=True,
            mesure_le__lte=moment - datetime.timedelta(days=25),
            mesure_le__gte=moment - datetime.timedelta(days=45),
        )
        .order_by("-mesure_le")
        .first()
    )


@transaction.atomic
def do_enregistrer_constantes(
    auteur, usager: Usager, etablissement: Etablissement, mesures: Iterable[Constante]
) -> list[Constante]:
    """Record measurements taken together (a round, or one person's entry); each gets its alert."""
    _exiger_sur_etablissement(auteur, Droit.SOINS_MODIFIER, usager, etablissement)
    mesures = list(mesures)
    if not mesures:
        raise ValidationError("Aucune valeur saisie.")
    seuils = seuils_de(usager)
    for mesure in mesures:
        _pas_dans_le_futur(mesure.mesure_le, "mesure_le")
        _valider_valeurs(mesure)
    exiger_sejour(usager, etablissement, timezone.localtime(mesures[0].mesure_le).date())
    for mesure in mesures:
        mesure.usager, mesure.etablissement, mesure.organisme_id, mesure.auteur = (
            usager,
            etablissement,
            usager.organisme_id,
            auteur,
        )
        precedent = (
            _poids_un_mois_avant(usager, mesure.mesure_le)
            if mesure.type_constante == TypeConstante.POIDS
            else None
        )
        mesure.alerte = message_alerte(mesure, seuils, precedent)
        mesure.save()
    return mesures


@transaction.atomic
def do_annuler_constante(auteur, constante: Constante, motif: str) -> Constante:
    if not policy.can_contenu(auteur, Droit.SOINS_MODIFIER, constante):
        raise PermissionDenied(REFUS)
    constante = Constante.objects.select_for_update().get(pk=constante.pk)
    if constante.annulee_le:
        raise ValidationError("Cette mesure est déjà annulée.")
    if not motif.strip():
        raise ValidationError({"motif": "Indiquez pourquoi la mesure est annulée (ex. erreur de saisie)."})
    constante.annulee_le, constante.motif_cloture = timezone.now(), Constante.motif_nettoye(motif)
    constante.save()
    return constante


@transaction.atomic
def do_modifier_seuils(
    auteur, usager: Usager, type_constante: str, minimum, maximum, minimum_2=None, maximum_2=None
) -> SeuilConstante:
    """The person's own thresholds: set by the médecin or an infirmier (``medical.voir`` and
    ``soins.modifier``), not by the other carers."""
    _exiger_usager(auteur, Droit.SOINS_MODIFIER, usager)
    _exiger_usager(auteur, Droit.MEDICAL_VOIR, usager)
    d = DEFINITIONS.get(type_constante)
    if d is None:
        raise ValidationError({"type_constante": "Constante inconnue."})
    for bas, haut, champ in ((minimum, maximum, "maximum"), (minimum_2, maximum_2, "maximum_2")):
        if bas is not None and haut is not None and bas >= haut:
            raise ValidationError({champ: "Le seuil haut doit être supérieur au seuil bas."})
    seuil, _ = SeuilConstante.objects.update_or_create(
        usager=usager,
        type_constante=type_constante,
        defaults={
            "organisme_id": usager.organisme_id,
            "minimum": minimum,
            "maximum": maximum,
            "minimum_2": minimum_2 if d.libelle_2 else None,
            "maximum_2": maximum_2 if d.libelle_2 else None,
            "modifie_par": auteur,
        },
    )
    return seuil


# --- Transmissions and the relève --------------------------------------------------------------------------


@transaction.atomic
def do_ecrire_transmission(auteur, transmission: Transmission) -> Transmission:
    usager, etablissement = transmission.usager, transmission.etablissement
    _exiger_sur_etablissement(auteur, Droit.SOINS_MODIFIER, usager, etablissement)
    _pas_dans_le_futur(transmission.ecrite_le, "ecrite_le")
    for champ in ("cible", "donnees", "actions", "resultats", "texte"):
        setattr(transmission, champ, getattr(transmission, champ).strip())
    if transmission.cible:
        if not transmission.donnees:
            raise ValidationError({"donnees": "Une transmission ciblée commence par les données observées."})
        transmission.texte = ""
    else:
        if transmission.donnees or transmission.actions or transmission.resultats:
            raise ValidationError(
                {"cible": "Indiquez la cible de cette transmission (ex. douleur, chute, alimentation)."}
            )
        if not transmission.texte:
            raise ValidationError({"texte": "La transmission est vide."})
    sejour = exiger_sejour(usager, etablissement, timezone.localtime(transmission.ecrite_le).date())
    transmission.poste, transmission.date_poste = poste_de(transmission.ecrite_le)
    transmission.unite = sejour.unite
    transmission.organisme_id, transmission.auteur = usager.organisme_id, auteur
    transmission.save()
    # The author has read what they wrote.
    Lecture.objects.create(organisme_id=usager.organisme_id, professionnel=auteur, transmission=transmission)
    return transmission


@transaction.atomic
def do_marquer_lu(
    user,
    *,
    transmissions: Iterable[int] = (),
    constantes: Iterable[int] = (),
    realisations: Iterable[int] = (),
    absences: Iterable[int] = (),
    sejours: Iterable[int] = (),
) -> int:
    """Read marks for items of the relève (ids the caller took from the user's own relève). Marking twice
    is harmless; an absence read again (it changed since) gets a fresh date."""
    maintenant = timezone.now()
    absences = list(absences)
    Lecture.objects.filter(professionnel=user, absence_id__in=absences).update(lu_le=maintenant)
    lignes = []
    for champ, ids in (
        ("transmission", transmissions),
        ("constante", constantes),
        ("realisation", realisations),
        ("absence", absences),
        ("sejour", sejours),
    ):
        lignes += [
            Lecture(
                organisme_id=user.organisme_id, professionnel=user, lu_le=maintenant, **{f"{champ}_id": i}
            )
            for i in ids
        ]
    Lecture.objects.bulk_create(lignes, ignore_conflicts=True)
    return len(lignes)


# The relève never goes back further than this (someone back from holidays reads the dossiers instead).
RELEVE_MAX = datetime.timedelta(days=3)
RELEVE_DEFAUT = datetime.timedelta(hours=24)


def do_prendre_poste(user, unite: Unite, maintenant: datetime.datetime | None = None) -> datetime.datetime:
    """Record that ``user`` works the current shift on ``unite``; return the start of their relève: the
    end of their previous shift (any unit), within the last three days; 24 hours when there is none."""
    from .models import bornes_poste

    maintenant = maintenant or timezone.now()
    poste, jour = poste_de(maintenant)
    # the current shift and the one before, in one read (every display of the relève comes here)
    dernieres = list(
        PriseDePoste.objects.filter(professionnel=user, date_poste__lte=jour)
        .only("date_poste", "poste", "debut")
        .order_by("-date_poste", "-debut")[:2]
    )
    if not any(p.date_poste == jour and p.poste == poste for p in dernieres):
        PriseDePoste.objects.get_or_create(
            professionnel=user,
            date_poste=jour,
            poste=poste,
            defaults={"organisme_id": user.organisme_id, "unite": unite, "debut": maintenant},
        )
    precedente = next((p for p in dernieres if (p.date_poste, p.poste) != (jour, poste)), None)
    if precedente is None:
        return maintenant - RELEVE_DEFAUT
    fin = bornes_poste(precedente.poste, precedente.date_poste)[1]
    return max(min(fin, maintenant), maintenant - RELEVE_MAX)


# --- Plan de soins -------------------------------------------------------------------------------------------


@transaction.atomic
def do_planifier_soin(auteur, soin: SoinPlanifie) -> SoinPlanifie:
    usager, etablissement = soin.usager, soin.etablissement
    _exiger_sur_etablissement(auteur, Droit.SOINS_MODIFIER, usager, etablissement)
    if not soin.heures:
        raise ValidationError({"heures": "Indiquez au moins une heure."})
    soin.heures = sorted(set(soin.heures))
    if soin.recurrence == Recurrence.JOURS_SEMAINE:
        if not soin.jours_semaine or any(j not in range(1, 8) for j in soin.jours_semaine):
            raise ValidationError({"jours_semaine": "Choisissez au moins un jour de la semaine."})
        soin.jours_semaine = sorted(set(soin.jours_semaine))
        soin.intervalle = 1
    elif soin.recurrence == Recurrence.TOUS_LES_N_JOURS:
        if not 2 <= (soin.intervalle or 0) <= 60:
            raise ValidationError({"intervalle": "Indiquez un intervalle entre 2 et 60 jours."})
        soin.jours_semaine = []
    else:
        soin.intervalle, soin.jours_semaine = 1, []
    if soin.date_fin and soin.date_fin < soin.date_debut:
        raise ValidationError({"date_fin": "La fin doit suivre le début."})
    exiger_sejour(usager, etablissement, max(soin.date_debut, timezone.localdate()))
    soin.organisme_id, soin.cree_par = usager.organisme_id, auteur
    soin.save()
    return soin


@transaction.atomic
def do_arreter_soin(auteur, soin: SoinPlanifie, motif: str) -> SoinPlanifie:
    if not policy.can_contenu(auteur, Droit.SOINS_MODIFIER, soin):
        raise PermissionDenied(REFUS)
    soin = SoinPlanifie.objects.select_for_update().get(pk=soin.pk)
    if soin.arrete_le:
        raise ValidationError("Ce soin est déjà arrêté.")
    if not motif.strip():
        raise ValidationError({"motif": "Indiquez pourquoi ce soin est arrêté."})
    soin.arrete_le, soin.arrete_par, soin.motif_cloture = (
        timezone.now(),
        auteur,
        SoinPlanifie.motif_nettoye(motif),
    )
    soin.save()
    return soin


# A care task may be validated on its day, or the day after (the night shift, a late entry); not later.
JOURS_DE_RETARD_ADMIS = 1


def _deja_note(realisation: RealisationSoin) -> ValidationError:
    auteur = realisation.auteur
    return occurrences.deja_note(realisation, f"{auteur.prenom} {auteur.nom}", realisation.realise_le)


@transaction.atomic
def do_valider_soin(
    auteur,
    soin: SoinPlanifie,
    jour: datetime.date,
    heure: datetime.time,
    statut: str,
    motif: str = "",
    precision: str = "",
    reporte_a: datetime.time | None = None,
    confirme: bool = False,
    maintenant: datetime.datetime | None = None,
    cle: str = "",
) -> RealisationSoin:
    """Fait / pas fait (with a reason) / reporté (to a time) for one occurrence of a care task. A postponed
    (or undone) task is later done or not done (the same row, its history keeps each step); a done or
    not-done task is final. Two carers at the same time: the database keeps one row, the second gets a clear
    message. "Fait" outside the task's window (``DUI_GARDES_HORAIRES``, by type of care, else "soin") needs
    ``confirme``, and the deviation is recorded."""
    if not policy.can_contenu(auteur, Droit.SOINS_MODIFIER, soin):
        raise PermissionDenied(REFUS)
    maintenant = maintenant or timezone.now()
    aujourd_hui = timezone.localdate(maintenant)
    if jour > aujourd_hui:
        raise ValidationError("Un soin ne peut pas être validé à l'avance.")
    if jour < aujourd_hui - datetime.timedelta(days=JOURS_DE_RETARD_ADMIS):
        raise ValidationError("Ce soin est trop ancien pour être validé : écrivez une transmission.")
    if heure not in soin.heures or not soin.prevu_le(jour):
        raise ValidationError("Ce soin n'est pas prévu à ce moment-là.")
    if statut not in StatutRealisation.values or statut == StatutRealisation.ANNULE:
        raise ValidationError("Choisissez fait, pas fait ou reporté.")
    occurrences.verifier_motif(
        statut == StatutRealisation.PAS_FAIT, motif, precision, "Indiquez pourquoi le soin n'a pas été fait."
    )
    if statut == StatutRealisation.REPORTE and reporte_a is None:
        raise ValidationError({"reporte_a": "Indiquez l'heure à laquelle le soin est reporté."})
    if statut != StatutRealisation.PAS_FAIT:
        motif = ""
    existante = (
        RealisationSoin.objects.select_for_update()
        .select_related("auteur")
        .filter(soin=soin, date_prevue=jour, heure_prevue=heure)
        .first()
    )
    if existante is not None and occurrences.rejouee(existante, cle):
        return existante  # sent again from a device's queue: already recorded
    ecart = None
    if statut == StatutRealisation.FAIT and (existante is None or existante.ouverte):
        attendu = heure
        if existante is not None and existante.statut == StatutRealisation.REPORTE and existante.reporte_a:
            attendu = existante.reporte_a
        ecart = occurrences.verifier_horaire(
            datetime.datetime.combine(jour, attendu, tzinfo=timezone.get_current_timezone()),
            maintenant,
            (soin.type_soin, "soin"),
            confirme,
            "Ce soin est prévu",
        )
    valeurs = {
        "statut": statut,
        "motif": motif,
        "precision": precision.strip()[:200],
        "reporte_a": reporte_a if statut == StatutRealisation.REPORTE else None,
        "auteur": auteur,
        "realise_le": maintenant,
        "ecart_confirme": ecart,
        "cle_idempotence": cle[:64],
    }
    return occurrences.enregistrer_validation(
        existante,
        reportee=lambda r: r.statut == StatutRealisation.REPORTE,
        valeurs=valeurs,
        nouvelle=lambda: RealisationSoin(
            organisme_id=soin.organisme_id,
            soin=soin,
            usager_id=soin.usager_id,
            etablissement_id=soin.etablissement_id,
            date_prevue=jour,
            heure_prevue=heure,
            **valeurs,
        ),
        relire=lambda: (
            RealisationSoin.objects.select_related("auteur")
            .filter(soin=soin, date_prevue=jour, heure_prevue=heure)
            .first()
        ),
        refus=_deja_note,
    )


def peut_corriger_tout(user, etablissement_id: int) -> bool:
    """A nurse (or a doctor) of the ESMS corrects any validation of a care task, with a reason."""
    return etablissement_id in policy.etablissements_autorises(
        user, Droit.SOINS_MODIFIER
    ) and etablissement_id in policy.etablissements_autorises(user, Droit.MEDICAL_VOIR)


@transaction.atomic
def do_corriger_soin(
    auteur, realisation: RealisationSoin, motif: str = "", maintenant: datetime.datetime | None = None
) -> RealisationSoin:
    """Undo the validation of a care task (done, not done, postponed): its author within
    ``DUI_FENETRE_CORRECTION_MINUTES`` in one tap, afterwards a nurse (care and medical rights in the ESMS)
    with a reason. The row becomes "annulé": the task is to do again; its history keeps what was noted."""
    if not policy.can_contenu(auteur, Droit.SOINS_MODIFIER, realisation):
        raise PermissionDenied(REFUS)
    realisation = (
        RealisationSoin.objects.select_for_update().select_related("auteur", "soin").get(pk=realisation.pk)
    )
    maintenant = maintenant or timezone.now()
    if realisation.date_prevue < timezone.localdate(maintenant) - datetime.timedelta(
        days=JOURS_DE_RETARD_ADMIS
    ):
        raise ValidationError(
            "Cette validation est trop ancienne pour être corrigée : écrivez une transmission."
        )
    occurrences.annuler_validation(
        realisation,
        auteur,
        motif,
        "realise_le",
        peut_corriger_tout=peut_corriger_tout(auteur, realisation.etablissement_id),
        maintenant=maintenant,
    )
    return realisation


# --- DLU ----------------------------------------------------------------------------------------------------


def do_demander_dlu(auteur, usager: Usager, etablissement: Etablissement):
    """A new version of the person's document de liaison d'urgence, rendered by a worker."""
    from documents.models import TypeDocument
    from documents.services import do_demander_generation

    _exiger_sur_etablissement(auteur, Droit.MEDICAL_VOIR, usager, etablissement)
    _exiger_sur_etablissement(auteur, Droit.DOCUMENTS_MODIFIER, usager, etablissement)
    exiger_sejour(usager, etablissement, timezone.localdate())
    dossier = dossier_soins_de(usager)
    return do_demander_generation(
        auteur,
        source=dossier,
        usager=usager,
        etablissement=etablissement,
        type_document=TypeDocument.DLU,
        categorie="medical",
        titre=f"Document de liaison d'urgence — {usager}",
        tache="soins.generer_dlu",
    )
