"""Write paths of the national exchanges: ask for an exchange (an ``Envoi`` in the caller's transaction),
relay the outbox (worker side), retry or cancel an exchange in "échec".

Rights: sending a document needs ``documents.modifier`` in its ESMS and the right to read it; the FHIR
export needs ``documents.modifier``, ``administratif.voir`` and ``social.voir`` in the ESMS.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from documents.models import Confidentialite, Document, StatutDocument, TypeDocument
from dui.queue import enqueue_on_commit
from habilitations import policy
from habilitations.roles import Droit
from usagers.models import Consentement, Reponse, TypeConsentement

from . import codes
from .cda import construire_cda, identifiant_professionnel, identite_envoyable, periode_du_document
from .erreurs import EchecDefinitif, EchecTemporaire, NonEnvoyable
from .models import Envoi, Masquage, OperationEnvoi, StatutEnvoi, TypeEnvoi

logger = logging.getLogger(__name__)


# --- rules checked when asking and again when sending ------------------------------------------------


def opposition_dmp(usager) -> Consentement | None:
    """The usager's current answer about the DMP when it is a refusal (the latest answer counts)."""
    dernier = (
        Consentement.objects.filter(usager=usager, type_consentement=TypeConsentement.DMP)
        .order_by("-date_recueil", "-id")
        .first()
    )
    return dernier if dernier is not None and dernier.reponse == Reponse.REFUSE else None


def motif_blocage_dmp(document) -> str:
    """Why this document may not go to the DMP ("" when it may)."""
    if document.type_document not in codes.TYPES_ENVOYABLES_DMP:
        return "Seuls le projet personnalisé, le DLU et le compte rendu d'administration sont envoyés au DMP."
    if document.statut != StatutDocument.DISPONIBLE:
        return "Le PDF n'est pas encore produit."
    if document.en_erreur_le is not None:
        return "Document marqué saisi par erreur : il ne part pas au DMP."
    if document.confidentialite == Confidentialite.RESTREINTE:
        return (
            "Document à confidentialité restreinte : réservé aux professionnels, il ne va pas au DMP. "
            "Changez sa confidentialité dans la gestion documentaire si la personne et l'équipe en décident ainsi."
        )
    try:
        identite_envoyable(document.usager)
    except NonEnvoyable as exc:
        return str(exc)
    opposition = opposition_dmp(document.usager)
    if opposition is not None:
        return (
            f"{document.usager} s'est opposé(e) à l'alimentation de son DMP (recueilli le "
            f"{opposition.date_recueil:%d/%m/%Y}) : rien n'est envoyé."
        )
    return ""


def _exiger_droit_document(user, document) -> None:
    from documents.selectors import documents_lisibles

    if not (
        policy.can_contenu(user, Droit.DOCUMENTS_MODIFIER, document)
        and documents_lisibles(user).filter(pk=document.pk).exists()
    ):
        raise PermissionDenied


def _creer(user, **champs) -> Envoi:
    envoi = Envoi(organisme_id=user.organisme_id, demande_par=user, prochain_essai=timezone.now(), **champs)
    try:
        with transaction.atomic():
            envoi.save()
    except IntegrityError as exc:
        raise ValidationError(
            "Cet envoi a déjà été demandé : il est en cours ou a déjà abouti (voir la liste des échanges)."
        ) from exc
    relancer_le_relais(user.organisme_id)
    return envoi


def relancer_le_relais(organisme_id: int) -> None:
    enqueue_on_commit("interop.relayer", organisme_id=organisme_id)


def do_demander_envoi_dmp(user, document: Document, masquage: list[str] | None = None) -> Envoi:
    _exiger_droit_document(user, document)
    masquage = list(dict.fromkeys(masquage or []))
    if any(m not in Masquage.values for m in masquage):
        raise ValidationError("Code de masquage inconnu.")
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()
        motif = motif_blocage_dmp(document)
        if motif:
            raise ValidationError(motif)
        return _creer(
            user,
            type_envoi=TypeEnvoi.DMP,
            etablissement=document.etablissement,
            usager=document.usager,
            document=document,
            masquage=masquage,
            cle_idempotence=f"dmp:{document.public_id}",
            libelle_destinataire="DMP",
        )


def depot_dmp_abouti(document: Document) -> Envoi | None:
    return (
        document.envois.filter(
            type_envoi=TypeEnvoi.DMP, operation=OperationEnvoi.DEPOT, statut=StatutEnvoi.ENVOYE
        )
        .order_by("-envoye_le")
        .first()
    )


def do_demander_retrait_dmp(user, document: Document) -> Envoi:
    """Withdraw from the DMP a document marked as entered in error in the DUI: an ITI-57 request that
    deprecates it in the registry (the person and the professionals no longer see it as current)."""
    _exiger_droit_document(user, document)
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()
        if document.en_erreur_le is None:
            raise ValidationError(
                "Marquez d'abord le document « saisi par erreur » dans la gestion documentaire : le retrait du "
                "DMP suit cette décision."
            )
        depot = depot_dmp_abouti(document)
        if depot is None:
            raise ValidationError("Ce document n'est pas dans le DMP : rien à retirer.")
        return _creer(
            user,
            type_envoi=TypeEnvoi.DMP,
            operation=OperationEnvoi.RETRAIT,
            etablissement=document.etablissement,
            usager=document.usager,
            document=document,
            cle_idempotence=f"dmp-retrait:{document.public_id}",
            libelle_destinataire="DMP — retrait",
        )


def do_demander_envoi_mssante(user, document: Document, adresse: str, libelle: str = "") -> Envoi:
    from .mssante import adresse_mssante_valide

    _exiger_droit_document(user, document)
    adresse = adresse.strip().lower()
    if not adresse_mssante_valide(adresse):
        raise ValidationError({"adresse": "Adresse MSSanté attendue (…@….mssante.fr)."})
    if document.statut != StatutDocument.DISPONIBLE:
        raise ValidationError("Le PDF n'est pas encore produit.")
    if not document.code_loinc:
        raise ValidationError("Ce type de document ne peut pas être envoyé par messagerie sécurisée.")
    try:
        identite_envoyable(document.usager)
    except NonEnvoyable as exc:
        raise ValidationError(str(exc)) from exc
    return _creer(
        user,
        type_envoi=TypeEnvoi.MSSANTE,
        etablissement=document.etablissement,
        usager=document.usager,
        document=document,
        destinataire=adresse,
        libelle_destinataire=libelle[:200] or adresse,
        cle_idempotence=f"mss:{document.public_id}:{adresse}",
    )


def peut_exporter_fhir(user, usager, etablissement) -> bool:
    return all(
        policy.can_dans_etablissement(user, action, usager, etablissement)
        for action in (Droit.DOCUMENTS_MODIFIER, Droit.ADMINISTRATIF_VOIR, Droit.SOCIAL_VOIR)
    )


def do_demander_envoi_fhir(user, usager, etablissement) -> Envoi:
    if not peut_exporter_fhir(user, usager, etablissement):
        raise PermissionDenied
    if not settings.DUI_FHIR_URL:
        raise ValidationError("Aucun entrepôt FHIR n'est configuré : téléchargez l'export à la place.")
    return _creer(
        user,
        type_envoi=TypeEnvoi.FHIR,
        etablissement=etablissement,
        usager=usager,
        libelle_destinataire="Entrepôt FHIR",
        cle_idempotence=f"fhir:{usager.public_id}:{uuid.uuid4()}",
    )


def _exiger_droit_envoi(user, envoi: Envoi) -> None:
    if not (
        envoi.organisme_id == user.organisme_id
        and envoi.etablissement_id in policy.etablissements_autorises(user, Droit.DOCUMENTS_MODIFIER)
    ):
        raise PermissionDenied


def do_relancer(user, envoi: Envoi) -> Envoi:
    _exiger_droit_envoi(user, envoi)
    with transaction.atomic():
        envoi = Envoi.objects.select_for_update().get(pk=envoi.pk)
        if envoi.statut != StatutEnvoi.ECHEC:
            raise ValidationError("Seul un envoi en échec peut être relancé.")
        envoi.statut, envoi.tentatives, envoi.prochain_essai = StatutEnvoi.EN_ATTENTE, 0, timezone.now()
        envoi.traite_par = user
        envoi.save()
    relancer_le_relais(user.organisme_id)
    return envoi


def do_annuler(user, envoi: Envoi) -> Envoi:
    _exiger_droit_envoi(user, envoi)
    with transaction.atomic():
        envoi = Envoi.objects.select_for_update().get(pk=envoi.pk)
        if not envoi.modifiable:
            raise ValidationError("Cet envoi est déjà parti ou annulé.")
        envoi.statut, envoi.traite_par = StatutEnvoi.ANNULE, user
        envoi.save()
    return envoi


# --- the relay (worker side) ----------------------------------------------------------------------------


def delai_apres(tentatives: int) -> datetime.timedelta:
    """Exponential backoff: base × 2^(n−1), capped."""
    secondes = settings.DUI_ENVOI_DELAI_BASE * (2 ** max(tentatives - 1, 0))
    return datetime.timedelta(seconds=min(secondes, settings.DUI_ENVOI_DELAI_MAX))


def relayer(organisme_id: int | None = None, limite: int | None = None) -> dict[str, int]:
    """Send the due exchanges of one tenant (the current one by default), one row per transaction: the row is
    locked (``FOR UPDATE SKIP LOCKED``: two relays never take the same row) while it is sent and until its
    result is committed. A worker killed during a send rolls that transaction back: the row is still "en
    attente" and the next relay sends it again, with the same identifiers (the receiver recognises it); the
    rows already sent stay sent."""
    from dui.history import reset_actor, set_actor
    from dui.tenancy import current_organisme_id, tenant_context

    organisme_id = organisme_id or current_organisme_id()
    if not organisme_id:
        raise PermissionDenied("Relais des envois sans organisme : refusé.")
    limite = limite or settings.DUI_RELAIS_LOT
    bilan = {"envoye": 0, "reessai": 0, "echec": 0}
    jeton = set_actor(None)
    try:
        for _ in range(limite):
            with tenant_context(organisme_id):  # its own transaction (a savepoint when called inside one)
                # The lock is taken on the outbox row alone (a short index scan), its objects read next.
                pris = (
                    Envoi.objects.select_for_update(skip_locked=True)
                    .filter(statut=StatutEnvoi.EN_ATTENTE, prochain_essai__lte=timezone.now())
                    .order_by("prochain_essai", "id")
                    .values_list("pk", flat=True)
                    .first()
                )
                if pris is None:
                    break
                envoi = Envoi.objects.select_related(
                    "document", "usager", "etablissement", "etablissement__organisme", "demande_par"
                ).get(pk=pris)
                bilan[traiter(envoi)] += 1
    finally:
        reset_actor(jeton)
    return bilan


def traiter(envoi: Envoi) -> str:
    envoi.tentatives += 1
    try:
        with transaction.atomic():
            accuse = EXPEDITEURS[TypeEnvoi(envoi.type_envoi)](envoi)
    except EchecDefinitif as exc:
        envoi.statut, envoi.derniere_erreur = StatutEnvoi.ECHEC, str(exc)[:500]
        resultat = "echec"
    except Exception as exc:  # noqa: BLE001 - a temporary failure or a bug: retried, then shown in French
        if not isinstance(exc, EchecTemporaire):
            logger.exception("Envoi %s : erreur inattendue", envoi.public_id)
            message = f"Erreur inattendue ({exc.__class__.__name__}) : signalez-la si elle persiste."
        else:
            message = str(exc)
        envoi.derniere_erreur = message[:500]
        if envoi.tentatives >= settings.DUI_ENVOI_MAX_TENTATIVES:
            envoi.statut = StatutEnvoi.ECHEC
            envoi.derniere_erreur = f"{message} — abandon après {envoi.tentatives} essais."[:500]
            resultat = "echec"
        else:
            envoi.prochain_essai = timezone.now() + delai_apres(envoi.tentatives)
            resultat = "reessai"
    else:
        envoi.statut, envoi.reponse, envoi.envoye_le, envoi.derniere_erreur = (
            StatutEnvoi.ENVOYE,
            accuse[:300],
            timezone.now(),
            "",
        )
        resultat = "envoye"
    envoi.save()
    return resultat


def _pdf(document: Document) -> bytes:
    if document is None or document.statut != StatutDocument.DISPONIBLE or not document.fichier:
        raise NonEnvoyable("Le document n'est pas disponible.")
    try:
        with document.fichier.open("rb") as f:
            return f.read()
    except FileNotFoundError as exc:
        raise NonEnvoyable("Le fichier du document est introuvable sur le serveur.") from exc


def document_de(envoi: Envoi) -> Document:
    """The document an exchange sends (the DMP and MSSanté exchanges always carry one; a FHIR export none)."""
    if envoi.document is None:
        raise NonEnvoyable("Cet envoi ne porte aucun document.")
    return envoi.document


def _cda(envoi: Envoi, document: Document, pdf: bytes, dlu=None) -> tuple[bytes, uuid.UUID | None]:
    """The CDA of the document; when an earlier version of it is in the DMP, the new one replaces it."""
    from usagers.models import Sejour

    premiere, remplace = None, None
    if document.objet_id is not None:
        versions = Document.objects.filter(objet_id=document.objet_id)
        premiere = (
            versions.filter(version__lt=document.version)
            .order_by("version")
            .values_list("public_id", flat=True)
            .first()
        )
        remplace = (
            versions.filter(
                version__lt=document.version,
                envois__type_envoi=TypeEnvoi.DMP,
                envois__statut=StatutEnvoi.ENVOYE,
            )
            .order_by("-version")
            .first()
        )
    sejour = (
        Sejour.objects.filter(usager=document.usager, etablissement=document.etablissement)
        .order_by("-date_entree")
        .first()
    )
    cda = construire_cda(
        document,
        pdf,
        premiere_version=premiere,
        sejour=sejour,
        remplace_oid=codes.oid_uuid(remplace.public_id) if remplace else None,
        dlu=dlu,
    )
    return cda, (remplace.public_id if remplace else None)


def soumission(envoi: Envoi):
    from . import xds

    document = document_de(envoi)
    usager, etablissement, auteur = document.usager, document.etablissement, document.auteur
    from . import cda_dlu

    # a DLU of a dossier de soins goes structured (volet DLU-EHPAD), with its PDF attached
    dlu = cda_dlu.contexte(document) if document.type_document == TypeDocument.DLU else None
    cda, remplace = _cda(envoi, document, _pdf(document), dlu)
    debut, fin = periode_du_document(document)
    patient = xds.cx(identite_envoyable(usager), usager.oid_ins)
    xon = (
        f"{etablissement.nom}^^^^^&{codes.OID_ID_NAT_STRUCT}&ISO^IDNST^^^1{etablissement.finess_geographique}"
    )
    xcn = (
        f"8{auteur.rpps}^{auteur.nom}^{auteur.prenom}^^^^^^&{codes.OID_ID_NAT_PS}&ISO^D^^^IDNPS"
        if auteur.rpps
        else ""
    )
    return xds.Soumission(
        cda=cda,
        document_oid=codes.oid_uuid(document.public_id),
        document_entry=xds.entry_uuid(document.public_id),
        lot_oid=codes.oid_uuid(envoi.public_id),
        source_oid=settings.DUI_OID_SOURCE,
        patient_cx=patient,
        code_type=(document.code_loinc, document.get_type_document_display()),
        titre=document.titre,
        cree_le=document.produit_le or document.cree_le,
        debut=debut,
        fin=fin,
        auteur_xcn=xcn,
        auteur_xon=xon,
        auteur_role=auteur.get_profession_display(),
        type_etablissement=codes.secteur_activite(etablissement.categorie),
        classe=codes.classe_du_document(document.type_document),
        auteur_systeme_xcn=(
            ""
            if auteur.rpps
            else f"3{etablissement.finess_geographique}/DUI^DUI^DUI — Dossier Usager Informatisé"
            f"^^^^^^&{codes.OID_ID_NAT_PS}&ISO^U^^^RI"
        ),
        auteur_specialite=codes.specialite(auteur.profession) if auteur.rpps else None,
        authentificateur_xcn=(
            f"{identifiant_professionnel(auteur, etablissement)}^{auteur.nom}^{auteur.prenom}"
            f"^^^^^^&{codes.OID_ID_NAT_PS}&ISO^D^^^IDNPS"
        ),
        masquage=list(envoi.masquage),
        format=cda_dlu.FORMAT_DLU if dlu is not None else codes.FORMAT_PDF,
        remplace_entry=xds.entry_uuid(remplace) if remplace else None,
        nom_naissance=usager.nom_naissance,
        prenom=usager.premier_prenom,
        naissance=usager.date_naissance.strftime("%Y%m%d"),
        sexe=usager.sexe,
    )


def envoyer_dmp(envoi: Envoi) -> str:
    from dui.transport import HttpTransport

    from . import xds

    retrait = envoi.operation == OperationEnvoi.RETRAIT
    motif = "" if retrait else motif_blocage_dmp(envoi.document)  # the rules may have changed since
    if motif:
        raise NonEnvoyable(motif)
    transport = HttpTransport(
        settings.DUI_DMP_URL,
        service="Le DMP",
        timeout=settings.DUI_ENVOI_TIMEOUT,
        certificat=settings.DUI_DMP_CERT,
        cle=settings.DUI_DMP_KEY,
        ca=settings.DUI_DMP_CA,
    )
    s = soumission(envoi)
    if retrait:  # ITI-57, as MTOM as every request to the DMP (no attachment)
        from lxml import etree

        from . import mtom

        requete = xds.requete_retrait(s, destination=settings.DUI_DMP_URL, securite=jeton_vihf(envoi, s))
        corps, content_type = mtom.emballer(etree.fromstring(requete), {}, xds.ACTION_MAJ)
        accuse = xds.lire_reponse(transport.envoyer(corps, content_type))
        return "Retiré du DMP (document déprécié)" if accuse == "Accepté par le DMP" else accuse
    corps, content_type = xds.requete_mtom(s, destination=settings.DUI_DMP_URL, securite=jeton_vihf(envoi, s))
    return xds.lire_reponse(transport.envoyer(corps, content_type))


def jeton_vihf(envoi: Envoi, s):
    """The WS-Security header of a DMP request: the VIHF of the professional who asked for the sending, signed
    with the ESMS's certificate (DUI_DMP_VIHF_CERT/KEY, by default the TLS client certificate)."""
    from importlib.metadata import PackageNotFoundError, version

    from . import vihf
    from .cda import identifiant_professionnel

    certificat = settings.DUI_DMP_VIHF_CERT or settings.DUI_DMP_CERT
    cle = settings.DUI_DMP_VIHF_KEY or settings.DUI_DMP_KEY
    if not certificat or not cle:
        raise EchecDefinitif("Le DMP : certificat de la structure (VIHF) non configuré sur ce serveur.")
    try:
        materiel = Path(certificat).read_bytes(), Path(cle).read_bytes()
    except OSError as exc:
        raise EchecDefinitif(f"Le DMP : certificat de la structure (VIHF) illisible ({certificat}).") from exc
    try:
        version_dui = version("dui")
    except PackageNotFoundError:
        version_dui = "dev"
    pro, etablissement = envoi.demande_par, envoi.etablissement
    emetteur = vihf.Emetteur(
        identifiant=identifiant_professionnel(pro, etablissement),
        nom_complet=f"{pro.prenom} {pro.nom}",
        role=vihf.role_vihf(pro.profession),
        structure=f"1{etablissement.finess_geographique}",
        secteur=codes.secteur_activite(etablissement.categorie),
    )
    jeton = vihf.assertion(
        emetteur,
        patient_cx=s.patient_cx,
        certificat_pem=materiel[0],
        cle_pem=materiel[1],
        lps_version=version_dui,
        homologation=settings.DUI_DMP_HOMOLOGATION,
    )
    return vihf.en_tete_securite(jeton)


def courrier_mssante(envoi: Envoi):
    from . import mssante, xds

    document, usager = document_de(envoi), envoi.usager
    s = soumission(envoi)
    expediteur = adresse_expediteur(envoi)
    xdm = mssante.zip_xdm(
        s.cda,
        xds.soumission_objets(s, uri="DOC0001.XML"),
        titre=document.titre,
        expediteur=f"{envoi.etablissement.nom} <{expediteur}>",
    )
    libelle = document.get_type_document_display()
    return mssante.Courrier(
        expediteur=expediteur,
        destinataire=envoi.destinataire,
        sujet=f"XDM/1.0/DDM+{libelle} {usager.nom_naissance.upper()} {usager.premier_prenom} "
        f"{usager.date_naissance:%d/%m/%Y}",
        corps=(
            f"Bonjour,\n\nVeuillez trouver ci-joint « {document.titre} » concernant {usager.nom_naissance.upper()} "
            f"{usager.premier_prenom}, né(e) le {usager.date_naissance:%d/%m/%Y}, accompagné(e) par "
            f"{envoi.etablissement.nom} (FINESS {envoi.etablissement.finess_geographique}).\n\n"
            f"Envoyé par {envoi.demande_par} via le DUI.\n"
        ),
        pdf=_pdf(document),
        nom_pdf=document.nom_fichier,
        xdm=xdm,
        code_cda=document.code_loinc,
        message_id=mssante.message_id(
            f"{envoi.organisme_id}:{envoi.cle_idempotence}:{envoi.public_id}",
            expediteur.partition("@")[2] or "dui.local",
        ),
    )


def adresse_expediteur(envoi: Envoi) -> str:
    """The ESMS's own mailbox when it has one (receipts and answers come back to it), else the platform's."""
    from .models import BoiteMssante

    adresse = (
        BoiteMssante.objects.filter(organisme_id=envoi.organisme_id, etablissement_id=envoi.etablissement_id)
        .values_list("adresse", flat=True)
        .first()
    )
    return adresse or settings.DUI_MSS_EXPEDITEUR


def envoyer_mssante(envoi: Envoi) -> str:
    from . import mssante

    identite_envoyable(envoi.usager)
    transport = mssante.SmtpTransport(
        settings.DUI_MSS_HOTE,
        settings.DUI_MSS_PORT,
        tls=settings.DUI_MSS_TLS,
        utilisateur=settings.DUI_MSS_UTILISATEUR,
        mot_de_passe=settings.DUI_MSS_MOT_DE_PASSE,
        certificat=settings.DUI_MSS_CERT,
        cle=settings.DUI_MSS_KEY,
        ca=settings.DUI_MSS_CA,
        timeout=settings.DUI_ENVOI_TIMEOUT,
    )
    courrier = courrier_mssante(envoi)
    envoi.message_id = courrier.message_id  # saved with the result: receipts and reports find the exchange
    return transport.envoyer(mssante.message(courrier))


def envoyer_fhir(envoi: Envoi) -> str:
    from dui.transport import HttpTransport

    from .fhir import construire_bundle

    bundle = construire_bundle(
        envoi.usager,
        envoi.etablissement,
        identifiant=f"urn:uuid:{envoi.public_id}",
        lecteur=envoi.demande_par,
    )
    transport = HttpTransport(
        settings.DUI_FHIR_URL,
        service="L'entrepôt FHIR",
        timeout=settings.DUI_ENVOI_TIMEOUT,
        certificat=settings.DUI_FHIR_CERT,
        cle=settings.DUI_FHIR_KEY,
        ca=settings.DUI_FHIR_CA,
    )
    corps = transport.envoyer(json.dumps(bundle).encode(), "application/fhir+json")
    try:
        reponse = json.loads(corps)
    except ValueError as exc:
        raise EchecTemporaire("Réponse de l'entrepôt FHIR illisible.") from exc
    if reponse.get("resourceType") == "Bundle" and reponse.get("type") == "transaction-response":
        return f"Accepté par l'entrepôt FHIR ({len(reponse.get('entry', []))} ressources)"
    problemes = [i.get("diagnostics", "") for i in reponse.get("issue", [])]
    raise EchecDefinitif(
        "Refusé par l'entrepôt FHIR — " + ("; ".join(p for p in problemes if p) or "sans détail")
    )


EXPEDITEURS = {TypeEnvoi.DMP: envoyer_dmp, TypeEnvoi.MSSANTE: envoyer_mssante, TypeEnvoi.FHIR: envoyer_fhir}
