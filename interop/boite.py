"""MSSanté inbox, business side: the relève of each ESMS's mailbox (worker), and what professionals do with a
received message — file it in a dossier (through the gestion documentaire) or set it aside with a reason.

A message is stored with its raw content in the transaction that advances the mailbox's last UID: a worker
killed in the middle reads the message again next time and recognises it by its Message-ID."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dui.models import Etablissement
from dui.transport import EchecDefinitif, EchecTemporaire
from habilitations import policy
from habilitations.roles import Droit

from . import reception
from .models import (
    BoiteMssante,
    Envoi,
    MessageRecu,
    NatureMessage,
    ReleveMssante,
    StatutEnvoi,
    StatutMessage,
    TypeEnvoi,
)
from .mssante import adresse_mssante_valide

logger = logging.getLogger(__name__)


def transport() -> reception.ImapTransport:
    return reception.ImapTransport(
        settings.DUI_MSS_IMAP_HOTE,
        settings.DUI_MSS_IMAP_PORT,
        certificat=settings.DUI_MSS_IMAP_CERT,
        cle=settings.DUI_MSS_IMAP_KEY,
        ca=settings.DUI_MSS_CA,
        timeout=settings.DUI_ENVOI_TIMEOUT,
    )


# --- the relève (worker side) ------------------------------------------------------------------------------


def relever(organisme_id: int, etablissement_id: int | None = None) -> dict[str, int]:
    """Read the new messages of the organisme's active mailboxes (one ESMS's with ``etablissement_id``)."""
    from dui.history import reset_actor, set_actor
    from dui.tenancy import tenant_context

    bilan = {"messages": 0, "deja_lus": 0, "erreurs": 0}
    with tenant_context(organisme_id):
        qs = BoiteMssante.objects.filter(organisme_id=organisme_id, active=True).order_by("id")
        if etablissement_id:
            qs = qs.filter(etablissement_id=etablissement_id)
        boites = list(qs)
    jeton = set_actor(None)
    try:
        for boite in boites:
            _relever_boite(organisme_id, boite, bilan)
    finally:
        reset_actor(jeton)
    return bilan


def _relever_boite(organisme_id: int, boite: BoiteMssante, bilan: dict[str, int]) -> None:
    from dui.tenancy import tenant_context

    with tenant_context(organisme_id):
        etat, _ = ReleveMssante.objects.get_or_create(organisme_id=organisme_id, boite=boite)
    erreur = ""
    lus: list[int] = []
    try:
        with transport() as t:
            validite = t.ouvrir(boite.adresse)
            if validite != etat.uid_validity:  # the server renumbered: start again, what is stored is known
                etat.uid_validity, etat.dernier_uid = validite, 0
            with tenant_context(
                organisme_id
            ):  # a run killed before its end stored messages: go on after them
                deja = MessageRecu.objects.filter(boite=boite, uid_validity=validite).aggregate(m=Max("uid"))[
                    "m"
                ]
            depart = max(etat.dernier_uid, deja or 0)
            for uid, brut in t.nouveaux(depart, settings.DUI_MSS_IMAP_LOT):
                with tenant_context(organisme_id):  # one transaction per message: the message and its file
                    cree = enregistrer(boite, validite, uid, brut)
                bilan["messages" if cree else "deja_lus"] += 1
                etat.dernier_uid = uid
                lus.append(uid)
            t.marquer_lus(lus)
    except (EchecTemporaire, EchecDefinitif) as exc:
        erreur = str(exc)[:500]
        bilan["erreurs"] += 1
    with tenant_context(organisme_id):
        etat.releve_le, etat.derniere_erreur = timezone.now(), erreur
        etat.save()


def enregistrer(boite: BoiteMssante, uid_validity: int, uid: int, brut: bytes) -> MessageRecu | None:
    """Store one message read from the mailbox (``None``: already stored under its Message-ID)."""
    if MessageRecu.objects.filter(boite=boite, uid_validity=uid_validity, uid=uid).exists():
        return None
    lu = reception.lire(brut)
    if lu.message_id and MessageRecu.objects.filter(boite=boite, message_id=lu.message_id).exists():
        return None
    message = MessageRecu(
        organisme_id=boite.organisme_id,
        etablissement_id=boite.etablissement_id,
        boite=boite,
        uid_validity=uid_validity,
        uid=uid,
        message_id=lu.message_id,
        expediteur=lu.expediteur,
        sujet=lu.sujet,
        envoye_le=lu.date,
        recu_le=timezone.now(),
        texte=lu.texte,
        taille=len(brut),
        pieces=[{"nom": p.nom, "type": p.type_mime, "taille": len(p.contenu)} for p in lu.pieces],
        nature=lu.nature,
        erreur=lu.erreur_xdm[:500],
    )
    if lu.xdm is not None:
        message.ins, message.oid_ins = lu.xdm.ins, lu.xdm.oid_ins
        message.titre_document, message.code_type = lu.xdm.titre, lu.xdm.code_type
        message.usager_propose = personne_de_l_ins(boite.organisme_id, lu.xdm.ins, lu.xdm.oid_ins)
    if lu.nature != NatureMessage.DOCUMENT:
        envoi = _rattacher(boite.organisme_id, lu)
        if envoi is not None:
            message.envoi, message.statut = envoi, StatutMessage.RATTACHE
    message.brut.save("message.eml", ContentFile(brut), save=False)  # named by chemin_message
    try:
        with transaction.atomic():
            message.save()
    except BaseException:
        message.brut.delete(save=False)
        raise
    return message


def personne_de_l_ins(organisme_id: int, ins: str, oid: str):
    """The dossier of the organisme whose qualified identity carries this INS (none when unknown or when
    two dossiers carry it — a duplicate to merge, a human decides)."""
    from usagers.models import StatutIdentite, Usager

    if not ins:
        return None
    trouves = list(
        Usager.objects.filter(
            organisme_id=organisme_id,
            matricule_ins=ins,
            oid_ins=oid,
            statut_identite=StatutIdentite.QUALIFIEE,
            fusionne_dans__isnull=True,
        )[:2]
    )
    return trouves[0] if len(trouves) == 1 else None


def _rattacher(organisme_id: int, lu: reception.MessageLu) -> Envoi | None:
    """A read receipt or a delivery report on the exchange whose Message-ID it names."""
    if not lu.message_id_original:
        return None
    envoi = (
        Envoi.objects.select_for_update()
        .filter(organisme_id=organisme_id, type_envoi=TypeEnvoi.MSSANTE, message_id=lu.message_id_original)
        .first()
    )
    if envoi is None:
        return None
    quand = lu.date or timezone.now()
    if lu.nature == NatureMessage.ACCUSE_LECTURE:
        envoi.lu_le = envoi.lu_le or quand
        envoi.remis_le = envoi.remis_le or quand
        envoi.reponse = f"Lu par le destinataire ({lu.diagnostic or 'accusé de lecture'})"[:300]
    elif lu.nature == NatureMessage.AVIS_REMISE:
        envoi.remis_le = envoi.remis_le or quand
        envoi.reponse = "Remis dans la boîte du destinataire"
    else:
        envoi.statut = StatutEnvoi.ECHEC
        envoi.derniere_erreur = (
            f"Non distribué par la messagerie du destinataire ({lu.diagnostic or 'sans détail'})."
        )[:500]
    envoi.save()
    return envoi


# --- what professionals do ---------------------------------------------------------------------------------


def boites_lisibles(user) -> list[int]:
    """The ESMS whose received messages the user may read: those where they file documents and read medical
    data (médecin, médecin coordonnateur, infirmier). MSSanté is the health professionals' mail: a message
    not yet filed may hold anything medical; once filed, its document's category decides who reads it."""
    return sorted(
        policy.etablissements_autorises(user, Droit.DOCUMENTS_MODIFIER)
        & policy.etablissements_autorises(user, Droit.MEDICAL_VOIR)
    )


def messages_visibles(user):
    return MessageRecu.objects.filter(
        organisme_id=user.organisme_id, etablissement_id__in=boites_lisibles(user)
    ).select_related("etablissement", "usager_propose", "usager", "envoi", "traite_par")


def _exiger_a_classer(message: MessageRecu) -> MessageRecu:
    verrouille = MessageRecu.objects.select_for_update().get(pk=message.pk)
    if verrouille.statut != StatutMessage.A_CLASSER:
        raise ValidationError(f"Ce message est déjà traité ({verrouille.get_statut_display().lower()}).")
    return verrouille


def pieces_a_classer(message: MessageRecu) -> list[reception.Piece]:
    """The PDFs the message brings (attached, or the CDA's own PDF when only the XDM archive came)."""
    lu = reception.lire(lire_brut(message))
    if lu.pdfs:
        return lu.pdfs
    if lu.xdm is not None and lu.xdm.pdf_cda:
        return [reception.Piece("document.pdf", "application/pdf", lu.xdm.pdf_cda)]
    return []


def lire_brut(message: MessageRecu) -> bytes:
    with message.brut.open("rb") as f:
        return f.read()


def do_classer(user, message: MessageRecu, *, usager, classe, titre: str = "") -> list:
    """File the message's PDF(s) in the person's dossier, in the séjour of the message's ESMS, as documents
    of the chosen type (the gestion documentaire checks the rights). The message keeps the link."""
    from documents.services import do_deposer
    from usagers.models import Sejour

    if message.etablissement_id not in boites_lisibles(user):
        raise PermissionDenied
    if usager is None or usager.organisme_id != user.organisme_id:
        raise ValidationError(
            {"usager": "Choisissez la personne dans le dossier de laquelle classer le message."}
        )
    if not policy.can_dans_etablissement(user, Droit.DOCUMENTS_MODIFIER, usager, message.etablissement):
        raise PermissionDenied  # a person the user does not follow in the message's ESMS
    with transaction.atomic():
        message = _exiger_a_classer(message)
        sejour = (
            Sejour.objects.filter(
                organisme_id=user.organisme_id, usager=usager, etablissement_id=message.etablissement_id
            )
            .order_by("-date_entree", "-id")
            .first()
        )
        if sejour is None:
            raise ValidationError(
                {
                    "usager": f"{usager} n'a pas de séjour dans {message.etablissement.nom} : classez le message dans "
                    "l'établissement qui l'accompagne."
                }
            )
        pieces = pieces_a_classer(message)
        if not pieces:
            raise ValidationError(
                "Ce message n'apporte aucun PDF à classer : écartez-le avec un motif (le message reste consultable)."
            )
        documents = do_deposer(
            user,
            usager=usager,
            sejour=sejour,
            classe=classe,
            fichiers=[SimpleUploadedFile(p.nom, p.contenu, "application/pdf") for p in pieces],
            titre=titre or message.titre_document or message.sujet,
            date_document=min(date_du_document(message) or timezone.localdate(), timezone.localdate()),
            source_libre=message.expediteur,
        )
        message.statut, message.usager = StatutMessage.CLASSE, usager
        message.documents = [d.public_id for d in documents]
        message.traite_par, message.traite_le = user, timezone.now()
        message.save()
    return documents


def do_ecarter(user, message: MessageRecu, motif: str) -> MessageRecu:
    if message.etablissement_id not in boites_lisibles(user):
        raise PermissionDenied
    motif = " ".join((motif or "").split())[:300]
    if not motif:
        raise ValidationError({"motif": "Indiquez pourquoi ce message est écarté (il reste consultable)."})
    with transaction.atomic():
        message = _exiger_a_classer(message)
        message.statut, message.motif = StatutMessage.ECARTE, motif
        message.traite_par, message.traite_le = user, timezone.now()
        message.save()
    return message


def do_configurer_boite(
    user, etablissement: Etablissement, *, adresse: str, active: bool = True
) -> BoiteMssante:
    """The ESMS's application mailbox (administration of the ESMS)."""
    if (
        etablissement.organisme_id != user.organisme_id
        or etablissement.pk not in policy.etablissements_autorises(user, Droit.ADMINISTRATION_MODIFIER)
    ):
        raise PermissionDenied
    adresse = (adresse or "").strip().lower()
    if not adresse_mssante_valide(adresse):
        raise ValidationError({"adresse": "Adresse MSSanté attendue (…@….mssante.fr)."})
    if (
        BoiteMssante.objects.filter(organisme_id=user.organisme_id, adresse=adresse)
        .exclude(etablissement=etablissement)
        .exists()
    ):
        raise ValidationError(
            {"adresse": "Cette boîte est déjà celle d'un autre établissement de l'organisme."}
        )
    boite = BoiteMssante.objects.filter(organisme_id=user.organisme_id, etablissement=etablissement).first()
    if boite is None:
        boite = BoiteMssante(organisme_id=user.organisme_id, etablissement=etablissement)
    change = boite.adresse != adresse
    boite.adresse, boite.active = adresse, active
    boite.save()
    if change:  # another mailbox: its relève starts from its first message
        ReleveMssante.objects.filter(boite=boite).delete()
    return boite


def en_attente(user) -> int:
    return messages_visibles(user).filter(statut=StatutMessage.A_CLASSER).count()


def date_du_document(message: MessageRecu) -> datetime.date | None:
    quand: Any = message.envoye_le or message.recu_le
    return timezone.localtime(quand).date() if quand else None
