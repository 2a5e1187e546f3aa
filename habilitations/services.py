"""Write paths of the habilitations app (one transaction each, history through the acting user)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from dui.audit import journaliser_acces
from dui.models import Etablissement, OrganismeGestionnaire, TypeAcces, etablissement_id_of
from dui.tenancy import auth_lookup, tenant_context

from . import policy
from .access import professionnel
from .models import (
    BrisDeGlace,
    EvenementAuthentification,
    Habilitation,
    PolitiquePSC,
    Professionnel,
    TypeEvenementAuth,
)
from .roles import Categorie


def _exiger_admin_organisme(admin: Professionnel) -> None:
    if not (admin.is_authenticated and admin.est_admin_organisme and admin.organisme_id):
        raise PermissionDenied("Réservé aux administrateurs de l'organisme.")


@transaction.atomic
def do_creer_organisme(
    admin_plateforme: Professionnel,
    *,
    raison_sociale: str,
    finess_juridique: str,
    siren: str,
    admin_email: str,
    admin_nom: str,
    admin_prenom: str,
    admin_mot_de_passe: str,
) -> tuple[OrganismeGestionnaire, Professionnel]:
    """A platform administrator creates a tenant and its first OG administrator."""
    if not admin_plateforme.est_admin_plateforme:
        raise PermissionDenied("Réservé aux administrateurs de la plateforme.")
    organisme = OrganismeGestionnaire(
        raison_sociale=raison_sociale, finess_juridique=finess_juridique, siren=siren
    )
    organisme.full_clean()
    organisme.save()
    with tenant_context(organisme.pk):
        admin = Professionnel(
            organisme=organisme,
            email=admin_email.strip().lower(),
            nom=admin_nom,
            prenom=admin_prenom,
            est_admin_organisme=True,
        )
        validate_password(admin_mot_de_passe, admin)
        admin.set_password(admin_mot_de_passe)
        admin.doit_changer_mot_de_passe = True
        admin.full_clean(exclude=["password"])
        admin.save()
    return organisme, admin


def do_creer_professionnel(admin: Professionnel, *, mot_de_passe: str, **champs: Any) -> Professionnel:
    _exiger_admin_organisme(admin)
    pro = Professionnel(organisme_id=admin.organisme_id, **champs)
    pro.email = pro.email.strip().lower()
    validate_password(mot_de_passe, pro)
    pro.set_password(mot_de_passe)
    pro.doit_changer_mot_de_passe = True  # the administrator knows it: the professional replaces it
    pro.mot_de_passe_temporaire_expire_le = _expiration_temporaire()
    pro.full_clean(exclude=["password"])
    with auth_lookup():  # the e-mail is unique across tenants: the uniqueness check must see them all
        if Professionnel.objects.filter(email__iexact=pro.email).exists():
            raise ValidationError({"email": "Un compte existe déjà avec cette adresse e-mail."})
    pro.save()
    return pro


def _expiration_temporaire() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.DUI_MOT_DE_PASSE_TEMPORAIRE_HEURES)


def do_emettre_code_enrolement(admin: Professionnel, pro: Professionnel, request: HttpRequest) -> str:
    """A one-time code for ``pro`` to enrol a (new) second factor; the previous one stops working."""
    _exiger_admin_organisme(admin)
    if pro.organisme_id != admin.organisme_id:
        raise PermissionDenied
    from .auth import emettre_code_enrolement

    code = emettre_code_enrolement(pro)
    journaliser_acces(
        request, TypeAcces.ADMINISTRATION, pro, f"Code d'enrôlement du second facteur émis pour {pro}"
    )
    return code


def do_modifier_professionnel(admin: Professionnel, pro: Professionnel, **champs: Any) -> Professionnel:
    _exiger_admin_organisme(admin)
    # as stored: a ModelForm has already copied its fields onto ``pro``
    rpps_avant = Professionnel.objects.filter(pk=pro.pk).values_list("rpps", flat=True).first()
    for nom, valeur in champs.items():
        setattr(pro, nom, valeur)
    if pro.rpps != rpps_avant:  # another national identifier: the Pro Santé Connect link no longer holds
        pro.psc_sub, pro.psc_lie_le = "", None
    pro.full_clean(exclude=["password", "email"])
    pro.save()
    return pro


def do_enregistrer_politique_psc(
    admin: Professionnel, exigences: dict[str, str], reauth_bris_de_glace_minutes: int | None
) -> PolitiquePSC:
    """The organisme's Pro Santé Connect rule (its administrator only), kept in its history."""
    _exiger_admin_organisme(admin)
    organisme_id: int = admin.organisme_id  # type: ignore[assignment]  # checked by _exiger_admin_organisme
    politique = PolitiquePSC.objects.filter(organisme_id=organisme_id).first() or PolitiquePSC(
        organisme_id=organisme_id
    )
    politique.exigences = dict(exigences)
    politique.reauth_bris_de_glace_minutes = reauth_bris_de_glace_minutes
    politique.full_clean(exclude=["organisme"])
    politique.save()
    return politique


def do_desactiver_professionnel(
    admin: Professionnel, pro: Professionnel, request: HttpRequest | None = None
) -> None:
    """Deactivate an account: its sessions end at the next request (``EmailBackend.get_user`` only
    returns active accounts) and it can no longer log in."""
    _exiger_admin_organisme(admin)
    if pro.pk == admin.pk:
        raise ValidationError("Vous ne pouvez pas désactiver votre propre compte.")
    pro.is_active = False
    pro.desactive_le = timezone.now()
    pro.save(update_fields=["is_active", "desactive_le"])
    if request is not None:
        from .auth import client_ip

        EvenementAuthentification.objects.create(
            organisme_id=pro.organisme_id,
            professionnel=pro,
            email_saisi=pro.email,
            type_evenement=TypeEvenementAuth.COMPTE_DESACTIVE,
            adresse_ip=client_ip(request),
        )


def do_reactiver_professionnel(admin: Professionnel, pro: Professionnel) -> None:
    _exiger_admin_organisme(admin)
    pro.is_active = True
    pro.desactive_le = None
    pro.save(update_fields=["is_active", "desactive_le"])


def do_ajouter_habilitation(
    admin: Professionnel,
    pro: Professionnel,
    etablissement: Etablissement,
    role: str,
    debut: datetime.date,
    fin: datetime.date | None = None,
    *,
    request: HttpRequest,
) -> Habilitation:
    _exiger_admin_organisme(admin)
    assert admin.organisme_id is not None  # _exiger_admin_organisme
    hab = Habilitation(
        organisme_id=admin.organisme_id,
        professionnel=pro,
        etablissement=etablissement,
        role=role,
        debut=debut,
        fin=fin,
    )
    hab.full_clean()
    hab.save()
    journaliser_acces(
        request,
        TypeAcces.ADMINISTRATION,
        pro,
        f"Habilitation ajoutée pour {pro} : {hab.get_role_display()} à {etablissement.nom}",
        etablissement_id=etablissement.pk,
    )
    return hab


def do_terminer_habilitation(
    admin: Professionnel, hab: Habilitation, fin: datetime.date | None = None, *, request: HttpRequest
) -> None:
    _exiger_admin_organisme(admin)
    fin = fin or timezone.localdate()
    hab.fin = max(fin, hab.debut)
    hab.save(update_fields=["fin", "modifie_le"])
    journaliser_acces(
        request,
        TypeAcces.ADMINISTRATION,
        hab.professionnel,
        f"Habilitation terminée le {hab.fin:%d/%m/%Y} pour {hab.professionnel} : {hab.get_role_display()}",
        etablissement_id=hab.etablissement_id,
    )


def _libelle_exception(nature: str, categorie: str, pro: Professionnel, obj: Any) -> str:
    verbe = "refus" if nature == "refuser" else "accord"
    return f"Exception ({verbe}, {Categorie(categorie).label}) pour {pro} sur {obj}"


def do_definir_exception(
    admin: Professionnel, pro: Professionnel, obj: Any, categorie: str, nature: str, *, request: HttpRequest
) -> None:
    """Add an object-level DENY (``refuser``) or GRANT (``accorder``) for one category."""
    _exiger_admin_organisme(admin)
    if nature not in ("refuser", "accorder") or categorie not in Categorie.values:
        raise ValidationError("Exception inconnue.")
    if obj.organisme_id != admin.organisme_id or pro.organisme_id != admin.organisme_id:
        raise PermissionDenied
    assign_perm(f"{nature}_{categorie}", pro, obj)
    journaliser_acces(
        request, TypeAcces.ADMINISTRATION, obj, "Ajout : " + _libelle_exception(nature, categorie, pro, obj)
    )


def do_retirer_exception(
    admin: Professionnel, pro: Professionnel, obj: Model, categorie: str, nature: str, *, request: HttpRequest
) -> None:
    _exiger_admin_organisme(admin)
    if getattr(obj, "organisme_id", None) != admin.organisme_id:
        raise PermissionDenied
    remove_perm(f"{nature}_{categorie}", pro, obj)
    journaliser_acces(
        request, TypeAcces.ADMINISTRATION, obj, "Retrait : " + _libelle_exception(nature, categorie, pro, obj)
    )


def do_ouvrir_bris_de_glace(request: HttpRequest, obj: Any, motif: str) -> BrisDeGlace:
    """Open an exceptional, time-limited consultation access to ``obj``, journaled and queued for review."""
    user = professionnel(request)
    motif = (motif or "").strip()
    if len(motif) < 20:
        raise ValidationError({"motif": "Le motif doit compter au moins 20 caractères."})
    if obj.organisme_id != user.organisme_id or not policy.roles_par_etablissement(user):
        raise PermissionDenied("Accès exceptionnel impossible : aucune habilitation active.")
    if not policy.categories_bris_de_glace(user):
        raise PermissionDenied("Accès exceptionnel impossible : aucune catégorie de données consultable.")
    maintenant = timezone.now()
    # reviewed by the direction of the target's single ESMS (an ESMS, or a person followed in one); by the
    # DPO when there is none (a person followed in two ESMS, or in none any more)
    bdg = BrisDeGlace.objects.create(  # type: ignore[misc]
        organisme_id=user.organisme_id,
        professionnel=user,
        etablissement_id=etablissement_id_of(obj),
        objet_type=obj._meta.label_lower,
        objet_id=obj.public_id,
        objet_libelle=str(obj)[:255],
        motif=motif,
        debut=maintenant,
        expire_le=maintenant + datetime.timedelta(hours=settings.DUI_BREAK_GLASS_HOURS),
    )
    journaliser_acces(request, TypeAcces.BRIS_DE_GLACE, obj, f"Bris de glace : {motif}"[:255])
    policy.oublier(user)  # what was decided earlier in this request no longer holds
    return bdg


def do_revoir_bris_de_glace(relecteur: Professionnel, bdg: BrisDeGlace, avis: str, commentaire: str) -> None:
    if bdg.professionnel_id == relecteur.pk:
        raise ValidationError("Un accès exceptionnel ne peut pas être revu par la personne qui l'a ouvert.")
    if avis not in ("justifie", "injustifie"):
        raise ValidationError({"avis": "Choisissez « justifié » ou « non justifié »."})
    bdg.revu_par = relecteur
    bdg.revu_le = timezone.now()
    bdg.avis_revue = avis
    bdg.commentaire_revue = commentaire.strip()
    bdg.save(update_fields=["revu_par", "revu_le", "avis_revue", "commentaire_revue", "modifie_le"])


def do_changer_mot_de_passe(user: Professionnel, nouveau: str) -> None:
    if user.check_password(nouveau):
        raise ValidationError("Le nouveau mot de passe doit différer de l'actuel.")
    validate_password(nouveau, user)
    user.set_password(nouveau)
    user.doit_changer_mot_de_passe = False
    user.mot_de_passe_temporaire_expire_le = None
    with auth_lookup():
        user.save(
            update_fields=["password", "doit_changer_mot_de_passe", "mot_de_passe_temporaire_expire_le"]
        )


def do_reinitialiser_mot_de_passe(
    admin: Professionnel, pro: Professionnel, request: HttpRequest, temporaire: str
) -> None:
    """An OG administrator sets a temporary password; the professional must replace it at next login."""
    _exiger_admin_organisme(admin)
    validate_password(temporaire, pro)
    pro.set_password(temporaire)
    pro.doit_changer_mot_de_passe = True
    pro.mot_de_passe_temporaire_expire_le = _expiration_temporaire()
    pro.save(update_fields=["password", "doit_changer_mot_de_passe", "mot_de_passe_temporaire_expire_le"])
    journaliser_acces(request, TypeAcces.ADMINISTRATION, pro, f"Mot de passe réinitialisé pour {pro}")


def do_reinitialiser_second_facteur(admin: Professionnel, pro: Professionnel, request: HttpRequest) -> str:
    """Lost phone: the TOTP device and recovery codes are replaced by an unconfirmed device; the professional
    enrols it at next login with the one-time code returned here (the password alone is not enough)."""
    _exiger_admin_organisme(admin)
    code = do_emettre_code_enrolement(admin, pro, request)
    journaliser_acces(request, TypeAcces.ADMINISTRATION, pro, f"Second facteur réinitialisé pour {pro}")
    return code
