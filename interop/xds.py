"""IHE XDS.b Provide and Register Document Set-b (ITI-41), SOAP 1.2 with WS-Addressing.

The document travels inline (base64 in ``xdsb:Document``) rather than as an MTOM part: one XML body that
the relay can rebuild byte for byte on a resend, and that the test endpoint checks with lxml alone. The
registry answer is read here too (``lire_reponse``), and ``lire_requete`` is what the local test endpoint
uses to check a request: both sides of the protocol live in one module.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import uuid
from dataclasses import dataclass, field

from django.utils import timezone
from lxml import etree

from . import codes
from .erreurs import EchecDefinitif, EchecTemporaire

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
XDSB = "urn:ihe:iti:xds-b:2007"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
NSMAP = {"soap": SOAP, "wsa": WSA, "xdsb": XDSB, "lcm": LCM, "rim": RIM, "rs": RS}
ACTION = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
SUCCES = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
DOUBLON = "XDSDuplicateUniqueIdInRegistry"
ECHEC = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
CONTENT_TYPE = f'application/soap+xml; charset=UTF-8; action="{ACTION}"'

# XDS metadata schemes (IHE ITI TF-3 §4.2.5).
DOC_ENTRY = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
SUBMISSION_SET = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
SCHEMES = {
    "author": "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d",
    "classCode": "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a",
    "confidentialityCode": "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f",
    "formatCode": "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d",
    "healthcareFacilityTypeCode": "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1",
    "practiceSettingCode": "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead",
    "typeCode": "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983",
    "ss.author": "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d",
    "ss.contentTypeCode": "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500",
}
DOC_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DOC_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
SS_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
SS_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SS_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
RPLC = "urn:ihe:iti:2007:AssociationType:RPLC"
# ITI-57 (XDS Metadata Update): a document's availability status changed by the source that submitted it
ACTION_MAJ = "urn:ihe:iti:2010:UpdateDocumentSet"
MAJ_STATUT = "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
APPROUVE = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECIE = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
OIDS_INS = ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11")
DOC_OBLIGATOIRES = (
    "author",
    "classCode",
    "confidentialityCode",
    "formatCode",
    "healthcareFacilityTypeCode",
    "practiceSettingCode",
    "typeCode",
)


def R(tag):  # noqa: N802 - a namespace helper
    return f"{{{RIM}}}{tag}"


def entry_uuid(document_public_id) -> str:
    return f"urn:uuid:{uuid.UUID(str(document_public_id))}"


def cx(matricule: str, oid: str) -> str:
    return f"{matricule}^^^&{oid}&ISO"


@dataclass
class Soumission:
    """What goes into one ITI-41 request (built by ``interop.services``)."""

    cda: bytes
    document_oid: str  # XDSDocumentEntry.uniqueId = the CDA's id
    document_entry: str  # entryUUID (urn:uuid:…)
    lot_oid: str  # XDSSubmissionSet.uniqueId: the idempotency key of the exchange
    source_oid: str
    patient_cx: str
    code_type: tuple[str, str]  # (LOINC, libellé)
    titre: str
    cree_le: datetime.datetime
    debut: datetime.date
    fin: datetime.date
    auteur_xcn: str
    auteur_xon: str
    auteur_role: str
    type_etablissement: codes.Concept  # J02; also the activity of the submission set (contentTypeCode, J59)
    classe: codes.Concept  # J57
    auteur_systeme_xcn: str = ""  # the software, when the author has no national id (authorPerson)
    auteur_specialite: codes.Concept | None = None  # J01
    authentificateur_xcn: str = ""  # legalAuthenticator: a person
    masquage: list[str] = field(default_factory=list)
    format: tuple[str, str, str] = codes.FORMAT_PDF  # formatCode: the PDF, or the structured model (DLU)
    remplace_entry: str | None = None
    nom_naissance: str = ""
    prenom: str = ""
    naissance: str = ""
    sexe: str = ""


def _slot(parent, nom, *valeurs):
    slot = etree.SubElement(parent, R("Slot"), name=nom)
    liste = etree.SubElement(slot, R("ValueList"))
    for valeur in valeurs:
        etree.SubElement(liste, R("Value")).text = valeur


def _nom(parent, texte):
    etree.SubElement(etree.SubElement(parent, R("Name")), R("LocalizedString"), value=texte)


def _classification_codee(parent, objet, schema, code, systeme, libelle, n):
    c = etree.SubElement(
        parent,
        R("Classification"),
        classificationScheme=SCHEMES[schema],
        classifiedObject=objet,
        nodeRepresentation=code,
        id=f"cl-{objet}-{n}",
        objectType=("urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification"),
    )
    _slot(c, "codingScheme", systeme)
    _nom(c, libelle)


def _auteur(parent, objet, schema, s: Soumission, n):
    c = etree.SubElement(
        parent,
        R("Classification"),
        classificationScheme=SCHEMES[schema],
        classifiedObject=objet,
        nodeRepresentation="",
        id=f"cl-{objet}-{n}",
    )
    if s.auteur_xcn or s.auteur_systeme_xcn:
        _slot(c, "authorPerson", s.auteur_xcn or s.auteur_systeme_xcn)
    _slot(c, "authorInstitution", s.auteur_xon)
    _slot(c, "authorRole", s.auteur_role)
    if s.auteur_specialite is not None:
        specialite = s.auteur_specialite
        _slot(c, "authorSpecialty", f"{specialite.code}^{specialite.libelle}^{specialite.systeme}")


def _identifiant(parent, objet, schema, valeur, nom, n):
    e = etree.SubElement(
        parent,
        R("ExternalIdentifier"),
        identificationScheme=schema,
        value=valeur,
        id=f"ei-{objet}-{n}",
        registryObject=objet,
    )
    _nom(e, nom)


ANONYME = "http://www.w3.org/2005/08/addressing/anonymous"


def _enveloppe(
    action: str, message_id: str, corps: etree._Element, destination: str, securite: etree._Element | None
) -> bytes:
    """A SOAP 1.2 request with the WS-Addressing headers IHE ITI TF-2x V.3.2 asks for: Action, MessageID, To
    (the endpoint the request is sent to), ReplyTo (anonymous: the answer comes back on the same
    connection), and the WS-Security header with the VIHF."""
    enveloppe = etree.Element(f"{{{SOAP}}}Envelope", nsmap=NSMAP)
    entete = etree.SubElement(enveloppe, f"{{{SOAP}}}Header")
    etree.SubElement(entete, f"{{{WSA}}}Action", {f"{{{SOAP}}}mustUnderstand": "true"}).text = action
    etree.SubElement(entete, f"{{{WSA}}}MessageID").text = message_id
    etree.SubElement(etree.SubElement(entete, f"{{{WSA}}}ReplyTo"), f"{{{WSA}}}Address").text = ANONYME
    if destination:
        etree.SubElement(entete, f"{{{WSA}}}To", {f"{{{SOAP}}}mustUnderstand": "true"}).text = destination
    if securite is not None:  # WS-Security with the VIHF (interop.vihf)
        entete.append(securite)
    etree.SubElement(enveloppe, f"{{{SOAP}}}Body").append(corps)
    return etree.tostring(enveloppe, xml_declaration=True, encoding="UTF-8")


def construire_requete(s: Soumission, destination: str = "", securite: etree._Element | None = None) -> bytes:
    """The SOAP 1.2 request of ITI-41 (the document inline in base64: ``requete_mtom`` is what travels)."""
    requete = etree.Element(f"{{{XDSB}}}ProvideAndRegisterDocumentSetRequest", nsmap=NSMAP)
    requete.append(soumission_objets(s))
    contenu = etree.SubElement(requete, f"{{{XDSB}}}Document", id=s.document_entry)
    contenu.text = base64.b64encode(s.cda).decode("ascii")
    return _enveloppe(
        ACTION, f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_OID, s.lot_oid)}", requete, destination, securite
    )


def requete_retrait(s: Soumission, destination: str = "", securite: etree._Element | None = None) -> bytes:
    """The ITI-57 request that deprecates the document ``s.document_entry`` already in the registry (entered
    in error): a submission set and an ``UpdateAvailabilityStatus`` association from it to the entry, with
    the original and the new status (IHE ITI TF-2b 3.57.4.1.3.3.2)."""
    soumission = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap={"lcm": LCM, "rim": RIM})
    liste = etree.SubElement(soumission, R("RegistryObjectList"))
    lot = _lot(liste, s, f"Retrait : {s.titre}")
    maj = etree.SubElement(
        liste,
        R("Association"),
        associationType=MAJ_STATUT,
        sourceObject=lot,
        targetObject=s.document_entry,
        id="as-maj-statut",
    )
    _slot(maj, "OriginalStatus", APPROUVE)
    _slot(maj, "NewStatus", DEPRECIE)
    return _enveloppe(
        ACTION_MAJ, f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_OID, s.lot_oid)}", soumission, destination, securite
    )


def requete_mtom(
    s: Soumission, destination: str = "", securite: etree._Element | None = None
) -> tuple[bytes, str]:
    """The ITI-41 request as it travels: MTOM/XOP, the CDA as a binary part (``interop.mtom``). Its body and
    its Content-Type."""
    from . import mtom

    enveloppe = etree.fromstring(construire_requete(s, destination, securite))
    return mtom.emballer(enveloppe, {s.document_entry: s.cda}, ACTION)


def soumission_objets(s: Soumission, uri: str | None = None):
    """The ``lcm:SubmitObjectsRequest`` (XDS metadata) of ITI-41, also the METADATA.XML of an XDM zip
    (with the document's ``URI`` in the zip)."""
    soumission = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap={"lcm": LCM, "rim": RIM})
    liste = etree.SubElement(soumission, R("RegistryObjectList"))

    entree = etree.SubElement(
        liste,
        R("ExtrinsicObject"),
        id=s.document_entry,
        mimeType="text/xml",
        objectType=DOC_ENTRY,
        status="urn:oasis:names:tc:ebxml-regrep:StatusType:Approved",
    )
    doc = s.document_entry
    _slot(entree, "creationTime", s.cree_le.astimezone(datetime.UTC).strftime("%Y%m%d%H%M%S"))
    _slot(entree, "hash", hashlib.sha1(s.cda).hexdigest())  # noqa: S324 - XDS mandates SHA-1 here
    _slot(entree, "size", str(len(s.cda)))
    _slot(entree, "languageCode", "fr-FR")
    _slot(entree, "serviceStartTime", s.debut.strftime("%Y%m%d"))
    _slot(entree, "serviceStopTime", s.fin.strftime("%Y%m%d"))
    _slot(entree, "sourcePatientId", s.patient_cx)
    if uri:
        _slot(entree, "URI", uri)
    _slot(
        entree,
        "sourcePatientInfo",
        f"PID-5|{s.nom_naissance}^{s.prenom}^^^^^L",
        f"PID-7|{s.naissance}",
        f"PID-8|{s.sexe}",
    )
    if s.authentificateur_xcn:
        _slot(entree, "legalAuthenticator", s.authentificateur_xcn)
    _nom(entree, s.titre)
    n = 0
    _auteur(entree, doc, "author", s, n)
    classe = s.classe
    cadre = codes.cadre_exercice()
    masques = [codes.masquage(m) for m in s.masquage]
    lignes = [
        ("classCode", classe.code, classe.systeme, classe.libelle),
        ("confidentialityCode", "N", codes.OID_CONFIDENTIALITE_HL7, "Normal"),
        *[("confidentialityCode", m.code, m.systeme, m.libelle) for m in masques],
        ("formatCode", s.format[0], s.format[1], s.format[2]),
        (
            "healthcareFacilityTypeCode",
            s.type_etablissement.code,
            s.type_etablissement.systeme,
            s.type_etablissement.libelle,
        ),
        ("practiceSettingCode", cadre.code, cadre.systeme, cadre.libelle),
        ("typeCode", s.code_type[0], codes.OID_LOINC, s.code_type[1]),
    ]
    for schema, code, systeme, libelle in lignes:
        n += 1
        _classification_codee(entree, doc, schema, code, systeme, libelle, n)
    _identifiant(entree, doc, DOC_PATIENT_ID, s.patient_cx, "XDSDocumentEntry.patientId", 1)
    _identifiant(entree, doc, DOC_UNIQUE_ID, s.document_oid, "XDSDocumentEntry.uniqueId", 2)

    lot = _lot(liste, s, s.titre)
    membre = etree.SubElement(
        liste,
        R("Association"),
        associationType=HAS_MEMBER,
        sourceObject=lot,
        targetObject=doc,
        id="as-membre",
    )
    _slot(membre, "SubmissionSetStatus", "Original")
    if s.remplace_entry:
        etree.SubElement(
            liste,
            R("Association"),
            associationType=RPLC,
            sourceObject=doc,
            targetObject=s.remplace_entry,
            id="as-remplace",
        )
    return soumission


def _lot(liste, s: Soumission, titre: str) -> str:
    """The submission set (``RegistryPackage`` classified as such) of a request; its id."""
    lot = "SubmissionSet01"
    paquet = etree.SubElement(liste, R("RegistryPackage"), id=lot)
    _slot(paquet, "submissionTime", timezone.now().astimezone(datetime.UTC).strftime("%Y%m%d%H%M%S"))
    _nom(paquet, titre)
    _auteur(paquet, lot, "ss.author", s, 0)
    # the activity that produced the submission (J59: not the LOINC document code): the ESMS's sector
    activite = s.type_etablissement
    _classification_codee(
        paquet, lot, "ss.contentTypeCode", activite.code, activite.systeme, activite.libelle, 1
    )
    _identifiant(paquet, lot, SS_UNIQUE_ID, s.lot_oid, "XDSSubmissionSet.uniqueId", 1)
    _identifiant(paquet, lot, SS_SOURCE_ID, s.source_oid, "XDSSubmissionSet.sourceId", 2)
    _identifiant(paquet, lot, SS_PATIENT_ID, s.patient_cx, "XDSSubmissionSet.patientId", 3)
    etree.SubElement(
        liste, R("Classification"), classifiedObject=lot, classificationNode=SUBMISSION_SET, id="cl-lot"
    )
    return lot


def lire_reponse(corps: bytes) -> str:
    """The registry's answer: returns on success, raises ``EchecDefinitif`` with the registry errors."""
    from .mtom import enveloppe_de_reponse

    try:
        racine = etree.fromstring(enveloppe_de_reponse(corps))
    except etree.XMLSyntaxError as exc:
        raise EchecTemporaire(f"Réponse du DMP illisible : {exc}") from exc
    reponse = racine.find(f".//{{{RS}}}RegistryResponse")
    if reponse is None:
        faute = racine.findtext(f".//{{{SOAP}}}Text")
        raise EchecTemporaire(
            f"Le DMP n'a pas répondu par un RegistryResponse ({faute or 'réponse inattendue'})."
        )
    if reponse.get("status") == SUCCES:
        return "Accepté par le DMP"
    erreurs = list(reponse.iter(f"{{{RS}}}RegistryError"))
    if erreurs and all(e.get("errorCode") == DOUBLON for e in erreurs):
        # The identifiers are derived from the exchange and the document, never drawn at sending time: a
        # uniqueId the registry already holds is this very document, sent by an attempt whose answer was
        # lost (IHE ITI TF-3 4.2.3.1.7: a resubmission is refused with XDSDuplicateUniqueIdInRegistry; a
        # different content under the same id would be XDSNonIdenticalHash, still an error).
        return "Déjà présent dans le DMP (renvoi reconnu)"
    raise EchecDefinitif(
        "Refusé par le DMP — "
        + (
            "; ".join(f"{e.get('errorCode')} : {e.get('codeContext')}" for e in erreurs)
            or "erreur sans détail"
        )
    )


# --- the receiving side (local test endpoint) ------------------------------------------------------------


@dataclass
class RequeteRecue:
    lot_oid: str = ""
    patient: str = ""
    documents: dict = field(default_factory=dict)  # uniqueId → {"entry", "hash", "cda", "confidentialite", …}
    remplacements: list = field(default_factory=list)  # (source entry, target entry)
    erreurs: list = field(default_factory=list)  # (errorCode, codeContext)
    action: str = ""
    mises_a_jour: list = field(default_factory=list)  # ITI-57: (target entry, original status, new status)


def _valeurs(element, nom):
    return [
        v.text for v in element.xpath(f"rim:Slot[@name='{nom}']/rim:ValueList/rim:Value", namespaces=NSMAP)
    ]


def lire_requete(corps: bytes, ca_vihf: str | None = None) -> RequeteRecue:
    """Check an ITI-41 request as a registry would: metadata present and coherent, hash and size of each
    document, patient identified by an INS; with ``ca_vihf``, the VIHF too (signed by a certificate of that
    CA, the required attributes, the same person)."""
    recue = RequeteRecue()
    try:
        racine = etree.fromstring(corps)
    except etree.XMLSyntaxError as exc:
        recue.erreurs.append(("XDSRegistryMetadataError", f"XML mal formé : {exc}"))
        return recue
    recue.action = racine.findtext(f".//{{{WSA}}}Action") or ""
    if recue.action not in (ACTION, ACTION_MAJ):
        recue.erreurs.append(("XDSRegistryMetadataError", "wsa:Action absent ou inattendu"))
    if (
        not racine.findtext(f".//{{{WSA}}}To")
        or racine.findtext(f".//{{{WSA}}}ReplyTo/{{{WSA}}}Address") != ANONYME
    ):
        recue.erreurs.append(("XDSRegistryMetadataError", "wsa:To ou wsa:ReplyTo absent"))
    contenus = {d.get("id"): base64.b64decode(d.text or "") for d in racine.iter(f"{{{XDSB}}}Document")}
    paquet = racine.find(".//" + R("RegistryPackage"))
    if paquet is None:
        recue.erreurs.append(("XDSRegistryMetadataError", "SubmissionSet absent"))
        return recue
    ids = {e.get("identificationScheme"): e.get("value") for e in paquet.iter(R("ExternalIdentifier"))}
    recue.lot_oid, recue.patient = ids.get(SS_UNIQUE_ID, ""), ids.get(SS_PATIENT_ID, "")
    if not recue.lot_oid or not ids.get(SS_SOURCE_ID):
        recue.erreurs.append(("XDSRegistryMetadataError", "SubmissionSet sans uniqueId ou sourceId"))
    for contenu_lot in paquet.iter(R("Classification")):
        if contenu_lot.get("classificationScheme") == SCHEMES["ss.contentTypeCode"] and (
            codes.OID_LOINC in _valeurs(contenu_lot, "codingScheme")
        ):
            recue.erreurs.append(
                (
                    "XDSRegistryMetadataError",
                    "contentTypeCode : code d'activité (J59) attendu, pas un code LOINC",
                )
            )
    if recue.patient.split("&")[1:2] not in ([o] for o in OIDS_INS):
        recue.erreurs.append(("XDSUnknownPatientId", f"patientId non INS : {recue.patient}"))
    if ca_vihf:
        from .vihf import verifier

        recue.erreurs.extend(
            ("XDSRegistryError", e) for e in verifier(racine, ca=ca_vihf, patient_cx=recue.patient)
        )
    for association in racine.iter(R("Association")):
        if association.get("associationType") == MAJ_STATUT:
            recue.mises_a_jour.append(
                (
                    association.get("targetObject") or "",
                    (_valeurs(association, "OriginalStatus") or [""])[0],
                    (_valeurs(association, "NewStatus") or [""])[0],
                )
            )
    if recue.action == ACTION_MAJ and not recue.mises_a_jour:
        recue.erreurs.append(("XDSMetadataUpdateError", "aucune mise à jour de statut dans la requête"))
    for entree in racine.iter(R("ExtrinsicObject")):
        entry = entree.get("id")
        schemes = [c.get("classificationScheme") for c in entree.iter(R("Classification"))]
        for nom in DOC_OBLIGATOIRES:
            if SCHEMES[nom] not in schemes:
                recue.erreurs.append(("XDSRegistryMetadataError", f"{entry} : {nom} absent"))
        doc_ids = {
            e.get("identificationScheme"): e.get("value") for e in entree.iter(R("ExternalIdentifier"))
        }
        if doc_ids.get(DOC_PATIENT_ID) != recue.patient:
            recue.erreurs.append(("XDSPatientIdDoesNotMatch", f"{entry} : patientId différent du lot"))
        contenu = contenus.get(entry)
        if contenu is None:
            recue.erreurs.append(("XDSMissingDocument", f"{entry} : document absent"))
            continue
        hash_, taille = (_valeurs(entree, "hash") or [""])[0], (_valeurs(entree, "size") or [""])[0]
        if hash_ != hashlib.sha1(contenu).hexdigest() or taille != str(len(contenu)):  # noqa: S324
            recue.erreurs.append(("XDSRepositoryMetadataError", f"{entry} : hash ou taille incorrects"))
        institutions = [v for c in entree.iter(R("Classification")) for v in _valeurs(c, "authorInstitution")]
        if not any("&1.2.250.1.71.4.2.2&ISO" in v for v in institutions):
            recue.erreurs.append(
                ("XDSRegistryMetadataError", f"{entry} : structure (FINESS) de l'auteur absente")
            )
        # what the DMP requires of an entry (jdv_dmp.json, DMP_required_document_entry): a person who takes
        # responsibility for the document, an author (person or system)
        if not _valeurs(entree, "legalAuthenticator"):
            recue.erreurs.append(("XDSRegistryMetadataError", f"{entry} : legalAuthenticator absent"))
        if not [v for c in entree.iter(R("Classification")) for v in _valeurs(c, "authorPerson")]:
            recue.erreurs.append(("XDSRegistryMetadataError", f"{entry} : authorPerson absent"))
        confidentialite = [
            c.get("nodeRepresentation")
            for c in entree.iter(R("Classification"))
            if c.get("classificationScheme") == SCHEMES["confidentialityCode"]
        ]
        type_code = [
            c.get("nodeRepresentation")
            for c in entree.iter(R("Classification"))
            if c.get("classificationScheme") == SCHEMES["typeCode"]
        ]
        recue.documents[doc_ids.get(DOC_UNIQUE_ID, "")] = {
            "entry": entry,
            "hash": hash_,
            "cda": contenu,
            "confidentialite": confidentialite,
            "type": (type_code or [""])[0],
        }
    for association in racine.iter(R("Association")):
        if association.get("associationType") == RPLC:
            recue.remplacements.append((association.get("sourceObject"), association.get("targetObject")))
    return recue


def reponse(erreurs=()) -> bytes:
    enveloppe = etree.Element(f"{{{SOAP}}}Envelope", nsmap=NSMAP)
    entete = etree.SubElement(enveloppe, f"{{{SOAP}}}Header")
    etree.SubElement(entete, f"{{{WSA}}}Action").text = ACTION + "Response"
    corps = etree.SubElement(enveloppe, f"{{{SOAP}}}Body")
    reponse_ = etree.SubElement(corps, f"{{{RS}}}RegistryResponse", status=ECHEC if erreurs else SUCCES)
    if erreurs:
        liste = etree.SubElement(reponse_, f"{{{RS}}}RegistryErrorList")
        for code, contexte in erreurs:
            etree.SubElement(
                liste,
                f"{{{RS}}}RegistryError",
                errorCode=code,
                codeContext=contexte,
                severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error",
            )
    return etree.tostring(enveloppe, xml_declaration=True, encoding="UTF-8")
