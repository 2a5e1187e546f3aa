"""CDA R2 with the CI-SIS header: parsed back with lxml, each header element asserted; the QUAL rule."""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from documents.models import TypeDocument
from dui.tenancy import tenant_context
from habilitations.models import Professionnel
from interop import codes
from interop.cda import construire_cda, verifier_structure
from interop.erreurs import NonEnvoyable
from tests.interop.conftest import MATRICULE, OID_NIR_TEST, document_pret, pdf_minimal, personne

NS = {"h": "urn:hl7-org:v3"}


@pytest.fixture(autouse=True)
def _tenant(og_a):
    with tenant_context(og_a.organisme.pk):
        yield


def _cda(document, **options):
    with document.fichier.open("rb") as f:
        return construire_cda(document, f.read(), **options)


def un(racine, chemin):
    trouves = racine.xpath(chemin, namespaces=NS)
    assert trouves, chemin
    return trouves[0]


@pytest.mark.parametrize(
    "type_document,loinc",
    [
        (TypeDocument.PROJET_PERSONNALISE, "80788-3"),
        (TypeDocument.DLU, "74207-2"),
        (TypeDocument.CR_ADMINISTRATION, "80565-5"),
    ],
)
def test_header_of_each_model(og_a, type_document, loinc):
    Professionnel.objects.filter(pk=og_a["medecin"].pk).update(rpps="10101010101", profession="medecin")
    og_a["medecin"].refresh_from_db()
    usager = personne(og_a, nom_usage="Martin")
    document = document_pret(
        og_a, usager, type_document=type_document, options={"du": "2026-11-01", "au": "2026-11-15"}
    )
    xml = _cda(document, sejour=usager.sejours.get())
    assert verifier_structure(xml) == []
    racine = etree.fromstring(xml)
    assert un(racine, "/h:ClinicalDocument/h:realmCode").get("code") == "FR"
    type_id = un(racine, "h:typeId")
    assert (type_id.get("root"), type_id.get("extension")) == ("2.16.840.1.113883.1.3", "POCD_HD000040")
    templates = [t.get("root") for t in racine.xpath("h:templateId", namespaces=NS)]
    assert templates[:2] == ["2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1"]
    assert un(racine, "h:id").get("root") == codes.oid_uuid(document.public_id)
    code = un(racine, "h:code")
    assert (code.get("code"), code.get("codeSystem")) == (loinc, "2.16.840.1.113883.6.1")
    assert un(racine, "h:effectiveTime").get("value").startswith(f"{document.produit_le.astimezone():%Y%m%d}")
    assert un(racine, "h:confidentialityCode").get("code") == "N"
    assert un(racine, "h:languageCode").get("code") == "fr-FR"
    assert un(racine, "h:setId").get("root") == codes.oid_uuid(document.public_id)
    assert un(racine, "h:versionNumber").get("value") == "1"
    patient = un(racine, "h:recordTarget/h:patientRole/h:id")
    assert (patient.get("root"), patient.get("extension")) == (OID_NIR_TEST, MATRICULE)
    # CI-SIS encoding of the INS traits: first birth first name (BR), the list (no qualifier), used names (CL)
    prenoms = [
        (g.get("qualifier"), g.text) for g in racine.xpath("//h:patient/h:name/h:given", namespaces=NS)
    ]
    assert prenoms == [("BR", "Hélène"), (None, "Hélène Marie")]
    assert un(racine, "//h:patient/h:name/h:family[@qualifier='BR']").text == "Dupont"
    assert un(racine, "//h:patient/h:name/h:family[@qualifier='CL']").text == "Martin"
    specialite = un(racine, "h:author/h:assignedAuthor/h:code")
    assert (specialite.get("code"), specialite.get("codeSystem")) == ("G15_10", "1.2.250.1.213.1.1.4.5")
    legal = un(racine, "h:legalAuthenticator/h:assignedEntity/h:id")
    assert (legal.get("root"), legal.get("extension")) == ("1.2.250.1.71.4.2.1", "810101010101")
    assert un(racine, "h:legalAuthenticator/h:assignedEntity/h:assignedPerson/h:name/h:family").text
    secteur = un(
        racine,
        "h:documentationOf/h:serviceEvent/h:performer/h:assignedEntity/h:representedOrganization"
        "/h:standardIndustryClassCode",
    )
    assert (secteur.get("code"), secteur.get("codeSystem")) == ("ESSMS", "1.2.250.1.213.1.1.4.9")
    lieu = un(racine, "h:componentOf/h:encompassingEncounter/h:location/h:healthCareFacility/h:code")
    assert (lieu.get("code"), lieu.get("displayName")) == ("SA17", "Etablissement pour personnes âgées")
    assert un(racine, "//h:patient/h:birthTime").get("value") == "19380412"
    auteur = un(racine, "h:author/h:assignedAuthor/h:id")
    assert (auteur.get("root"), auteur.get("extension")) == ("1.2.250.1.71.4.2.1", "810101010101")
    gardien = un(racine, "h:custodian/h:assignedCustodian/h:representedCustodianOrganization/h:id")
    assert (gardien.get("root"), gardien.get("extension")) == (
        "1.2.250.1.71.4.2.2",
        f"1{og_a.ehpad.finess_geographique}",
    )
    periode = un(racine, "h:documentationOf/h:serviceEvent/h:effectiveTime")
    assert [e.get("value") for e in periode] == ["20261101", "20261115"]
    assert (
        un(racine, "h:componentOf/h:encompassingEncounter/h:effectiveTime/h:low").get("value") == "20250301"
    )
    corps = un(racine, "h:component/h:nonXMLBody/h:text")
    assert (corps.get("mediaType"), corps.get("representation")) == ("application/pdf", "B64")
    with document.fichier.open("rb") as f:
        assert base64.b64decode(corps.text) == f.read()
    assert racine.find("h:relatedDocument", NS) is None


def test_same_document_gives_the_same_bytes(og_a):
    """A resend after a worker died must carry the same content (same hash for the DMP)."""
    document = document_pret(og_a, personne(og_a))
    assert _cda(document) == _cda(document)


def test_author_without_national_id_is_the_software(og_a):
    document = document_pret(og_a, personne(og_a), auteur=og_a["educateur"])
    racine = etree.fromstring(_cda(document))
    assert verifier_structure(etree.tostring(racine)) == []
    assert un(racine, "h:author/h:assignedAuthor/h:assignedAuthoringDevice/h:softwareName").text.startswith(
        "DUI"
    )
    assert racine.find("h:author/h:assignedAuthor/h:assignedPerson", NS) is None
    # the legal authenticator is still a person: the educator, by the ESMS's internal identifier
    legal = un(racine, "h:legalAuthenticator/h:assignedEntity/h:id")
    assert legal.get("extension") == f"3{og_a.ehpad.finess_geographique}/{og_a['educateur'].public_id}"


def test_replacement_keeps_the_set_and_points_to_the_parent(og_a):
    usager = personne(og_a)
    v1 = document_pret(og_a, usager)
    v2 = document_pret(og_a, usager, remplace=v1)
    racine = etree.fromstring(
        _cda(v2, premiere_version=v1.public_id, remplace_oid=codes.oid_uuid(v1.public_id))
    )
    assert un(racine, "h:setId").get("root") == codes.oid_uuid(v1.public_id)
    assert un(racine, "h:versionNumber").get("value") == "2"
    assert un(racine, "h:relatedDocument[@typeCode='RPLC']/h:parentDocument/h:id").get(
        "root"
    ) == codes.oid_uuid(v1.public_id)
    assert verifier_structure(etree.tostring(racine)) == []


@pytest.mark.parametrize("statut", ["PROV", "RECUP", "VALI"])
def test_identity_not_qualified_is_never_sent(og_a, statut):
    usager = personne(
        og_a,
        qualifiee=False,
        statut_identite=statut,
        matricule_ins="" if statut in ("PROV", "VALI") else MATRICULE,
        oid_ins="" if statut in ("PROV", "VALI") else OID_NIR_TEST,
    )
    document = document_pret(og_a, usager)
    with pytest.raises(NonEnvoyable, match="n'est pas qualifiée"):
        _cda(document)


def test_structure_check_catches_what_the_schema_would(og_a):
    racine = etree.fromstring(_cda(document_pret(og_a, personne(og_a))))
    custodian = racine.find("h:custodian", NS)
    racine.remove(custodian)
    assert "Élément obligatoire absent : custodian" in verifier_structure(etree.tostring(racine))
    racine.insert(0, custodian)  # right element, wrong place
    erreurs = verifier_structure(etree.tostring(racine))
    assert (
        "Élément hors de l'ordre du schéma : realmCode" in erreurs
        or "Élément hors de l'ordre du schéma : typeId" in erreurs
    )
    racine = etree.fromstring(_cda(document_pret(og_a, personne(og_a, nom_naissance="Autre"))))
    un(racine, "h:recordTarget/h:patientRole/h:id").set("root", "1.2.3.4")
    un(racine, "h:component/h:nonXMLBody/h:text").text = base64.b64encode(b"pas un pdf").decode()
    erreurs = verifier_structure(etree.tostring(racine))
    assert "Le patient doit être identifié par son INS (OID INS-NIR ou INS-NIA)." in erreurs
    assert "Le corps n'est pas un PDF." in erreurs
    assert verifier_structure(b"<ClinicalDocument") and verifier_structure(pdf_minimal())
