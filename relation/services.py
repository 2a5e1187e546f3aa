"""Write paths of the relation usager. The team's functions take the professional first and check the
habilitation themselves (``social.modifier`` on the person in the ESMS; documents also need their own
category); the portal's functions take the portal account and are called only after the portal's access
check (``relation.portail.acces_ou_404``). One transaction each; French ``ValidationError`` for a broken
rule. E-mails leave through a worker (``relation.envoyer_courriel``) and never carry the content of a
message: only that one is waiting."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from dui import tenancy
from dui.history import update_with_history
from dui.models import Etablissement
from dui.queue import enqueue_on_commit
from habilitations import policy
from habilitations.roles import VOIR, Categorie, Droit
from usagers.models import Proche, Usager
from usagers.selectors import exiger_sejour

from .models import (
    MANDAT_CVS_MAX_ANS,
    AccesPortail,
    ActionCorrective,
    Campagne,
    CanalReclamation,
    CompteProche,
    ElectionCVS,
    EvenementIndesirable,
    Fil,
    Gravite,
    Invitation,
    MembreCVS,
    Message,
    PartageDocument,
    ParticipationEnquete,
    PieceJointe,
    PresenceCVS,
    PublicEnquete,
    Qualite,
    QuestionEnquete,
    Questionnaire,
    Reclamation,
    ReponseEnquete,
    ReunionCVS,
    SaisieReponse,
    StatutAcces,
    StatutEvenementIndesirable,
    StatutReclamation,
    StatutReunionCVS,
    TypeQuestion,
    ValeurReponse,
)
from .regles import mesure_de_representation

PIECES_MAX = 5


def _exiger(user, usager: Usager, etablissement: Etablissement, action: str = Droit.SOCIAL_MODIFIER) -> None:
    if not policy.can_dans_etablissement(user, action, usager, etablissement):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")


def empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def lien(nom: str, *args) -> str:
    return settings.DUI_URL_PUBLIQUE.rstrip("/") + reverse(nom, args=args)


def _courriel(organisme_id: int, destinataire: str, sujet: str, corps: str) -> None:
    enqueue_on_commit(
        "relation.envoyer_courriel",
        organisme_id=organisme_id,
        destinataire=destinataire,
        sujet=sujet,
        corps=corps,
    )


# --- Accesses and invitations (the team) -----------------------------------------------------------------


@transaction.atomic
def do_inviter(
    auteur,
    usager: Usager,
    etablissement: Etablissement,
    *,
    qualite: str,
    proche: Proche | None,
    email: str,
    voir_projet: bool = True,
    voir_agenda: bool = True,
    voir_documents: bool = True,
    messagerie: bool = True,
    accord_personne_le: datetime.date | None = None,
    accord_modalite: str = "",
) -> AccesPortail:
    """Open the space to the person or to one relative, and send the invitation (or, for an address that
    already has an account of the organisme, open the access at once and say so by e-mail)."""
    _exiger(auteur, usager, etablissement)
    aujourd_hui = timezone.localdate()
    exiger_sejour(usager, etablissement, aujourd_hui)
    erreurs: dict[str, str] = {}
    if qualite == Qualite.PERSONNE:
        proche = None
    elif proche is None or proche.usager_id != usager.pk:
        erreurs["proche"] = "Choisissez le proche dans l'entourage de la personne."
    if (
        proche is not None
        and AccesPortail.objects.filter(usager=usager, proche=proche, statut=StatutAcces.REFUSE).exists()
    ):
        raise ValidationError(
            {"proche": "La personne a refusé que ce proche accède à son espace : aucun accès n'est possible."}
        )
    if qualite == Qualite.REPRESENTANT:
        if proche is not None and not proche.representant_legal:
            erreurs["proche"] = "Ce proche n'est pas désigné comme représentant légal dans l'entourage."
        elif mesure_de_representation(usager.pk, aujourd_hui) is None:
            erreurs["qualite"] = (
                "Aucune mesure de représentation en cours (tutelle, habilitation familiale, mandat de "
                "protection future) : un proche n'accède qu'avec l'accord de la personne."
            )
    if qualite == Qualite.PROCHE:
        if accord_personne_le is None:
            erreurs["accord_personne_le"] = "Indiquez quand la personne a donné son accord."
        elif accord_personne_le > aujourd_hui:
            erreurs["accord_personne_le"] = "L'accord ne peut pas être daté dans le futur."
    else:
        accord_personne_le, accord_modalite = None, ""
    if not any((voir_projet, voir_agenda, voir_documents, messagerie)):
        erreurs["voir_projet"] = "Ouvrez au moins une rubrique de l'espace."
    email = (email or "").strip().lower()
    with tenancy.auth_lookup():
        existant = CompteProche.objects.filter(email__iexact=email).first()
    if existant is not None and existant.organisme_id != usager.organisme_id:
        erreurs["email"] = "Cette adresse ne peut pas être utilisée pour cet espace : indiquez-en une autre."
    if existant is not None and not existant.actif:
        erreurs["email"] = "Le compte de cette adresse est désactivé."
    if (
        existant is not None
        and AccesPortail.objects.filter(
            usager=usager, compte=existant, statut__in=[StatutAcces.INVITE, StatutAcces.ACTIF]
        ).exists()
    ):
        erreurs["email"] = "Cette adresse a déjà un accès à l'espace de la personne."
    if erreurs:
        raise ValidationError(erreurs)
    acces = AccesPortail(
        organisme_id=usager.organisme_id,
        usager=usager,
        etablissement=etablissement,
        proche=proche,
        qualite=qualite,
        voir_projet=voir_projet,
        voir_agenda=voir_agenda,
        voir_documents=voir_documents,
        messagerie=messagerie,
        accord_personne_le=accord_personne_le,
        accord_modalite=accord_modalite,
        accorde_par=auteur,
    )
    if existant is not None:
        acces.compte = existant
        acces.statut = StatutAcces.ACTIF
    try:
        with transaction.atomic():
            acces.save()
    except IntegrityError as exc:
        raise ValidationError(
            "Un accès (ou un refus de la personne) est déjà enregistré pour ce proche ou pour la personne."
        ) from exc
    if existant is not None:
        _courriel(
            usager.organisme_id,
            existant.email,
            "Un nouvel accès dans votre espace",
            "Bonjour,\n\nL'équipe vous a ouvert l'espace d'une personne que vous accompagnez. Connectez-vous "
            f"pour le voir : {lien('relation:portail_connexion')}\n",
        )
    else:
        # the token leaves only in the e-mail (its hash is stored); kept on the object for a caller that
        # hands it over itself (the demo)
        acces.jeton_invitation = _envoyer_invitation(auteur, acces, email)[1]  # type: ignore[attr-defined]
    return acces


def _envoyer_invitation(auteur, acces: AccesPortail, email: str) -> tuple[Invitation, str]:
    maintenant = timezone.now()
    Invitation.objects.filter(acces=acces, utilisee_le__isnull=True, annulee_le__isnull=True).update(
        annulee_le=maintenant
    )
    jeton = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisme_id=acces.organisme_id,
        acces=acces,
        email=email,
        empreinte=empreinte(jeton),
        expire_le=maintenant + datetime.timedelta(hours=settings.DUI_PORTAIL_INVITATION_HEURES),
        creee_par=auteur,
    )
    _courriel(
        acces.organisme_id,
        email,
        "Invitation à l'espace personne et proches",
        "Bonjour,\n\nL'équipe de l'établissement vous invite à créer votre compte dans l'espace personne et "
        f"proches. Ce lien sert une seule fois et expire le {timezone.localtime(invitation.expire_le):%d/%m/%Y à %H:%M} :\n\n"
        f"{lien('relation:portail_invitation', jeton)}\n\nSi vous n'attendiez pas ce message, ignorez-le.\n",
    )
    return invitation, jeton


@transaction.atomic
def do_renvoyer_invitation(auteur, acces: AccesPortail) -> Invitation:
    _exiger(auteur, acces.usager, acces.etablissement)
    acces = AccesPortail.objects.select_for_update().get(pk=acces.pk)
    if acces.statut != StatutAcces.INVITE:
        raise ValidationError("Seule une invitation en attente peut être renvoyée.")
    derniere = acces.invitations.order_by("-cree_le").first()
    if derniere is None:
        raise ValidationError("Aucune adresse n'est connue pour cette invitation.")
    return _envoyer_invitation(auteur, acces, derniere.email)[0]


@transaction.atomic
def do_revoquer(auteur, acces: AccesPortail, motif: str) -> None:
    """Withdraw an access (or lift a refusal of the person): effective at the account's next request."""
    _exiger(auteur, acces.usager, acces.etablissement)
    if not motif.strip():
        raise ValidationError({"motif": "Indiquez le motif (il est tracé)."})
    maintenant = timezone.now()
    n = update_with_history(
        AccesPortail.objects.filter(
            pk=acces.pk, statut__in=[StatutAcces.INVITE, StatutAcces.ACTIF, StatutAcces.REFUSE]
        ),
        statut=StatutAcces.REVOQUE,
        revoque_le=maintenant,
        revoque_par=auteur,
        motif=motif.strip()[:300],
        modifie_le=maintenant,
    )
    if not n:
        raise ValidationError("Cet accès est déjà retiré.")
    Invitation.objects.filter(acces=acces, utilisee_le__isnull=True, annulee_le__isnull=True).update(
        annulee_le=maintenant
    )


@transaction.atomic
def do_enregistrer_refus(
    auteur, usager: Usager, etablissement: Etablissement, proche: Proche, motif: str
) -> AccesPortail:
    """The person refuses that this relative sees anything: any access of theirs ends, and none can be
    opened while the refusal stands."""
    _exiger(auteur, usager, etablissement)
    if proche.usager_id != usager.pk:
        raise ValidationError({"proche": "Choisissez le proche dans l'entourage de la personne."})
    if not motif.strip():
        raise ValidationError({"motif": "Notez les mots de la personne, ou les circonstances du refus."})
    for acces in AccesPortail.objects.filter(
        usager=usager, proche=proche, statut__in=[StatutAcces.INVITE, StatutAcces.ACTIF]
    ):
        do_revoquer(auteur, acces, f"Refus de la personne : {motif.strip()}")
    try:
        with transaction.atomic():
            return AccesPortail.objects.create(
                organisme_id=usager.organisme_id,
                usager=usager,
                etablissement=etablissement,
                proche=proche,
                qualite=Qualite.PROCHE,
                statut=StatutAcces.REFUSE,
                voir_projet=False,
                voir_agenda=False,
                voir_documents=False,
                messagerie=False,
                accorde_par=auteur,
                motif=motif.strip()[:300],
            )
    except IntegrityError as exc:
        raise ValidationError("Un refus est déjà enregistré pour ce proche.") from exc


@transaction.atomic
def do_regler(auteur, acces: AccesPortail, **rubriques: bool) -> None:
    _exiger(auteur, acces.usager, acces.etablissement)
    if acces.statut not in (StatutAcces.INVITE, StatutAcces.ACTIF):
        raise ValidationError("Cet accès est retiré : ouvrez-en un nouveau.")
    champs = {
        k: bool(v)
        for k, v in rubriques.items()
        if k in ("voir_projet", "voir_agenda", "voir_documents", "messagerie")
    }
    if not any(champs.values()):
        raise ValidationError("Ouvrez au moins une rubrique, ou retirez l'accès.")
    update_with_history(AccesPortail.objects.filter(pk=acces.pk), modifie_le=timezone.now(), **champs)


# --- The account (the portal) ----------------------------------------------------------------------------


def invitation_par_jeton(jeton: str) -> Invitation:
    """The invitation of a link, or a ``ValidationError`` that says why it cannot serve."""
    with tenancy.auth_lookup():
        invitation = Invitation.objects.filter(empreinte=empreinte(jeton or "")).first()
    if invitation is not None:
        with tenancy.tenant_context(invitation.organisme_id):
            invitation.acces = AccesPortail.objects.get(pk=invitation.acces_id)
    if invitation is None:
        raise ValidationError(
            "Ce lien d'invitation n'est pas valable. Vérifiez qu'il est complet, ou demandez à l'équipe une nouvelle invitation."
        )
    if invitation.utilisee_le is not None:
        raise ValidationError(
            "Ce lien d'invitation a déjà servi : connectez-vous avec votre adresse et votre mot de passe."
        )
    if invitation.annulee_le is not None or invitation.acces.statut != StatutAcces.INVITE:
        raise ValidationError(
            "Cette invitation a été retirée ou remplacée par une plus récente : demandez à l'équipe une nouvelle invitation."
        )
    if timezone.now() >= invitation.expire_le:
        raise ValidationError(
            f"Ce lien d'invitation a expiré le {timezone.localtime(invitation.expire_le):%d/%m/%Y à %H:%M} : "
            "demandez à l'équipe une nouvelle invitation."
        )
    return invitation


def accepter_invitation(jeton: str, *, prenom: str, nom: str, password: str) -> CompteProche:
    """Create the account of an invitation (single use, before its expiry) and open its access. The
    second factor is set up next, before the first page of the space."""
    invitation = invitation_par_jeton(jeton)
    with tenancy.tenant_context(invitation.organisme_id):
        compte = CompteProche(
            organisme_id=invitation.organisme_id,
            email=invitation.email,
            prenom=prenom.strip(),
            nom=nom.strip(),
        )
        try:
            validate_password(password, user=compte)  # type: ignore[arg-type]  # its attributes are read
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        compte.password = make_password(password)
        fait = Invitation.objects.filter(pk=invitation.pk, utilisee_le__isnull=True).update(
            utilisee_le=timezone.now()
        )
        if not fait:
            raise ValidationError("Ce lien d'invitation a déjà servi.")
        try:
            with transaction.atomic():
                compte.save()
        except IntegrityError as exc:
            raise ValidationError(
                {"email": "Un compte existe déjà pour cette adresse : connectez-vous."}
            ) from exc
        update_with_history(
            AccesPortail.objects.filter(pk=invitation.acces_id, statut=StatutAcces.INVITE),
            compte=compte,
            statut=StatutAcces.ACTIF,
            modifie_le=timezone.now(),
        )
    return compte


# --- Messages ----------------------------------------------------------------------------------------------


def _pieces(message: Message, fichiers: list) -> None:
    from documents.fichiers import preparer

    if len(fichiers) > PIECES_MAX:
        raise ValidationError({"fichiers": f"{PIECES_MAX} pièces jointes au plus par message."})
    for fichier in fichiers:
        pret = preparer([fichier], assembler=False)[0]
        nom = pret.nom.rsplit(".", 1)[0][:190] + ".pdf"
        piece = PieceJointe(
            organisme_id=message.organisme_id,
            message=message,
            nom=nom,
            type_mime="application/pdf",
            taille=len(pret.contenu),
        )
        piece.fichier.save(nom, ContentFile(pret.contenu), save=False)
        piece.save()


def _verifier_texte(texte: str) -> str:
    texte = (texte or "").strip()
    if not texte:
        raise ValidationError({"texte": "Le message est vide."})
    if len(texte) > 10_000:
        raise ValidationError({"texte": "Le message dépasse 10 000 caractères : envoyez-le en deux fois."})
    return texte


@transaction.atomic
def ecrire_depuis_le_portail(
    compte: CompteProche, acces: AccesPortail, *, fil: Fil | None, objet: str, texte: str, fichiers: list
) -> Fil:
    """A message of the person or a relative: a new thread, or the next message of one of theirs."""
    if not acces.messagerie:
        raise PermissionDenied("La messagerie n'est pas ouverte pour cet accès.")
    texte = _verifier_texte(texte)
    maintenant = timezone.now()
    if fil is None:
        objet = (objet or "").strip()
        if not objet:
            raise ValidationError({"objet": "Indiquez l'objet du message."})
        fil = Fil.objects.create(
            organisme_id=acces.organisme_id,
            acces=acces,
            usager_id=acces.usager_id,
            etablissement_id=acces.etablissement_id,
            objet=objet[:150],
        )
    elif fil.acces_id != acces.pk:
        raise PermissionDenied
    message = Message.objects.create(
        organisme_id=acces.organisme_id, fil=fil, auteur_compte=compte, texte=texte, envoye_le=maintenant
    )
    _pieces(message, fichiers)
    Fil.objects.filter(pk=fil.pk).update(
        dernier_message_le=maintenant, non_lus_equipe=F("non_lus_equipe") + 1, clos_le=None
    )
    referent = fil.referent
    if referent is not None and referent.email:
        _courriel(
            acces.organisme_id,
            referent.email,
            "Un message vous attend dans le DUI",
            "Bonjour,\n\nUn message d'une personne accompagnée ou d'un proche vous attend dans la boîte de "
            f"l'établissement : {lien('relation:fil', fil.public_id)}\n",
        )
    return fil


@transaction.atomic
def do_repondre(auteur, fil: Fil, texte: str, fichiers: list) -> Message:
    _exiger(auteur, fil.usager, fil.etablissement)
    texte = _verifier_texte(texte)
    maintenant = timezone.now()
    message = Message.objects.create(
        organisme_id=fil.organisme_id, fil=fil, auteur_pro=auteur, texte=texte, envoye_le=maintenant
    )
    _pieces(message, fichiers)
    _marquer_lu_equipe(fil, maintenant)
    Fil.objects.filter(pk=fil.pk).update(dernier_message_le=maintenant, clos_le=None)
    compte = fil.acces.compte
    if compte is not None and fil.acces.statut == StatutAcces.ACTIF:
        _courriel(
            fil.organisme_id,
            compte.email,
            "Un nouveau message vous attend",
            "Bonjour,\n\nL'équipe vous a répondu. Pour lire sa réponse, connectez-vous à votre espace : "
            f"{lien('relation:portail_connexion')}\n",
        )
    return message


def _marquer_lu_equipe(fil: Fil, maintenant: datetime.datetime) -> None:
    Message.objects.filter(fil=fil, auteur_compte__isnull=False, lu_le__isnull=True).update(lu_le=maintenant)
    Fil.objects.filter(pk=fil.pk).update(non_lus_equipe=0)


def marquer_lu_par_l_equipe(auteur, fil: Fil) -> None:
    """The team opened the thread: the relative's messages are read (one update; nothing when none waits)."""
    if fil.non_lus_equipe:
        _exiger(auteur, fil.usager, fil.etablissement, Droit.SOCIAL_VOIR)
        _marquer_lu_equipe(fil, timezone.now())


def marquer_lu_par_le_proche(acces: AccesPortail, fil: Fil) -> None:
    Message.objects.filter(fil=fil, fil__acces=acces, auteur_pro__isnull=False, lu_le__isnull=True).update(
        lu_le=timezone.now()
    )


@transaction.atomic
def do_attribuer(auteur, fil: Fil, referent) -> None:
    _exiger(auteur, fil.usager, fil.etablissement)
    if referent is not None and fil.etablissement_id not in policy.etablissements_autorises(
        referent, Droit.SOCIAL_VOIR
    ):
        raise ValidationError({"referent": "Ce professionnel ne lit pas les messages de cet établissement."})
    update_with_history(Fil.objects.filter(pk=fil.pk), referent=referent, modifie_le=timezone.now())
    if referent is not None and referent != auteur and referent.email:
        _courriel(
            fil.organisme_id,
            referent.email,
            "Un fil de messages vous est confié",
            f"Bonjour,\n\nUn fil de messages vous a été confié dans le DUI : {lien('relation:fil', fil.public_id)}\n",
        )


@transaction.atomic
def do_clore(auteur, fil: Fil) -> None:
    _exiger(auteur, fil.usager, fil.etablissement)
    update_with_history(
        Fil.objects.filter(pk=fil.pk, clos_le__isnull=True), clos_le=timezone.now(), modifie_le=timezone.now()
    )


@transaction.atomic
def do_classer_au_journal(auteur, message: Message):
    """File a message in the journal de suivi of the person (an observation « Relations familiales »)."""
    from accompagnement.models import CategorieObservation, Observation
    from accompagnement.services import do_ecrire_observation

    fil = message.fil
    _exiger(auteur, fil.usager, fil.etablissement)
    if message.classe_le is not None:
        raise ValidationError("Ce message est déjà classé au journal de suivi.")
    provenance = (
        f"{message.auteur} (équipe)"
        if message.de_l_equipe
        else f"{message.auteur}, {fil.acces.get_qualite_display().lower()}"
    )
    observation = do_ecrire_observation(
        auteur,
        Observation(
            organisme_id=fil.organisme_id,
            usager=fil.usager,
            etablissement=fil.etablissement,
            auteur=auteur,
            date_observation=message.envoye_le,
            categorie=CategorieObservation.FAMILLE,
            texte=f"Message « {fil.objet} » de {provenance} :\n{message.texte}",
        ),
    )
    Message.objects.filter(pk=message.pk).update(classe_le=timezone.now())
    return observation


# --- Shared documents --------------------------------------------------------------------------------------


@transaction.atomic
def do_partager(auteur, document) -> PartageDocument:
    from documents.models import Confidentialite

    if not (
        policy.can_contenu(auteur, Droit.DOCUMENTS_MODIFIER, document)
        and policy.can_contenu(auteur, Droit.de(document.categorie, VOIR), document)
    ):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")
    if document.confidentialite == Confidentialite.RESTREINTE:
        raise ValidationError(
            "Un document à diffusion restreinte ne se partage pas dans l'espace des proches."
        )
    if document.categorie == Categorie.MEDICAL:
        raise ValidationError(
            "Un document médical se remet à la personne par le médecin : il ne se partage pas dans l'espace."
        )
    if getattr(document, "detruit_le", None) or not document.fichier:
        raise ValidationError("Ce document n'a plus de fichier à partager.")
    try:
        with transaction.atomic():
            return PartageDocument.objects.create(
                organisme_id=document.organisme_id,
                usager_id=document.usager_id,
                document=document,
                partage_par=auteur,
            )
    except IntegrityError as exc:
        raise ValidationError("Ce document est déjà partagé.") from exc


@transaction.atomic
def do_retirer_partage(auteur, partage: PartageDocument) -> None:
    if not policy.can_contenu(auteur, Droit.DOCUMENTS_MODIFIER, partage.document):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")
    if partage.retire_le is not None:
        raise ValidationError("Ce document n'est déjà plus partagé.")
    update_with_history(
        PartageDocument.objects.filter(pk=partage.pk, retire_le__isnull=True),
        retire_le=timezone.now(),
        retire_par=auteur,
        modifie_le=timezone.now(),
    )


# --- Réclamations ---------------------------------------------------------------------------------------------


def etablissements_habilites(user) -> set[int]:
    """The ESMS where ``user`` holds an active habilitation (any role): where they may record a complaint or
    declare an adverse event."""
    return set(policy.roles_par_etablissement(user))


def _exiger_qualite(user, etablissement: Etablissement) -> None:
    if etablissement.organisme_id != getattr(user, "organisme_id", None) or etablissement.pk not in (
        policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR)
    ):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")


@transaction.atomic
def do_enregistrer_reclamation(auteur, reclamation: Reclamation) -> Reclamation:
    """A complaint received by the team (telephone, letter, e-mail, on site)."""
    etablissement = reclamation.etablissement
    if etablissement.organisme_id != auteur.organisme_id or etablissement.pk not in etablissements_habilites(
        auteur
    ):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")
    if reclamation.usager is not None and reclamation.usager.organisme_id != auteur.organisme_id:
        raise PermissionDenied
    if reclamation.recue_le > timezone.localdate():
        raise ValidationError({"recue_le": "La date de réception ne peut pas être dans le futur."})
    if reclamation.canal == CanalReclamation.PORTAIL:
        raise ValidationError(
            {"canal": "Une réclamation de l'espace personne et proches y est déposée par son auteur."}
        )
    reclamation.organisme_id = auteur.organisme_id
    reclamation.enregistree_par = auteur
    reclamation.statut = StatutReclamation.RECUE
    reclamation.save()
    return reclamation


@transaction.atomic
def reclamer_depuis_le_portail(
    compte: CompteProche, acces: AccesPortail, objet: str, description: str
) -> Reclamation:
    objet, description = (objet or "").strip(), (description or "").strip()
    erreurs = {}
    if not objet:
        erreurs["objet"] = "Indiquez l'objet de votre réclamation."
    if not description:
        erreurs["description"] = "Décrivez ce qui ne va pas."
    if erreurs:
        raise ValidationError(erreurs)
    return Reclamation.objects.create(
        organisme_id=acces.organisme_id,
        etablissement_id=acces.etablissement_id,
        usager_id=acces.usager_id,
        acces=acces,
        canal=CanalReclamation.PORTAIL,
        auteur=f"{compte} ({acces.get_qualite_display().lower()})",
        coordonnees=compte.email,
        recue_le=timezone.localdate(),
        objet=objet[:200],
        description=description,
    )


_ETAPES_RECLAMATION = {
    "accuser": (StatutReclamation.RECUE, StatutReclamation.RECUE),
    "analyser": (StatutReclamation.RECUE, StatutReclamation.EN_ANALYSE),
    "repondre": (StatutReclamation.EN_ANALYSE, StatutReclamation.REPONDUE),
    "clore": (StatutReclamation.REPONDUE, StatutReclamation.CLOSE),
}


@transaction.atomic
def do_faire_avancer_reclamation(auteur, reclamation: Reclamation, etape: str, texte: str = "") -> None:
    """reçue → (accusé de réception) → en analyse → réponse envoyée → close."""
    _exiger_qualite(auteur, reclamation.etablissement)
    reclamation = Reclamation.objects.select_for_update().get(pk=reclamation.pk)
    if etape not in _ETAPES_RECLAMATION:
        raise ValidationError("Étape inconnue.")
    depuis, vers = _ETAPES_RECLAMATION[etape]
    if etape == "accuser":
        if reclamation.accuse_le is not None:
            raise ValidationError("L'accusé de réception est déjà enregistré.")
        if reclamation.statut == StatutReclamation.CLOSE:
            raise ValidationError("Cette réclamation est close.")
        update_with_history(
            Reclamation.objects.filter(pk=reclamation.pk),
            accuse_le=timezone.localdate(),
            modifie_le=timezone.now(),
        )
        return
    if reclamation.statut != depuis:
        raise ValidationError(
            f"Cette réclamation est « {reclamation.get_statut_display().lower()} » : cette étape n'est pas possible."
        )
    champs: dict = {"statut": vers, "modifie_le": timezone.now()}
    texte = (texte or "").strip()
    if etape == "analyser":
        champs["analyse"] = texte
    elif etape == "repondre":
        if not texte:
            raise ValidationError({"texte": "Rédigez la réponse envoyée à l'auteur de la réclamation."})
        champs.update(reponse=texte, repondue_le=timezone.localdate(), repondue_par=auteur)
        if reclamation.accuse_le is None:
            champs["accuse_le"] = timezone.localdate()
    elif etape == "clore":
        champs["close_le"] = timezone.localdate()
    update_with_history(Reclamation.objects.filter(pk=reclamation.pk), **champs)
    acces = reclamation.acces
    if etape == "repondre" and acces is not None and acces.compte is not None:
        _courriel(
            reclamation.organisme_id,
            acces.compte.email,
            "Réponse à votre réclamation",
            "Bonjour,\n\nL'établissement a répondu à votre réclamation. Connectez-vous à votre espace pour la lire : "
            f"{lien('relation:portail_connexion')}\n",
        )


# --- Événements indésirables -----------------------------------------------------------------------------------


@transaction.atomic
def do_declarer_evenement(auteur, evenement: EvenementIndesirable) -> EvenementIndesirable:
    etablissement = evenement.etablissement
    if etablissement.organisme_id != auteur.organisme_id or etablissement.pk not in etablissements_habilites(
        auteur
    ):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")
    if evenement.usager is not None and evenement.usager.organisme_id != auteur.organisme_id:
        raise PermissionDenied
    if evenement.survenu_le > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"survenu_le": "L'événement ne peut pas être daté dans le futur."})
    for champ, libelle in (
        ("description", "ce qui s'est passé"),
        ("actions_immediates", "les mesures prises"),
        ("lieu", "le lieu"),
    ):
        if not getattr(evenement, champ).strip():
            raise ValidationError({champ: f"Indiquez {libelle}."})
    evenement.organisme_id = auteur.organisme_id
    evenement.declarant = auteur
    evenement.statut = StatutEvenementIndesirable.DECLARE
    evenement.save()
    return evenement


def _verrouiller_ei(auteur, evenement: EvenementIndesirable) -> EvenementIndesirable:
    _exiger_qualite(auteur, evenement.etablissement)
    return EvenementIndesirable.objects.select_for_update().get(pk=evenement.pk)


@transaction.atomic
def do_analyser_evenement(
    auteur, evenement: EvenementIndesirable, *, gravite: int, causes: str, eigs: bool, dysfonctionnement_grave: bool,
    famille_informee: bool,
) -> None:  # fmt: skip
    evenement = _verrouiller_ei(auteur, evenement)
    if evenement.statut not in (
        StatutEvenementIndesirable.DECLARE,
        StatutEvenementIndesirable.EN_ANALYSE,
        StatutEvenementIndesirable.ACTIONS,
    ):
        raise ValidationError("Cet événement est clos.")
    if gravite not in Gravite.values:
        raise ValidationError({"gravite": "Choisissez la gravité sur l'échelle de 1 à 5."})
    if not (causes or "").strip():
        raise ValidationError({"causes": "Indiquez les causes identifiées (ou « en cours de recherche »)."})
    statut = (
        StatutEvenementIndesirable.EN_ANALYSE
        if evenement.statut == StatutEvenementIndesirable.DECLARE
        else evenement.statut
    )
    update_with_history(
        EvenementIndesirable.objects.filter(pk=evenement.pk),
        statut=statut, gravite=gravite, causes=causes.strip(), eigs=eigs, dysfonctionnement_grave=dysfonctionnement_grave,
        famille_informee=famille_informee, analyse_par=auteur, modifie_le=timezone.now(),
    )  # fmt: skip


@transaction.atomic
def do_ajouter_action_corrective(
    auteur, evenement: EvenementIndesirable, action: ActionCorrective
) -> ActionCorrective:
    evenement = _verrouiller_ei(auteur, evenement)
    if evenement.statut not in (StatutEvenementIndesirable.EN_ANALYSE, StatutEvenementIndesirable.ACTIONS):
        raise ValidationError("Les actions correctives s'ajoutent pendant l'analyse.")
    if action.echeance < timezone.localdate():
        raise ValidationError({"echeance": "L'échéance ne peut pas être passée."})
    if evenement.etablissement_id not in policy.etablissements_autorises(
        action.responsable, Droit.PILOTAGE_VOIR
    ) and (evenement.etablissement_id not in etablissements_habilites(action.responsable)):
        raise ValidationError({"responsable": "Choisissez un professionnel de l'établissement."})
    action.evenement = evenement
    action.organisme_id = evenement.organisme_id
    action.save()
    if evenement.statut == StatutEvenementIndesirable.EN_ANALYSE:
        update_with_history(
            EvenementIndesirable.objects.filter(pk=evenement.pk),
            statut=StatutEvenementIndesirable.ACTIONS,
            modifie_le=timezone.now(),
        )
    return action


@transaction.atomic
def do_action_realisee(auteur, action: ActionCorrective) -> None:
    _verrouiller_ei(auteur, action.evenement)
    update_with_history(
        ActionCorrective.objects.filter(pk=action.pk, realisee_le__isnull=True),
        realisee_le=timezone.localdate(),
        modifie_le=timezone.now(),
    )


@transaction.atomic
def do_declarer_ars(auteur, evenement: EvenementIndesirable, jour: datetime.date) -> None:
    evenement = _verrouiller_ei(auteur, evenement)
    if not evenement.a_declarer:
        raise ValidationError(
            "Cet événement n'est ni un EIGS ni un dysfonctionnement grave : rien à déclarer."
        )
    if jour > timezone.localdate():
        raise ValidationError({"jour": "La date de déclaration ne peut pas être dans le futur."})
    update_with_history(
        EvenementIndesirable.objects.filter(pk=evenement.pk), declare_ars_le=jour, modifie_le=timezone.now()
    )


@transaction.atomic
def do_clore_evenement(auteur, evenement: EvenementIndesirable, bilan: str) -> None:
    evenement = _verrouiller_ei(auteur, evenement)
    if evenement.statut not in (StatutEvenementIndesirable.EN_ANALYSE, StatutEvenementIndesirable.ACTIONS):
        raise ValidationError("Seul un événement analysé peut être clos.")
    if not (bilan or "").strip():
        raise ValidationError({"bilan": "Rédigez le bilan de l'événement et des actions."})
    if evenement.a_declarer and evenement.declare_ars_le is None:
        raise ValidationError("Un EIGS ou un dysfonctionnement grave se déclare à l'ARS avant la clôture.")
    if evenement.actions.filter(realisee_le__isnull=True).exists():
        raise ValidationError("Des actions correctives ne sont pas réalisées : marquez-les avant de clore.")
    update_with_history(
        EvenementIndesirable.objects.filter(pk=evenement.pk),
        statut=StatutEvenementIndesirable.CLOS, clos_le=timezone.now(), bilan=bilan.strip(), modifie_le=timezone.now(),
    )  # fmt: skip


# --- Conseil de la vie sociale --------------------------------------------------------------------------------


def _exiger_cvs(user, etablissement: Etablissement) -> None:
    if etablissement.organisme_id != getattr(user, "organisme_id", None) or etablissement.pk not in (
        policy.etablissements_autorises(user, Droit.PILOTAGE_MODIFIER)
    ):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")


@transaction.atomic
def do_enregistrer_membre_cvs(auteur, membre: MembreCVS) -> MembreCVS:
    _exiger_cvs(auteur, membre.etablissement)
    if membre.fin_mandat <= membre.debut_mandat:
        raise ValidationError({"fin_mandat": "La fin du mandat suit son début."})
    try:
        limite = membre.debut_mandat.replace(year=membre.debut_mandat.year + MANDAT_CVS_MAX_ANS)
    except ValueError:  # 29 February
        limite = membre.debut_mandat.replace(year=membre.debut_mandat.year + MANDAT_CVS_MAX_ANS, day=28)
    if membre.fin_mandat > limite:
        raise ValidationError(
            {
                "fin_mandat": f"Un mandat dure {MANDAT_CVS_MAX_ANS} ans au plus : fin au plus tard le {limite:%d/%m/%Y}."
            }
        )
    if membre.election is not None and (
        membre.election.etablissement_id != membre.etablissement_id
        or membre.election.college != membre.college
    ):
        raise ValidationError(
            {"election": "Ce scrutin n'est pas celui de ce collège dans cet établissement."}
        )
    membre.organisme_id = auteur.organisme_id
    try:
        with transaction.atomic():
            membre.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"fonction": "Le conseil a déjà un(e) président(e) : mettez fin à son mandat d'abord."}
        ) from exc
    return membre


@transaction.atomic
def do_enregistrer_election_cvs(auteur, election: ElectionCVS) -> ElectionCVS:
    _exiger_cvs(auteur, election.etablissement)
    if election.date > timezone.localdate():
        raise ValidationError(
            {"date": "Le scrutin ne peut pas être dans le futur : enregistrez-le une fois tenu."}
        )
    if election.votants > election.inscrits:
        raise ValidationError({"votants": "Il ne peut pas y avoir plus de votants que d'inscrits."})
    election.organisme_id = auteur.organisme_id
    election.save()
    return election


@transaction.atomic
def do_planifier_reunion_cvs(auteur, reunion: ReunionCVS) -> ReunionCVS:
    _exiger_cvs(auteur, reunion.etablissement)
    if not reunion.ordre_du_jour.strip():
        raise ValidationError({"ordre_du_jour": "Indiquez l'ordre du jour (il est joint à la convocation)."})
    reunion.organisme_id = auteur.organisme_id
    reunion.statut = StatutReunionCVS.PREVUE
    reunion.save()
    return reunion


@transaction.atomic
def do_tenir_reunion_cvs(
    auteur, reunion: ReunionCVS, *, presents: list, compte_rendu: str, suites: str
) -> None:
    _exiger_cvs(auteur, reunion.etablissement)
    reunion = ReunionCVS.objects.select_for_update().get(pk=reunion.pk)
    if reunion.statut != StatutReunionCVS.PREVUE:
        raise ValidationError("Seule une réunion prévue peut être tenue.")
    if reunion.date > timezone.now():
        raise ValidationError("La réunion n'a pas encore eu lieu.")
    if not (compte_rendu or "").strip():
        raise ValidationError({"compte_rendu": "Rédigez le relevé de conclusions."})
    if any(m.etablissement_id != reunion.etablissement_id for m in presents):
        raise ValidationError({"presents": "Choisissez des membres du conseil de cet établissement."})
    PresenceCVS.objects.bulk_create(
        PresenceCVS(organisme_id=reunion.organisme_id, reunion=reunion, membre=m) for m in presents
    )
    update_with_history(
        ReunionCVS.objects.filter(pk=reunion.pk),
        statut=StatutReunionCVS.TENUE, compte_rendu=compte_rendu.strip(), suites=(suites or "").strip(),
        modifie_le=timezone.now(),
    )  # fmt: skip


@transaction.atomic
def do_annuler_reunion_cvs(auteur, reunion: ReunionCVS) -> None:
    _exiger_cvs(auteur, reunion.etablissement)
    n = update_with_history(
        ReunionCVS.objects.filter(pk=reunion.pk, statut=StatutReunionCVS.PREVUE),
        statut=StatutReunionCVS.ANNULEE, modifie_le=timezone.now(),
    )  # fmt: skip
    if not n:
        raise ValidationError("Seule une réunion prévue peut être annulée.")


# --- Enquêtes de satisfaction ---------------------------------------------------------------------------------


def _exiger_pilotage(user, etablissement: Etablissement, action: str = Droit.PILOTAGE_MODIFIER) -> None:
    if etablissement.organisme_id != getattr(user, "organisme_id", None) or etablissement.pk not in (
        policy.etablissements_autorises(user, action)
    ):
        raise PermissionDenied("Vous n'avez pas l'habilitation nécessaire.")


@transaction.atomic
def do_creer_questionnaire(
    auteur, etablissement: Etablissement, *, titre: str, introduction: str, questions: list[dict]
) -> Questionnaire:
    """``questions``: [{libelle, type_question, options (« a ; b ; c »), obligatoire}] in order; empty lines
    are skipped."""
    _exiger_pilotage(auteur, etablissement)
    if not (titre or "").strip():
        raise ValidationError({"titre": "Donnez un titre au questionnaire."})
    lignes = [q for q in questions if (q.get("libelle") or "").strip()]
    if not lignes:
        raise ValidationError("Ajoutez au moins une question.")
    questionnaire = Questionnaire.objects.create(
        organisme_id=auteur.organisme_id, etablissement=etablissement, titre=titre.strip(),
        introduction=(introduction or "").strip(), cree_par=auteur,
    )  # fmt: skip
    for ordre, q in enumerate(lignes, start=1):
        options = [o.strip() for o in (q.get("options") or "").split(";") if o.strip()]
        if q["type_question"] == TypeQuestion.CHOIX and len(options) < 2:
            raise ValidationError(
                f"Question {ordre} : une question à choix propose au moins deux réponses (séparées par « ; »)."
            )
        QuestionEnquete.objects.create(
            organisme_id=auteur.organisme_id, questionnaire=questionnaire, ordre=ordre, libelle=q["libelle"].strip()[:300],
            type_question=q["type_question"], options=options if q["type_question"] == TypeQuestion.CHOIX else [],
            obligatoire=bool(q.get("obligatoire")),
        )  # fmt: skip
    return questionnaire


@transaction.atomic
def do_ouvrir_campagne(auteur, campagne: Campagne) -> Campagne:
    _exiger_pilotage(auteur, campagne.etablissement)
    if campagne.questionnaire.etablissement_id != campagne.etablissement_id:
        raise ValidationError({"questionnaire": "Choisissez un questionnaire de cet établissement."})
    if campagne.fin < campagne.debut:
        raise ValidationError({"fin": "La campagne se termine après son ouverture."})
    campagne.organisme_id = auteur.organisme_id
    campagne.save()
    return campagne


@transaction.atomic
def do_clore_campagne(auteur, campagne: Campagne) -> None:
    _exiger_pilotage(auteur, campagne.etablissement)
    Campagne.objects.filter(pk=campagne.pk, close_le__isnull=True).update(close_le=timezone.now())


def _enregistrer_reponse(campagne: Campagne, saisie: str, donnees: dict) -> None:
    """``donnees``: {question_id: raw value}. Checked whole before anything is written."""
    valeurs: list[tuple[QuestionEnquete, int | None, str]] = []
    erreurs = {}
    for q in campagne.questionnaire.questions.all():
        brut = donnees.get(q.pk)
        brut = "" if brut is None else str(brut).strip()
        if not brut:
            if q.obligatoire:
                erreurs[f"q_{q.pk}"] = "Cette question demande une réponse."
            continue
        if q.type_question == TypeQuestion.ECHELLE:
            if brut not in {"1", "2", "3", "4"}:
                erreurs[f"q_{q.pk}"] = "Choisissez une réponse de 1 à 4."
                continue
            valeurs.append((q, int(brut), ""))
        elif q.type_question == TypeQuestion.OUI_NON:
            if brut not in {"oui", "non"}:
                erreurs[f"q_{q.pk}"] = "Répondez oui ou non."
                continue
            valeurs.append((q, 1 if brut == "oui" else 0, ""))
        elif q.type_question == TypeQuestion.CHOIX:
            if brut not in q.options:
                erreurs[f"q_{q.pk}"] = "Choisissez une des réponses proposées."
                continue
            valeurs.append((q, None, brut))
        else:
            valeurs.append((q, None, brut[:5000]))
    if erreurs:
        raise ValidationError(erreurs)
    if not valeurs:
        raise ValidationError("Répondez à au moins une question.")
    reponse = ReponseEnquete.objects.create(
        organisme_id=campagne.organisme_id, campagne=campagne, saisie=saisie
    )
    ValeurReponse.objects.bulk_create(
        ValeurReponse(organisme_id=campagne.organisme_id, reponse=reponse, question=q, nombre=n, texte=t)
        for q, n, t in valeurs
    )


def public_de(acces: AccesPortail) -> set[str]:
    return {
        PublicEnquete.TOUS,
        PublicEnquete.PERSONNES if acces.qualite == Qualite.PERSONNE else PublicEnquete.PROCHES,
    }


@transaction.atomic
def repondre_depuis_le_portail(
    compte: CompteProche, acces: AccesPortail, campagne: Campagne, donnees: dict
) -> None:
    if (
        campagne.etablissement_id != acces.etablissement_id
        or not campagne.ouverte(timezone.localdate())
        or campagne.public not in public_de(acces)
    ):
        raise PermissionDenied
    try:
        with transaction.atomic():
            ParticipationEnquete.objects.create(
                organisme_id=campagne.organisme_id, campagne=campagne, compte=compte
            )
    except IntegrityError as exc:
        raise ValidationError("Vous avez déjà répondu à cette enquête : merci !") from exc
    _enregistrer_reponse(campagne, SaisieReponse.EN_LIGNE, donnees)


@transaction.atomic
def do_saisir_reponse_papier(auteur, campagne: Campagne, donnees: dict) -> None:
    """A paper questionnaire typed by the team: anonymous as well (who typed it is not kept)."""
    etabs = policy.etablissements_autorises(auteur, Droit.PILOTAGE_VOIR) | policy.etablissements_autorises(
        auteur, Droit.SOCIAL_MODIFIER
    )
    if campagne.organisme_id != auteur.organisme_id or campagne.etablissement_id not in etabs:
        raise PermissionDenied
    if campagne.close_le is not None:
        raise ValidationError("Cette campagne est close.")
    _enregistrer_reponse(campagne, SaisieReponse.PAPIER, donnees)
