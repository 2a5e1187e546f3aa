"""The DMP exchange checked against references the project did not write (../shared/refs, see its README):
- the ITI-41 request validates against the IHE XDS.b and OASIS ebRS 3.0 schemas, and the XDM metadata of an
  MSSanté mail against ebRS lcm;
- registry answers written by hand from the specifications (IHE ITI TF-2b 3.41.4.2, ebRS 3.0
  RegistryResponse) are read as the specifications say — in particular a resubmission refused with
  XDSDuplicateUniqueIdInRegistry is a document already in the DMP, any other error is final.
The local test endpoint and the project's parser are not used for these checks."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from dui.tenancy import tenant_context
from interop import services, xds
from interop.erreurs import EchecDefinitif
from tests.interop.conftest import document_pret, personne

REFS = Path(__file__).resolve().parents[3] / "shared" / "refs" / "ihe-xdsb"


@pytest.fixture(scope="module")
def schemas():
    if not (REFS / "IHE" / "XDS.b_DocumentRepository.xsd").exists():
        if os.environ.get("DUI_REQUIRE_SHARED"):
            pytest.fail("Schémas IHE / OASIS absents de ../shared/refs (DUI_REQUIRE_SHARED=1).")
        pytest.skip("schémas IHE / OASIS absents (../shared/refs)")
    return {
        "xdsb": etree.XMLSchema(etree.parse(str(REFS / "IHE" / "XDS.b_DocumentRepository.xsd"))),
        "lcm": etree.XMLSchema(etree.parse(str(REFS / "ebRS" / "lcm.xsd"))),
        "rs": etree.XMLSchema(etree.parse(str(REFS / "ebRS" / "rs.xsd"))),
    }


def _valider(schema, element) -> None:
    if not schema.validate(element):
        raise AssertionError("\n".join(str(e) for e in schema.error_log))


@pytest.mark.django_db
def test_iti41_request_and_xdm_metadata_validate_against_the_ihe_and_oasis_schemas(og_a, schemas):
    with tenant_context(og_a.organisme.pk):
        envoi = services.do_demander_envoi_dmp(og_a["medecin"], document_pret(og_a, personne(og_a)))
        soumission = services.soumission(envoi)
    requete = etree.fromstring(xds.construire_requete(soumission, destination="https://dmp.test/repository"))
    (corps,) = requete.findall(f".//{{{xds.XDSB}}}ProvideAndRegisterDocumentSetRequest")
    _valider(schemas["xdsb"], etree.ElementTree(corps))
    # the XDM zip of a mail carries the same metadata as a SubmitObjectsRequest
    from interop import mssante

    archive = zipfile.ZipFile(
        io.BytesIO(
            mssante.zip_xdm(
                soumission.cda,
                xds.soumission_objets(soumission, uri="DOC0001.XML"),
                titre="DLU",
                expediteur="EHPAD <secretariat@ehpad.mssante.fr>",
            )
        )
    )
    (metadata,) = [n for n in archive.namelist() if n.endswith("METADATA.XML")]
    _valider(schemas["lcm"], etree.parse(io.BytesIO(archive.read(metadata))))


# Answers of a document registry, written from IHE ITI TF-2b 3.41.4.2 (Provide and Register Document Set-b
# Response) and the ebRS 3.0 RegistryResponse schema, in their SOAP 1.2 envelope.
ENVELOPPE = """<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing">
 <soap:Header>
  <wsa:Action soap:mustUnderstand="1">urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse</wsa:Action>
 </soap:Header>
 <soap:Body>{}</soap:Body>
</soap:Envelope>"""
SUCCES = """<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
  status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>"""
ECHEC = """<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
  status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">
 <rs:RegistryErrorList highestSeverity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error">
  {}
 </rs:RegistryErrorList>
</rs:RegistryResponse>"""
ERREUR = """<rs:RegistryError errorCode="{}" codeContext="{}" location=""
   severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>"""


def test_hand_written_registry_answers_validate_against_ebrs_and_are_read_as_the_spec_says(schemas):
    doublon = ECHEC.format(
        ERREUR.format(
            "XDSDuplicateUniqueIdInRegistry", "UniqueId 2.25.1234 is not unique within the Registry"
        )
    )
    metadonnees = ECHEC.format(ERREUR.format("XDSRegistryMetadataError", "patientId absent"))
    for reponse in (SUCCES, doublon, metadonnees):
        _valider(schemas["rs"], etree.fromstring(reponse.encode()))
    assert xds.lire_reponse(ENVELOPPE.format(SUCCES).encode()) == "Accepté par le DMP"
    # a resubmission of what the registry already holds: the document is in the DMP
    assert xds.lire_reponse(ENVELOPPE.format(doublon).encode()) == "Déjà présent dans le DMP (renvoi reconnu)"
    # any other error, or a duplicate beside another error, is final
    with pytest.raises(EchecDefinitif, match="XDSRegistryMetadataError : patientId absent"):
        xds.lire_reponse(ENVELOPPE.format(metadonnees).encode())
    les_deux = ECHEC.format(
        ERREUR.format("XDSDuplicateUniqueIdInRegistry", "x")
        + ERREUR.format("XDSNonIdenticalHash", "contenu différent")
    )
    with pytest.raises(EchecDefinitif, match="XDSNonIdenticalHash"):
        xds.lire_reponse(ENVELOPPE.format(les_deux).encode())
