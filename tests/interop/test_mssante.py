"""MSSanté through a real SMTP server on 127.0.0.1 (aiosmtpd, STARTTLS required): the received message and
the IHE_XDM.ZIP re-opened."""

from __future__ import annotations

import io
import smtplib
import zipfile

import pytest
from django.core.exceptions import ValidationError
from lxml import etree

from documents.models import TypeDocument
from dui.tenancy import tenant_context
from interop import codes, services, xds
from interop.models import StatutEnvoi
from interop.serveurs_test import port_libre
from tests.interop.conftest import MATRICULE, document_pret, personne


@pytest.fixture(autouse=True)
def _tenant(og_a):
    with tenant_context(og_a.organisme.pk):
        yield


def test_document_by_mssante_with_its_xdm_zip(og_a, serveur_smtp):
    usager = personne(og_a)
    document = document_pret(og_a, usager, type_document=TypeDocument.DLU)
    envoi = services.do_demander_envoi_mssante(
        og_a["infirmier"], document, "Anne.Riviere@medecin.mssante.fr", "Dr Anne Rivière"
    )
    assert services.relayer() == {"envoye": 1, "reessai": 0, "echec": 0}
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ENVOYE and envoi.destinataire == "anne.riviere@medecin.mssante.fr"
    assert serveur_smtp.chiffres == [True]  # the message went after STARTTLS
    [message] = serveur_smtp.messages
    assert message["Subject"] == "XDM/1.0/DDM+Document de liaison d'urgence DUPONT Hélène 12/04/1938"
    assert message["X-MSS-CODECDA"] == "74207-2"
    assert message["X-MSS-INS"] == "O"  # ECO.2.4.2: the attached CDA carries the qualified INS
    assert message["Disposition-Notification-To"] == "secretariat@ehpad-a.mssante.fr"
    assert message["To"] == "anne.riviere@medecin.mssante.fr"
    assert envoi.reponse == f"Remis au serveur MSSanté ({message['Message-ID']})"
    pieces = {p.get_filename(): p for p in message.iter_attachments()}
    assert set(pieces) == {document.nom_fichier, "IHE_XDM.ZIP"}
    with document.fichier.open("rb") as f:
        assert pieces[document.nom_fichier].get_content() == f.read()
    archive = zipfile.ZipFile(io.BytesIO(pieces["IHE_XDM.ZIP"].get_content()))
    assert set(archive.namelist()) == {
        "INDEX.HTM",
        "README.TXT",
        "IHE_XDM/SUBSET01/METADATA.XML",
        "IHE_XDM/SUBSET01/DOC0001.XML",
    }
    assert "IHE_XDM/SUBSET01/DOC0001.XML" in archive.read("INDEX.HTM").decode()
    cda = etree.fromstring(archive.read("IHE_XDM/SUBSET01/DOC0001.XML"))
    assert (
        cda.find("{urn:hl7-org:v3}recordTarget/{urn:hl7-org:v3}patientRole/{urn:hl7-org:v3}id").get(
            "extension"
        )
        == MATRICULE
    )
    metadata = etree.fromstring(archive.read("IHE_XDM/SUBSET01/METADATA.XML"))
    entree = metadata.find(".//" + xds.R("ExtrinsicObject"))
    uri = entree.xpath("rim:Slot[@name='URI']/rim:ValueList/rim:Value", namespaces=xds.NSMAP)[0].text
    assert uri == "DOC0001.XML"
    unique = [
        e.get("value")
        for e in entree.iter(xds.R("ExternalIdentifier"))
        if e.get("identificationScheme") == xds.DOC_UNIQUE_ID
    ]
    assert unique == [codes.oid_uuid(document.public_id)]
    taille = entree.xpath("rim:Slot[@name='size']/rim:ValueList/rim:Value", namespaces=xds.NSMAP)[0].text
    assert taille == str(len(archive.read("IHE_XDM/SUBSET01/DOC0001.XML")))


def test_resend_carries_the_same_message_id(og_a, serveur_smtp):
    from interop.models import Envoi

    envoi = services.do_demander_envoi_mssante(
        og_a["infirmier"], document_pret(og_a, personne(og_a)), "anne.riviere@medecin.mssante.fr"
    )
    services.relayer()
    Envoi.objects.filter(pk=envoi.pk).update(statut=StatutEnvoi.EN_ATTENTE)
    services.relayer()
    premier, second = serveur_smtp.messages
    assert premier["Message-ID"] == second["Message-ID"]


def test_address_outside_mssante_is_refused(og_a):
    document = document_pret(og_a, personne(og_a))
    for adresse in ("anne@gmail.com", "anne@mssante.fr.example.com", "pas une adresse"):
        with pytest.raises(ValidationError) as exc:
            services.do_demander_envoi_mssante(og_a["infirmier"], document, adresse)
        assert exc.value.message_dict == {"adresse": ["Adresse MSSanté attendue (…@….mssante.fr)."]}


def test_mailbox_refused_by_the_server_is_final(og_a, serveur_smtp):
    envoi = services.do_demander_envoi_mssante(
        og_a["infirmier"], document_pret(og_a, personne(og_a)), "inconnu@medecin.mssante.fr"
    )
    assert services.relayer()["echec"] == 1
    envoi.refresh_from_db()
    assert envoi.derniere_erreur == "Adresse refusée par la messagerie : inconnu@medecin.mssante.fr."


def test_server_without_starttls_is_refused(og_a, settings, dossier_certificats):
    """Nothing leaves in clear: a server that does not offer STARTTLS makes the exchange fail."""
    from aiosmtpd.controller import Controller

    class Accepte:
        recus = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.recus.append(envelope)
            return "250 OK"

    gestionnaire = Accepte()
    controleur = Controller(gestionnaire, hostname="127.0.0.1", port=port_libre())
    controleur.start()
    try:
        settings.DUI_MSS_HOTE, settings.DUI_MSS_PORT = "127.0.0.1", controleur.port
        settings.DUI_MSS_CA = str(dossier_certificats / "ca.pem")
        envoi = services.do_demander_envoi_mssante(
            og_a["infirmier"], document_pret(og_a, personne(og_a)), "anne.riviere@medecin.mssante.fr"
        )
        assert services.relayer()["echec"] == 1
    finally:
        controleur.stop()
    envoi.refresh_from_db()
    assert envoi.derniere_erreur == "Le serveur MSSanté ne propose pas STARTTLS : envoi refusé en clair."
    assert gestionnaire.recus == []


def test_plain_smtp_client_is_refused_by_the_test_server(serveur_smtp):
    """The local server really requires STARTTLS (what the tests rely on)."""
    with smtplib.SMTP("127.0.0.1", serveur_smtp.port, timeout=10) as smtp:
        code, _ = smtp.mail("x@a.mssante.fr")
    assert code == 530


def test_missing_certificate_file_is_said_in_french(og_a, serveur_smtp, settings):
    settings.DUI_MSS_CERT = "/nulle/part/client.pem"
    envoi = services.do_demander_envoi_mssante(
        og_a["infirmier"], document_pret(og_a, personne(og_a)), "anne.riviere@medecin.mssante.fr"
    )
    assert services.relayer()["echec"] == 1
    envoi.refresh_from_db()
    assert envoi.derniere_erreur.startswith(
        "La messagerie MSSanté : certificat ou autorité de certification illisible"
    )
    assert serveur_smtp.messages == []


def test_the_local_operator_refuses_a_cda_mail_without_the_mssante_headers(og_a, serveur_smtp, monkeypatch):
    from interop import mssante

    construire = mssante.message

    def sans_ins(courrier):
        m = construire(courrier)
        del m["X-MSS-INS"]
        return m

    monkeypatch.setattr(mssante, "message", sans_ins)
    document = document_pret(og_a, personne(og_a), type_document=TypeDocument.DLU)
    envoi = services.do_demander_envoi_mssante(
        og_a["infirmier"], document, "anne.riviere@medecin.mssante.fr", ""
    )
    resultat = services.relayer()
    assert serveur_smtp.messages == [] and len(serveur_smtp.refuses) == 1
    envoi.refresh_from_db()
    assert resultat["envoye"] == 0 and envoi.statut != StatutEnvoi.ENVOYE
    assert "X-MSS-INS" in envoi.derniere_erreur
