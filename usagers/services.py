"""Write paths of the dossier usager: creation (with the duplicate check), identity checks, traits."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from dui.history import update_with_history
from dui.models import Etablissement, JournalAcces, TypeAcces, Unite
from dui.queue import enqueue_on_commit, tenant_kwargs
from habilitations import policy
from habilitations.roles import Droit

from . import identite
from .models import MoyenTransition, Sejour, StatutIdentite, TransitionIdentite, Usager
from .selectors import doublons_probables

TRAITS_STRICTS = (
    "nom_naissance",
    "prenoms_naissance",
    "premier_prenom",
    "date_naissance",
    "sexe",
    "lieu_naissance_insee",
)


class DoublonProbable(ValidationError):
    """Raised when the traits resemble an existing usager and the user has not confirmed."""

    def __init__(self, doublons):
        self.doublons = doublons
        super().__init__(
            "Un dossier ressemblant existe déjà : vérifiez qu'il ne s'agit pas de la même personne."
        )


def verifier_rythme_controles(auteur) -> None:
    """The duplicate check reveals that a person exists: each hit is journaled (``usagers.doublons``), and
    a professional past ``DUI_DOUBLONS_PAR_HEURE`` hits in an hour is stopped (enumeration)."""
    depuis = timezone.now() - datetime.timedelta(hours=1)
    nombre = JournalAcces.objects.filter(
        organisme_id=auteur.organisme_id,
        professionnel=auteur,
        type_acces=TypeAcces.CONTROLE_DOUBLON,
        horodatage__gte=depuis,
    ).count()
    if nombre >= settings.DUI_DOUBLONS_PAR_HEURE:
        raise ValidationError(
            "Trop de contrôles de doublons en une heure : la création de dossiers est suspendue pour vous "
            "pendant une heure. Contactez la cellule d'identitovigilance si c'est une erreur."
        )


@dataclass
class Admission:
    etablissement: Etablissement
    mode_accueil: str
    date_entree: datetime.date
    unite: Unite | None = None
    chambre: str = ""
    provenance: str = ""


def _transition(
    auteur, usager: Usager, de: str, vers: str, moyen: str, type_document: str = "", commentaire: str = ""
) -> None:
    TransitionIdentite.objects.create(
        organisme_id=usager.organisme_id,
        usager=usager,
        de=de,
        vers=vers,
        moyen=moyen,
        type_document=type_document,
        commentaire=commentaire,
        auteur=auteur,
    )


@transaction.atomic
def do_creer_usager(auteur, usager: Usager, admission: Admission, confirmer_doublon: bool = False) -> Usager:
    """Create a dossier with its first séjour. A probable duplicate stops the creation unless the
    professional confirmed, after seeing the candidates, that it is another person."""
    if not policy.can(auteur, Droit.ADMINISTRATIF_MODIFIER, admission.etablissement):
        raise PermissionDenied("Vous n'êtes pas habilité(e) à créer un dossier dans cet établissement.")
    usager.organisme_id = auteur.organisme_id
    usager.statut_identite = StatutIdentite.PROVISOIRE
    usager.matricule_ins = ""
    usager.full_clean()
    if not confirmer_doublon:
        verifier_rythme_controles(auteur)
        doublons = list(doublons_probables(auteur.organisme_id, usager))
        if doublons:
            raise DoublonProbable(doublons)
    usager.save()
    sejour = Sejour(
        organisme_id=auteur.organisme_id,
        usager=usager,
        etablissement=admission.etablissement,
        unite=admission.unite,
        chambre=admission.chambre,
        mode_accueil=admission.mode_accueil,
        date_entree=admission.date_entree,
        provenance=admission.provenance,
    )
    sejour.full_clean()
    sejour.save()
    _transition(
        auteur,
        usager,
        "",
        StatutIdentite.PROVISOIRE,
        MoyenTransition.CREATION,
        commentaire="Doublon possible écarté par le professionnel" if confirmer_doublon else "",
    )
    return usager


@transaction.atomic
def do_verifier_document(auteur, usager: Usager, type_document: str, commentaire: str = "") -> str:
    """Record a high-trust document check (PROV → VALI, RECUP → QUAL)."""
    if not policy.can(auteur, Droit.ADMINISTRATIF_MODIFIER, usager):
        raise PermissionDenied
    usager = Usager.objects.select_for_update().get(pk=usager.pk)
    try:
        vers = identite.statut_apres_document(usager.statut_identite, type_document)
    except identite.TransitionRefusee as exc:
        raise ValidationError(str(exc)) from exc
    de = usager.statut_identite
    usager.statut_identite = vers
    usager.save(update_fields=["statut_identite", "modifie_le"])
    _transition(
        auteur,
        usager,
        de,
        vers,
        MoyenTransition.DOCUMENT,
        type_document=type_document,
        commentaire=commentaire,
    )
    return vers


@transaction.atomic
def do_enregistrer_ins(auteur, usager: Usager, *, matricule: str, oid: str, traits: dict) -> str:
    """Record an INS retrieved from INSi (reply 00): the INS traits replace the local ones, then
    PROV → RECUP or VALI → QUAL. If the INSi traits differ from those a document validated, the
    document no longer vouches for them: the status is RECUP, not QUAL."""
    if not policy.can(auteur, Droit.ADMINISTRATIF_MODIFIER, usager):
        raise PermissionDenied
    usager = Usager.objects.select_for_update().get(pk=usager.pk)
    de = usager.statut_identite
    traits_changes = any(getattr(usager, nom) != valeur for nom, valeur in traits.items())
    for nom, valeur in traits.items():
        if nom not in TRAITS_STRICTS:
            raise ValueError(f"Trait INS inconnu : {nom}")
        setattr(usager, nom, valeur)
    usager.matricule_ins = matricule
    usager.oid_ins = oid
    base = StatutIdentite.PROVISOIRE if traits_changes else de
    usager.statut_identite = identite.statut_apres_insi(base)
    usager.full_clean()
    usager.save()
    _transition(
        auteur,
        usager,
        de,
        usager.statut_identite,
        MoyenTransition.INSI,
        commentaire="Traits mis à jour depuis INSi" if traits_changes else "",
    )
    return usager.statut_identite


@transaction.atomic
def do_modifier_traits(auteur, usager: Usager, **traits) -> str:
    """Change strict traits: the identity goes back to PROV and loses its matricule (RNIV)."""
    if not policy.can(auteur, Droit.ADMINISTRATIF_MODIFIER, usager):
        raise PermissionDenied
    usager = Usager.objects.select_for_update().get(pk=usager.pk)
    changes = {nom: valeur for nom, valeur in traits.items() if getattr(usager, nom) != valeur}
    if any(nom not in TRAITS_STRICTS for nom in changes):
        raise ValueError("Seuls les traits stricts passent par ce service.")
    if not changes:
        return usager.statut_identite
    de = usager.statut_identite
    for nom, valeur in changes.items():
        setattr(usager, nom, valeur)
    usager.statut_identite = identite.statut_apres_modification_trait(de)
    usager.matricule_ins = ""
    usager.oid_ins = ""
    usager.full_clean()
    usager.save()
    _transition(
        auteur,
        usager,
        de,
        usager.statut_identite,
        MoyenTransition.MODIFICATION_TRAIT,
        commentaire="Traits modifiés : " + ", ".join(sorted(changes)),
    )
    return usager.statut_identite


# --- Administrative record -------------------------------------------------------------------------


def _exiger(user, usager: Usager, *actions: str) -> None:
    if not any(policy.can(user, action, usager) for action in actions):
        raise PermissionDenied("Vous n'êtes pas habilité(e) à modifier cette partie du dossier.")


def _enregistrer(obj) -> None:
    from django.db import IntegrityError

    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a concurrent edit won the race for a unique role
        raise ValidationError(
            "Un autre professionnel vient de modifier l'entourage : rechargez la page."
        ) from exc


def do_enregistrer_administratif(auteur, dossier) -> None:
    _exiger(auteur, dossier.usager, Droit.ADMINISTRATIF_MODIFIER)
    dossier.organisme_id = dossier.usager.organisme_id
    _enregistrer(dossier)


def do_enregistrer_proche(auteur, proche) -> None:
    _exiger(auteur, proche.usager, Droit.ADMINISTRATIF_MODIFIER, Droit.SOCIAL_MODIFIER)
    proche.organisme_id = proche.usager.organisme_id
    _enregistrer(proche)


def do_supprimer_proche(auteur, proche) -> None:
    _exiger(auteur, proche.usager, Droit.ADMINISTRATIF_MODIFIER, Droit.SOCIAL_MODIFIER)
    proche.delete()


def do_ajouter_mesure(auteur, mesure) -> None:
    _exiger(auteur, mesure.usager, Droit.ADMINISTRATIF_MODIFIER)
    mesure.organisme_id = mesure.usager.organisme_id
    _enregistrer(mesure)


def do_recueillir_consentement(auteur, consentement) -> None:
    _exiger(auteur, consentement.usager, Droit.ADMINISTRATIF_MODIFIER)
    consentement.organisme_id = consentement.usager.organisme_id
    consentement.recueilli_par = auteur
    _enregistrer(consentement)


# --- INSi --------------------------------------------------------------------------------------------


def traits_insi(traits) -> dict:
    """INSi reference traits → the Usager's strict trait fields, kept exactly as INSi returns them
    (RNIV: the INS traits replace the typed ones)."""
    prenoms = list(traits.prenoms)
    return {
        "nom_naissance": traits.nom_naissance.upper(),
        "prenoms_naissance": prenoms,
        "premier_prenom": prenoms[0] if prenoms else "",
        "date_naissance": traits.date_naissance,
        "sexe": traits.sexe,
        "lieu_naissance_insee": traits.lieu_naissance,
    }


def do_demander_insi(auteur, usager: Usager):
    """Record the lookup and hand it to a worker once the transaction commits."""
    from .models import AppelInsi

    _exiger(auteur, usager, Droit.ADMINISTRATIF_MODIFIER)
    appel = AppelInsi.objects.create(organisme_id=usager.organisme_id, usager=usager, demandeur=auteur)
    enqueue_on_commit("usagers.interroger_insi", str(appel.public_id), **tenant_kwargs(auteur))
    return appel


def do_relancer_insi(auteur, appel) -> None:
    """A failed lookup (service down) is relaunched from where it stopped."""
    from .models import StatutAppel

    _exiger(auteur, appel.usager, Droit.ADMINISTRATIF_MODIFIER)
    if appel.statut != StatutAppel.ECHEC:
        raise ValidationError("Seul un appel en échec peut être relancé.")
    appel.statut = StatutAppel.EN_ATTENTE
    appel.tentatives = 0
    appel.save(update_fields=["statut", "tentatives", "modifie_le"])
    enqueue_on_commit("usagers.interroger_insi", str(appel.public_id), **tenant_kwargs(auteur))


# --- Identitovigilance: merge ------------------------------------------------------------------------


@transaction.atomic
def do_fusionner(auteur, principal: Usager, doublon: Usager, request=None) -> Usager:
    """Merge ``doublon`` into ``principal``: séjours, entourage, protection, consents, identity history
    and INSi calls move to the principal; the duplicate stays (history kept) marked ``fusionne_dans``
    and disappears from search and lists. Requires the right to modify both dossiers."""
    from dui.audit import journaliser_acces
    from dui.models import TypeAcces

    from .models import AppelInsi, Consentement, DossierAdministratif, MesureProtection, Proche

    if principal.pk == doublon.pk or principal.organisme_id != doublon.organisme_id:
        raise ValidationError("Choisissez deux dossiers différents du même organisme.")
    for usager in (principal, doublon):
        _exiger(auteur, usager, Droit.ADMINISTRATIF_MODIFIER)
    principal, doublon = (Usager.objects.select_for_update().get(pk=u.pk) for u in (principal, doublon))
    if doublon.fusionne_dans_id or principal.fusionne_dans_id:
        raise ValidationError("L'un des deux dossiers a déjà été fusionné.")
    # The entourage moves without breaking its rules: the principal's personne de confiance is kept,
    # the duplicate's call orders go after the principal's.
    if Proche.objects.filter(usager=principal, personne_confiance=True).exists():
        update_with_history(
            Proche.objects.filter(usager=doublon, personne_confiance=True), personne_confiance=False
        )
    update_with_history(
        Proche.objects.filter(usager=doublon, a_prevenir=True), ordre_appel=models.F("ordre_appel") + 500
    )
    for modele in (Sejour, Proche, MesureProtection, Consentement, TransitionIdentite, AppelInsi):
        update_with_history(modele.objects.filter(usager=doublon), usager=principal)
    if not DossierAdministratif.objects.filter(usager=principal).exists():
        update_with_history(DossierAdministratif.objects.filter(usager=doublon), usager=principal)
    a_prevenir = list(
        Proche.objects.filter(usager=principal, a_prevenir=True).order_by("ordre_appel", "cree_le")
    )
    for rang, proche in enumerate(a_prevenir, start=1):  # first out of the way of the unique call order…
        update_with_history(Proche.objects.filter(pk=proche.pk), ordre_appel=1000 + rang)
    for rang, proche in enumerate(a_prevenir, start=1):  # …then 1, 2, 3 in the previous order
        update_with_history(Proche.objects.filter(pk=proche.pk), ordre_appel=rang)
    doublon.fusionne_dans = principal
    doublon.save(update_fields=["fusionne_dans", "modifie_le"])
    _transition(
        auteur,
        principal,
        principal.statut_identite,
        principal.statut_identite,
        MoyenTransition.FUSION,
        commentaire=f"Fusion du dossier {doublon} né(e) le {doublon.date_naissance:%d/%m/%Y} "
        f"({doublon.public_id})",
    )
    if request is not None:
        journaliser_acces(
            request, TypeAcces.ADMINISTRATION, principal, f"Fusion du doublon {doublon.public_id}"
        )
    return principal


# --- Presence ----------------------------------------------------------------------------------------


@transaction.atomic
def do_declarer_absence(auteur, absence) -> None:
    """Record an absence inside its séjour, refusing overlaps (the séjour row is locked, so two
    professionals declaring at the same time cannot both create overlapping periods)."""
    from .models import Absence

    sejour = Sejour.objects.select_for_update().get(pk=absence.sejour_id)
    _exiger(auteur, sejour.usager, Droit.ADMINISTRATIF_MODIFIER, Droit.SOINS_MODIFIER)
    if not any(
        sejour.etablissement_id in policy.etablissements_autorises(auteur, action)
        for action in (Droit.ADMINISTRATIF_MODIFIER, Droit.SOINS_MODIFIER)
    ):  # a person followed in two ESMS: the team of one does not write on the other's séjour
        raise PermissionDenied("Vous n'êtes pas habilité(e) à déclarer une absence sur ce séjour.")
    absence.organisme_id = sejour.organisme_id
    absence.full_clean()
    if absence.debut < sejour.date_entree or (sejour.date_sortie and absence.debut > sejour.date_sortie):
        raise ValidationError({"debut": "L'absence doit commencer pendant le séjour."})
    if sejour.date_sortie and (absence.fin is None or absence.fin > sejour.date_sortie):
        raise ValidationError({"fin": "L'absence doit finir avant la sortie du séjour."})
    chevauche = (
        Absence.objects.filter(sejour=sejour)
        .exclude(pk=absence.pk)
        .filter(Q(fin__isnull=True) | Q(fin__gte=absence.debut))
    )
    if absence.fin is not None:
        chevauche = chevauche.filter(debut__lte=absence.fin)
    if chevauche.exists():
        raise ValidationError("Cette période chevauche une absence déjà déclarée pour ce séjour.")
    absence.save()


@transaction.atomic
def do_cloturer_sejour(auteur, sejour: Sejour, *, date_sortie, motif: str, destination: str = "") -> Sejour:
    """Record the exit (date, reason, destination). An open absence ends with the séjour."""
    from .models import Absence

    sejour = Sejour.objects.select_for_update().select_related("usager").get(pk=sejour.pk)
    _exiger(auteur, sejour.usager, Droit.ADMINISTRATIF_MODIFIER)
    if not policy.can(auteur, Droit.ADMINISTRATIF_MODIFIER, sejour.etablissement):
        raise PermissionDenied("Vous n'êtes pas habilité(e) dans l'établissement de ce séjour.")
    if sejour.date_sortie:
        raise ValidationError("Ce séjour est déjà clos.")
    if not motif.strip():
        raise ValidationError({"motif_sortie": "Indiquez le motif de sortie."})
    sejour.date_sortie, sejour.motif_sortie, sejour.destination = (
        date_sortie,
        motif.strip(),
        destination.strip(),
    )
    sejour.full_clean()
    if Absence.objects.filter(sejour=sejour, debut__gt=date_sortie).exists():
        raise ValidationError({"date_sortie": "Une absence déclarée commence après cette date de sortie."})
    sejour.save()
    update_with_history(Absence.objects.filter(sejour=sejour, fin__isnull=True), fin=date_sortie)
    return sejour


@transaction.atomic
def do_transferer(
    auteur,
    sejour: Sejour,
    *,
    etablissement,
    date_transfert,
    unite=None,
    chambre: str = "",
    mode_accueil: str = "",
) -> Sejour:
    """Transfer to another ESMS of the organisme: the séjour closes the day before, a new one opens;
    the dossier (identity, entourage, history) is the same record."""
    if etablissement.organisme_id != sejour.organisme_id or etablissement.pk == sejour.etablissement_id:
        raise ValidationError({"etablissement": "Choisissez un autre établissement de l'organisme."})
    if not policy.can(auteur, Droit.ADMINISTRATIF_MODIFIER, etablissement):
        raise PermissionDenied("Vous n'êtes pas habilité(e) dans l'établissement d'accueil.")
    if unite is not None and unite.etablissement_id != etablissement.pk:
        raise ValidationError({"unite": "Cette unité n'appartient pas à l'établissement d'accueil."})
    if date_transfert <= sejour.date_entree:
        raise ValidationError({"date_transfert": "Le transfert doit suivre l'entrée dans le séjour actuel."})
    do_cloturer_sejour(
        auteur,
        sejour,
        date_sortie=date_transfert - datetime.timedelta(days=1),
        motif="Transfert",
        destination=str(etablissement),
    )
    nouveau = Sejour(
        organisme_id=sejour.organisme_id,
        usager=sejour.usager,
        etablissement=etablissement,
        unite=unite,
        chambre=chambre,
        mode_accueil=mode_accueil or sejour.mode_accueil,
        date_entree=date_transfert,
        provenance=f"Transfert depuis {sejour.etablissement}",
    )
    nouveau.full_clean()
    nouveau.save()
    return nouveau


def do_changer_photo(auteur, usager: Usager, fichier) -> None:
    """A JPEG or PNG photo (checked by decoding it), at most 5 MB, stored under a random name."""
    import uuid

    from PIL import Image, UnidentifiedImageError

    _exiger(auteur, usager, Droit.ADMINISTRATIF_MODIFIER)
    if fichier.size > 5 * 1024 * 1024:
        raise ValidationError("La photo dépasse 5 Mo.")
    try:
        image = Image.open(fichier)
        image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError("Ce fichier n'est pas une image lisible.") from exc
    if image.format not in ("JPEG", "PNG"):
        raise ValidationError("Formats acceptés : JPEG ou PNG.")
    fichier.seek(0)
    extension = "jpg" if image.format == "JPEG" else "png"
    if usager.photo:
        usager.photo.delete(save=False)
    usager.photo.save(f"{usager.organisme_id}/{uuid.uuid4()}.{extension}", fichier, save=False)
    usager.save(update_fields=["photo", "modifie_le"])


@transaction.atomic
def do_corriger_identite(auteur, usager: Usager, donnees: dict) -> str:
    """Identity correction from the form: usage names change freely; a change to a strict trait goes
    through ``do_modifier_traits`` (back to PROV, matricule dropped, transition traced)."""
    _exiger(auteur, usager, Droit.ADMINISTRATIF_MODIFIER)
    usage = {k: donnees[k] for k in ("nom_usage", "prenom_utilise") if k in donnees}
    stricts = {k: donnees[k] for k in TRAITS_STRICTS if k in donnees}
    statut = do_modifier_traits(auteur, usager, **stricts)
    usager = Usager.objects.get(pk=usager.pk)
    if any(getattr(usager, k) != v for k, v in usage.items()):
        for k, v in usage.items():
            setattr(usager, k, v)
        usager.full_clean()
        usager.save()
    return statut
