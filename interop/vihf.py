"""The VIHF (vecteur d'identification et d'habilitation formelles) of a DMP request: a SAML 2.0 assertion that
says who sends, for which structure and which person, signed (XML-DSig, enveloped, exclusive C14N, RSA-SHA256)
with the ESMS's certificate, carried in the WS-Security header of the SOAP request.

Fields as the ANS mapping of the CDA transmission guide lists them (« Mapping VIHF pour le DMP »,
ansforge/IG-hl7v2-volet-transmission-document-cda-r2): Issuer = the certificate's subject DN; NameID = the
professional's national identifier (the person responsible for an automated processing); subject-id; roles
(profession); purpose of use « normal »; VIHF_Version 4.0; Authentification_Mode INDIRECTE (the DUI
authenticated the professional); Identifiant_Structure; Secteur_Activite; resource-id = the person's INS;
Ressource_URN urn:dmp; LPS_Nom, LPS_Version, LPS_ID_HOMOLOGATION_DMP. The signature is signxml's.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from lxml import etree

from . import codes

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
X509_SUBJECT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
CONTEXTE_AUTHENTIFICATION = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
OID_MODE_ACCES = "1.2.250.1.213.1.1.4.248"  # mode d'accès VIHF (purpose of use)
OID_PROFESSION = "1.2.250.1.71.1.2.7"  # TRE_G15 ProfessionSante
VERSION = "4.0"
ATTRIBUTS_REQUIS = (
    "VIHF_Version",
    "Authentification_Mode",
    "Identifiant_Structure",
    "Secteur_Activite",
    "urn:oasis:names:tc:xacml:2.0:resource:resource-id",
    "urn:oasis:names:tc:xacml:2.0:subject:role",
    "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse",
    "Ressource_URN",
    "LPS_Nom",
    "LPS_Version",
)


@dataclass(frozen=True)
class Emetteur:
    """Who sends: the professional (or the person responsible for the processing) and their ESMS."""

    identifiant: str  # 8 + RPPS, or 3 + FINESS/…
    nom_complet: str
    role: codes.Concept  # profession (TRE_G15) or social profession
    structure: str  # 1 + FINESS géographique
    secteur: codes.Concept  # J02/J61


def role_vihf(profession: str) -> codes.Concept:
    """The first role of the VIHF: the TRE_G15 profession for a health professional (J01 ``G15_xx`` → ``xx``),
    the social profession code of J01 otherwise."""
    specialite = codes.specialite(profession)
    if specialite.code.startswith("G15_"):
        return codes.Concept(specialite.code.removeprefix("G15_"), OID_PROFESSION, specialite.libelle)
    return specialite


def _el(parent, tag: str, texte: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if texte is not None:
        element.text = texte
    return element


def _attribut(parent, nom: str, valeur: str | None = None) -> etree._Element:
    attribut = _el(parent, f"{{{SAML}}}Attribute", Name=nom)
    return _el(attribut, f"{{{SAML}}}AttributeValue", valeur)


def _code(parent, nom: str, tag: str, concept: codes.Concept) -> None:
    valeur = _attribut(parent, nom)
    _el(
        valeur,
        f"{{{HL7}}}{tag}",
        code=concept.code,
        codeSystem=concept.systeme,
        displayName=concept.libelle,
        **{f"{{{XSI}}}type": "CE"},
    )


def assertion(
    emetteur: Emetteur,
    *,
    patient_cx: str,
    certificat_pem: bytes,
    cle_pem: bytes,
    lps_version: str,
    homologation: str,
    moment: datetime.datetime | None = None,
) -> etree._Element:
    """The signed VIHF assertion."""
    from cryptography import x509
    from signxml import SignatureConstructionMethod, XMLSigner

    moment = (moment or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    instant = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    certificat = x509.load_pem_x509_certificate(certificat_pem)
    racine = etree.Element(
        f"{{{SAML}}}Assertion",
        {"ID": f"_{uuid.uuid4()}", "IssueInstant": instant, "Version": "2.0"},
        nsmap={"saml2": SAML, "xsi": XSI},
    )
    _el(racine, f"{{{SAML}}}Issuer", certificat.subject.rfc4514_string(), Format=X509_SUBJECT)
    # signxml puts the signature here, after the Issuer, as the SAML schema orders it
    etree.SubElement(racine, f"{{{DS}}}Signature", {"Id": "placeholder"}, nsmap={"ds": DS})
    _el(_el(racine, f"{{{SAML}}}Subject"), f"{{{SAML}}}NameID", emetteur.identifiant)
    _el(
        racine,
        f"{{{SAML}}}Conditions",
        NotBefore=(moment - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        NotOnOrAfter=(moment + datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    authn = _el(racine, f"{{{SAML}}}AuthnStatement", AuthnInstant=instant)
    _el(_el(authn, f"{{{SAML}}}AuthnContext"), f"{{{SAML}}}AuthnContextClassRef", CONTEXTE_AUTHENTIFICATION)
    attributs = _el(racine, f"{{{SAML}}}AttributeStatement")
    _attribut(attributs, "urn:oasis:names:tc:xspa:1.0:subject:subject-id", emetteur.nom_complet)
    _code(attributs, "urn:oasis:names:tc:xacml:2.0:subject:role", "Role", emetteur.role)
    _code(
        attributs,
        "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse",
        "PurposeOfUse",
        codes.Concept("normal", OID_MODE_ACCES, "Accès normal"),
    )
    for nom, valeur in (
        ("VIHF_Version", VERSION),
        ("Authentification_Mode", "INDIRECTE"),
        ("Identifiant_Structure", emetteur.structure),
        ("Secteur_Activite", f"{emetteur.secteur.code}^{emetteur.secteur.systeme}"),
        ("urn:oasis:names:tc:xacml:2.0:resource:resource-id", patient_cx),
        ("Ressource_URN", "urn:dmp"),
        ("LPS_Nom", "DUI"),
        ("LPS_Version", lps_version),
        ("LPS_ID_HOMOLOGATION_DMP", homologation),
    ):
        _attribut(attributs, nom, valeur)
    signataire = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    )
    signataire.namespaces = {"ds": DS}
    signee: etree._Element = signataire.sign(
        racine, key=cle_pem, cert=certificat_pem.decode("ascii"), reference_uri=racine.get("ID")
    )
    return signee


def en_tete_securite(jeton: etree._Element) -> etree._Element:
    securite = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
    securite.append(jeton)
    return securite


def verifier(requete: etree._Element, *, ca: str, patient_cx: str) -> list[str]:
    """What a DMP would refuse in the VIHF of a request (used by the local DMP test server): no token, a
    signature that does not verify against the CA, a missing attribute, another person than the request's."""
    from signxml import XMLVerifier
    from signxml.exceptions import InvalidInput, InvalidSignature

    jetons = requete.findall(f".//{{{WSSE}}}Security/{{{SAML}}}Assertion")
    if len(jetons) != 1:
        return ["VIHF absent de l'en-tête WS-Security"]
    try:
        resultat = XMLVerifier().verify(etree.tostring(jetons[0]), ca_pem_file=ca)
    except (InvalidSignature, InvalidInput) as exc:
        return [f"VIHF : signature invalide ({exc.__class__.__name__})"]
    signe = resultat[0].signed_xml if isinstance(resultat, list) else resultat.signed_xml
    if signe is None:
        return ["VIHF : rien n'est signé"]
    noms = {a.get("Name"): a for a in signe.iter(f"{{{SAML}}}Attribute")}
    erreurs = [f"VIHF : attribut {nom} absent" for nom in ATTRIBUTS_REQUIS if nom not in noms]
    ressource = noms.get("urn:oasis:names:tc:xacml:2.0:resource:resource-id")
    if ressource is not None and ressource.findtext(f"{{{SAML}}}AttributeValue") != patient_cx:
        erreurs.append("VIHF : la ressource n'est pas la personne de la soumission")
    mode = noms.get("Authentification_Mode")
    if mode is not None and mode.findtext(f"{{{SAML}}}AttributeValue") != "INDIRECTE":
        erreurs.append("VIHF : mode d'authentification inattendu")
    return erreurs
