"""The demo's incoming mail: the hospital's discharge letter for Yvonne Garnier (the demo's qualified identity,
matricule of the INSi test server), as a hospital's software sends it by MSSanté — a PDF, and an IHE XDM
archive whose metadata carry her INS. Put in the demo EHPAD's mailbox by the local IMAP server of ``bin/run``,
so that the inbox opens with a message to file."""

from __future__ import annotations

import base64
import datetime
import io
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

MATRICULE_DEMO, OID_DEMO = "235021305512370", "1.2.250.1.213.1.4.10"
LOINC_LETTRE_DE_SORTIE = "11490-0"


def _pdf() -> bytes:
    from weasyprint import HTML

    return HTML(
        string=(
            "<h1>Centre hospitalier de démonstration — service de médecine gériatrique</h1>"
            "<h2>Lettre de liaison à la sortie</h2>"
            "<p>Mme GARNIER Yvonne, hospitalisée du 10 au 17 novembre pour une pneumopathie, regagne son EHPAD.</p>"
            "<p>Traitement de sortie : amoxicilline 1 g × 3/j jusqu'au 24/11 ; reprise du traitement habituel.</p>"
            "<p>Surveillance : température, saturation, hydratation. Contrôle clinique par le médecin traitant à J7.</p>"
            "<p>Dr Claire Fontaine, gériatre.</p>"
        )
    ).write_pdf()


def _cda(pdf: bytes) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><ClinicalDocument xmlns="urn:hl7-org:v3">'
        '<typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>'
        f'<code code="{LOINC_LETTRE_DE_SORTIE}" codeSystem="2.16.840.1.113883.6.1" '
        'displayName="Lettre de liaison à la sortie d\'un établissement de santé"/>'
        "<title>Lettre de liaison à la sortie</title>"
        f'<recordTarget><patientRole><id root="{OID_DEMO}" extension="{MATRICULE_DEMO}"/></patientRole></recordTarget>'
        '<component><nonXMLBody><text mediaType="application/pdf" representation="B64">'
        f"{base64.b64encode(pdf).decode()}</text></nonXMLBody></component></ClinicalDocument>"
    ).encode()


def _metadata() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" '
        'xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><rim:RegistryObjectList>'
        '<rim:ExtrinsicObject id="Document01" mimeType="text/xml" '
        'objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">'
        '<rim:Slot name="URI"><rim:ValueList><rim:Value>DOC0001.XML</rim:Value></rim:ValueList></rim:Slot>'
        '<rim:Name><rim:LocalizedString value="Lettre de liaison à la sortie — médecine gériatrique"/></rim:Name>'
        '<rim:Classification classificationScheme="urn:uuid:f0306f51-975f-434e-a61c-c59651d33983" '
        f'classifiedObject="Document01" nodeRepresentation="{LOINC_LETTRE_DE_SORTIE}" id="cl01">'
        '<rim:Slot name="codingScheme"><rim:ValueList><rim:Value>2.16.840.1.113883.6.1</rim:Value>'
        "</rim:ValueList></rim:Slot></rim:Classification>"
        '<rim:ExternalIdentifier identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" '
        f'value="{MATRICULE_DEMO}^^^&amp;{OID_DEMO}&amp;ISO^NH" id="ei01" registryObject="Document01">'
        '<rim:Name><rim:LocalizedString value="XDSDocumentEntry.patientId"/></rim:Name></rim:ExternalIdentifier>'
        "</rim:ExtrinsicObject></rim:RegistryObjectList></lcm:SubmitObjectsRequest>"
    ).encode()


def compte_rendu_d_hospitalisation(boite: str) -> bytes:
    pdf = _pdf()
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.TXT", "Support IHE XDM du centre hospitalier de démonstration.\r\n")
        z.writestr("IHE_XDM/SUBSET01/METADATA.XML", _metadata())
        z.writestr("IHE_XDM/SUBSET01/DOC0001.XML", _cda(pdf))
    m = EmailMessage()
    m["From"] = "geriatrie@ch-demo.mssante.fr"
    m["To"] = boite
    m["Subject"] = "XDM/1.0/DDM+Lettre de liaison à la sortie GARNIER Yvonne"
    m["Date"] = format_datetime(datetime.datetime.now(datetime.UTC))
    m["Message-ID"] = make_msgid(domain="ch-demo.mssante.fr")
    m["X-MSS-CODECDA"] = LOINC_LETTRE_DE_SORTIE
    m["X-MSS-INS"] = "O"
    m.set_content(
        "Bonjour,\n\nVeuillez trouver la lettre de liaison de Mme GARNIER Yvonne, sortie ce jour du service de "
        "médecine gériatrique.\n\nDr Claire Fontaine\n"
    )
    m.add_attachment(pdf, maintype="application", subtype="pdf", filename="lettre-de-sortie-garnier.pdf")
    m.add_attachment(tampon.getvalue(), maintype="application", subtype="zip", filename="IHE_XDM.ZIP")
    return m.as_bytes()
