"""CDA R2 documents with the CI-SIS header and a non-XML body (the PDF, base64).

``construire_cda`` is deterministic for a given document version: a resend after a worker died produces
the same bytes, hence the same hash for the DMP. ``verifier_structure`` checks what the official CDA
schema (POCD_MT000040) would check on this header, plus the CI-SIS rules; the schema files could not be
obtained here (see docs/decisions/0006-echanges-nationaux.md).
"""

from __future__ import annotations

import base64
import re

from django.utils import timezone
from lxml import etree

from usagers.identite import matricule_partageable

from . import codes
from .erreurs import NonEnvoyable

NS = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
H = f"{{{NS}}}"


def horodatage(moment) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S%z")


def _el(parent, tag, **attrs):
    return etree.SubElement(parent, H + tag, {k.rstrip("_"): str(v) for k, v in attrs.items()})


def _texte(parent, tag, texte, **attrs):
    element = _el(parent, tag, **attrs)
    element.text = texte
    return element


def _code(parent, tag, concept: codes.Concept):
    """A coded element from a value set concept (code, system, published label)."""
    return _el(parent, tag, code=concept.code, codeSystem=concept.systeme, displayName=concept.libelle)


def _organisation(parent, tag, etablissement, *, secteur: bool = False):
    org = _el(parent, tag)
    _el(org, "id", root=codes.OID_ID_NAT_STRUCT, extension=f"1{etablissement.finess_geographique}")
    _texte(org, "name", etablissement.nom)
    if secteur:  # the cadre d'exercice (J04): an ESSMS
        _code(org, "standardIndustryClassCode", codes.cadre_exercice())
    return org


def identifiant_professionnel(pro, etablissement) -> str:
    """A professional's national identifier (OID 1.2.250.1.71.4.2.1): ``8`` + RPPS, or for a professional
    without one the ESMS's internal identifier ``3`` + FINESS + ``/`` + the DUI's id of the account."""
    return f"8{pro.rpps}" if pro.rpps else f"3{etablissement.finess_geographique}/{pro.public_id}"


def _personne(parent, pro) -> None:
    nom = _el(_el(parent, "assignedPerson"), "name")
    _texte(nom, "given", pro.prenom)
    _texte(nom, "family", pro.nom)


def identite_envoyable(usager) -> str:
    """The matricule INS, or ``NonEnvoyable``: only a qualified identity may be shared (RNIV)."""
    matricule = matricule_partageable(usager)
    if matricule is None or not usager.oid_ins:
        raise NonEnvoyable(
            f"L'identité de {usager} n'est pas qualifiée (statut "
            f"« {usager.get_statut_identite_display()} ») : le document ne peut pas partir avec "
            f"l'INS. Qualifiez l'identité (pièce d'identité à haut niveau de confiance et appel "
            f"INSi), puis renvoyez-le."
        )
    return matricule


def periode_du_document(document):
    """(début, fin) of the act the document reports on (documentationOf/serviceEvent)."""
    import datetime

    options = document.options or {}
    if options.get("du") and options.get("au"):
        return datetime.date.fromisoformat(options["du"]), datetime.date.fromisoformat(options["au"])
    jour = timezone.localdate(document.produit_le or document.cree_le)
    return jour, jour


def construire_cda(
    document,
    pdf: bytes,
    *,
    premiere_version=None,
    remplace_oid: str | None = None,
    sejour=None,
    dlu: dict | None = None,
) -> bytes:
    """The CDA R2 of ``document`` (a PDF of the DUI). ``premiere_version``: the public id of the first version
    of the document (setId; the document itself by default); ``remplace_oid``: the id of the version it
    replaces in the DMP. ``dlu``: the DLU's data (``interop.cda_dlu.contexte``): a structured DLU (volet
    DLU-EHPAD) whose attached document is the PDF; without it, the PDF is the body (CI-SIS N1)."""
    from . import cda_dlu

    usager, etablissement, auteur = document.usager, document.etablissement, document.auteur
    matricule = identite_envoyable(usager)
    if not document.code_loinc:
        raise NonEnvoyable("Ce type de document n'a pas de code LOINC : il ne peut pas être envoyé.")
    racine = etree.Element(H + "ClinicalDocument", nsmap={None: NS, "xsi": XSI})
    _el(racine, "realmCode", code="FR")
    _el(racine, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    modele = cda_dlu.TEMPLATE_DLU if dlu is not None else codes.TEMPLATE_PDF_NON_STRUCTURE
    for template in (*codes.TEMPLATES_CISIS, modele):
        _el(racine, "templateId", root=template)
    _el(racine, "id", root=codes.oid_uuid(document.public_id))
    _el(
        racine,
        "code",
        code=document.code_loinc,
        codeSystem=codes.OID_LOINC,
        codeSystemName="LOINC",
        displayName=document.get_type_document_display(),
    )
    _texte(racine, "title", document.titre)
    _el(racine, "effectiveTime", value=horodatage(document.produit_le or document.cree_le))
    # CDA allows one confidentialityCode: "N"; the DMP masking codes travel in the XDS metadata.
    _el(
        racine,
        "confidentialityCode",
        code="N",
        codeSystem=codes.OID_CONFIDENTIALITE_HL7,
        displayName="Normal",
    )
    _el(racine, "languageCode", code="fr-FR")
    _el(racine, "setId", root=codes.oid_uuid(premiere_version or document.public_id))
    _el(racine, "versionNumber", value=str(document.version))

    role = _el(_el(racine, "recordTarget"), "patientRole")
    _el(role, "id", root=usager.oid_ins, extension=matricule)
    patient = _el(role, "patient")
    # INS traits as the CI-SIS encodes them: the birth name (BR) and the used name (CL); the first birth first
    # name (BR), the whole list of birth first names (no qualifier), the used first name (CL)
    nom = _el(patient, "name")
    prenoms = [p for p in (usager.prenoms_naissance or []) if p] or [usager.premier_prenom]
    _texte(nom, "given", usager.premier_prenom or prenoms[0], qualifier="BR")
    _texte(nom, "given", " ".join(prenoms))
    if usager.prenom_utilise:
        _texte(nom, "given", usager.prenom_utilise, qualifier="CL")
    _texte(nom, "family", usager.nom_naissance, qualifier="BR")
    if usager.nom_usage:
        _texte(nom, "family", usager.nom_usage, qualifier="CL")
    _el(
        patient,
        "administrativeGenderCode",
        code={"F": "F", "M": "M"}.get(usager.sexe, "UN"),
        codeSystem=codes.OID_SEXE_HL7,
    )
    _el(patient, "birthTime", value=usager.date_naissance.strftime("%Y%m%d"))
    lieu = _el(_el(_el(patient, "birthplace"), "place"), "addr")
    _texte(lieu, "county", usager.lieu_naissance_insee)

    author = _el(racine, "author")
    _el(author, "time", value=horodatage(document.produit_le or document.cree_le))
    assigned = _el(author, "assignedAuthor")
    if auteur.rpps:
        _el(assigned, "id", root=codes.OID_ID_NAT_PS, extension=f"8{auteur.rpps}")
        _code(assigned, "code", codes.specialite(auteur.profession))
        _personne(assigned, auteur)
    else:  # no national id (educator, aide-soignant…): the software is the author, on behalf of the ESMS
        _el(assigned, "id", root=codes.OID_ID_NAT_STRUCT, extension=f"1{etablissement.finess_geographique}")
        device = _el(assigned, "assignedAuthoringDevice")
        _texte(device, "manufacturerModelName", "DUI")
        _texte(device, "softwareName", "DUI — Dossier Usager Informatisé")
    _organisation(assigned, "representedOrganization", etablissement)

    custodian = _el(_el(racine, "custodian"), "assignedCustodian")
    _organisation(custodian, "representedCustodianOrganization", etablissement)

    legal = _el(racine, "legalAuthenticator")
    _el(legal, "time", value=horodatage(document.produit_le or document.cree_le))
    _el(legal, "signatureCode", code="S")
    # a person (CI-SIS): the professional who produced the document, identified by RPPS or internally
    assigned_legal = _el(legal, "assignedEntity")
    _el(
        assigned_legal,
        "id",
        root=codes.OID_ID_NAT_PS,
        extension=identifiant_professionnel(auteur, etablissement),
    )
    _personne(assigned_legal, auteur)
    _organisation(assigned_legal, "representedOrganization", etablissement)

    if dlu is not None:  # the DLU's informant: the médecin traitant
        cda_dlu.informant(racine, dlu, etablissement.finess_geographique)

    debut, fin = periode_du_document(document)
    evenement = _el(_el(racine, "documentationOf"), "serviceEvent")
    _el(
        evenement,
        "code",
        code=document.code_loinc,
        codeSystem=codes.OID_LOINC,
        displayName=document.get_type_document_display(),
    )
    if dlu is not None:
        cda_dlu.evenement(evenement)
    periode = _el(evenement, "effectiveTime")
    _el(periode, "low", value=debut.strftime("%Y%m%d"))
    _el(periode, "high", value=fin.strftime("%Y%m%d"))
    performer = _el(evenement, "performer", typeCode="PRF")
    entite = _el(performer, "assignedEntity")
    _el(entite, "id", root=codes.OID_ID_NAT_STRUCT, extension=f"1{etablissement.finess_geographique}")
    _organisation(entite, "representedOrganization", etablissement, secteur=True)

    if remplace_oid:
        parent = _el(_el(racine, "relatedDocument", typeCode="RPLC"), "parentDocument")
        _el(parent, "id", root=remplace_oid)

    rencontre = _el(_el(racine, "componentOf"), "encompassingEncounter")
    if sejour is not None:
        periode = _el(rencontre, "effectiveTime")
        _el(periode, "low", value=sejour.date_entree.strftime("%Y%m%d"))
        if sejour.date_sortie:
            _el(periode, "high", value=sejour.date_sortie.strftime("%Y%m%d"))
    else:
        _el(rencontre, "effectiveTime", nullFlavor="UNK")
    lieu = _el(_el(rencontre, "location"), "healthCareFacility")
    _code(lieu, "code", codes.secteur_activite(etablissement.categorie))

    if dlu is not None:
        cda_dlu.corps_structure(racine, cda_dlu.sections(dlu, pdf, document.titre), str(document.public_id))
        return etree.tostring(racine, xml_declaration=True, encoding="UTF-8")
    cda_dlu.pdf_en_base64(_el(_el(racine, "component"), "nonXMLBody"), "text", pdf)
    return etree.tostring(racine, xml_declaration=True, encoding="UTF-8")


# --- structure check -------------------------------------------------------------------------------------

# POCD_MT000040.ClinicalDocument, in schema order: (element, min, max).
SEQUENCE = [
    ("realmCode", 0, None),
    ("typeId", 1, 1),
    ("templateId", 0, None),
    ("id", 1, 1),
    ("code", 1, 1),
    ("title", 0, 1),
    ("effectiveTime", 1, 1),
    ("confidentialityCode", 1, 1),
    ("languageCode", 0, 1),
    ("setId", 0, 1),
    ("versionNumber", 0, 1),
    ("copyTime", 0, 1),
    ("recordTarget", 1, None),
    ("author", 1, None),
    ("dataEnterer", 0, 1),
    ("informant", 0, None),
    ("custodian", 1, 1),
    ("informationRecipient", 0, None),
    ("legalAuthenticator", 0, 1),
    ("authenticator", 0, None),
    ("participant", 0, None),
    ("inFulfillmentOf", 0, None),
    ("documentationOf", 0, None),
    ("relatedDocument", 0, None),
    ("authorization", 0, None),
    ("componentOf", 0, 1),
    ("component", 1, 1),
]
OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")
TS = re.compile(r"^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2})?)?)?)?)?([+-]\d{4})?$")


def verifier_structure(xml: bytes) -> list[str]:
    """Errors of a CDA produced here against the CDA R2 structure and the CI-SIS header rules (empty: OK)."""
    erreurs: list[str] = []
    try:
        racine = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [f"XML mal formé : {exc}"]
    if racine.tag != H + "ClinicalDocument":
        return [f"Racine inattendue : {racine.tag}"]
    noms = [etree.QName(e).localname for e in racine if isinstance(e.tag, str)]
    if any(etree.QName(e).namespace != NS for e in racine if isinstance(e.tag, str)):
        erreurs.append("Un élément de l'en-tête est hors de l'espace de noms urn:hl7-org:v3.")
    rang = {nom: i for i, (nom, _min, _max) in enumerate(SEQUENCE)}
    dernier = -1
    for nom in noms:
        if nom not in rang:
            erreurs.append(f"Élément inconnu de ClinicalDocument : {nom}")
        elif rang[nom] < dernier:
            erreurs.append(f"Élément hors de l'ordre du schéma : {nom}")
        else:
            dernier = rang[nom]
    for nom, minimum, maximum in SEQUENCE:
        if noms.count(nom) < minimum:
            erreurs.append(f"Élément obligatoire absent : {nom}")
        if maximum is not None and noms.count(nom) > maximum:
            erreurs.append(f"Élément répété : {nom}")

    def un(chemin):
        trouves = racine.xpath(chemin, namespaces={"h": NS})
        return trouves[0] if trouves else None

    type_id = un("h:typeId")
    if type_id is None or (type_id.get("root"), type_id.get("extension")) != (
        "2.16.840.1.113883.1.3",
        "POCD_HD000040",
    ):
        erreurs.append("typeId doit être 2.16.840.1.113883.1.3 / POCD_HD000040.")
    if un("h:realmCode[@code='FR']") is None:
        erreurs.append("realmCode FR absent.")
    templates = {e.get("root") for e in racine.xpath("h:templateId", namespaces={"h": NS})}
    for template in codes.TEMPLATES_CISIS:
        if template not in templates:
            erreurs.append(f"templateId CI-SIS absent : {template}")
    for element in racine.xpath("//h:id | //h:setId | //h:templateId | //h:typeId", namespaces={"h": NS}):
        if element.get("nullFlavor") is None and not OID.match(element.get("root") or ""):
            erreurs.append(
                f"{etree.QName(element).localname} : racine « {element.get('root')} » qui n'est pas un OID."
            )
    for element in racine.xpath(
        "//*[@value][local-name()='effectiveTime' or local-name()='time' or "
        "local-name()='birthTime' or local-name()='low' or local-name()='high']"
    ):
        if not TS.match(element.get("value")):
            erreurs.append(f"Horodatage invalide : {element.get('value')}")
    if un(f"h:code[@codeSystem='{codes.OID_LOINC}']") is None:
        erreurs.append("Le code du document doit être un code LOINC.")
    if un("h:confidentialityCode[@code='N']") is None:
        erreurs.append("confidentialityCode N absent.")
    if un("h:languageCode[@code='fr-FR']") is None:
        erreurs.append("languageCode fr-FR absent.")
    if (un("h:setId") is None) != (un("h:versionNumber") is None):
        erreurs.append("setId et versionNumber vont ensemble.")
    patient = un("h:recordTarget/h:patientRole/h:id")
    if patient is None or patient.get("root") not in (
        "1.2.250.1.213.1.4.8",
        "1.2.250.1.213.1.4.9",
        "1.2.250.1.213.1.4.10",
        "1.2.250.1.213.1.4.11",
    ):
        erreurs.append("Le patient doit être identifié par son INS (OID INS-NIR ou INS-NIA).")
    for chemin in (
        "h:recordTarget/h:patientRole/h:patient/h:birthTime",
        "h:recordTarget/h:patientRole/h:patient/h:administrativeGenderCode",
        "h:author/h:time",
        "h:author/h:assignedAuthor/h:id",
        "h:custodian/h:assignedCustodian/h:representedCustodianOrganization/h:id",
    ):
        if un(chemin) is None:
            erreurs.append(f"Élément obligatoire absent : {chemin.replace('h:', '')}")
    auteur = un("h:author/h:assignedAuthor")
    if auteur is not None and (un("h:author/h:assignedAuthor/h:assignedPerson") is None) == (
        un("h:author/h:assignedAuthor/h:assignedAuthoringDevice") is None
    ):
        erreurs.append("L'auteur est une personne ou un logiciel (un seul des deux).")
    texte = un("h:component/h:nonXMLBody/h:text")
    if texte is None:
        erreurs.append("Corps non structuré (nonXMLBody/text) absent.")
    elif texte.get("representation") != "B64" or texte.get("mediaType") != "application/pdf":
        erreurs.append("Le corps doit être un PDF en base64 (mediaType application/pdf, representation B64).")
    else:
        try:
            if not base64.b64decode(texte.text or "", validate=True).startswith(b"%PDF"):
                erreurs.append("Le corps n'est pas un PDF.")
        except ValueError:
            erreurs.append("Le corps n'est pas du base64 valide.")
    return erreurs
