"""The MSSanté inbox through a real IMAP server on 127.0.0.1 (implicit TLS, client certificate, SASL EXTERNAL):
a document sent by another organisme's DUI lands in the right dossier after a professional's confirmation; an
unknown person waits; a malformed archive is an error that loses nothing; receipts reach the exchange they
are about; the other tenant and the users without the right see nothing."""

from __future__ import annotations

import datetime
import html
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.exceptions import PermissionDenied

from documents import services as documents_services
from documents.models import ClasseDocument, Document
from dui.models import JournalAcces
from dui.tenancy import tenant_context
from interop import boite, services
from interop.models import BoiteMssante, Envoi, MessageRecu, ReleveMssante, StatutEnvoi, StatutMessage
from tests.interop.conftest import MATRICULE, document_pret, pdf_minimal, personne
from tests.utils import nombre_de_requetes

BAL_A = "accueil@ehpad-a.mssante.fr"
BAL_B = "secretariat@ehpad-b.mssante.fr"


def _boite(tenant, adresse):
    with tenant_context(tenant.organisme.pk):
        documents_services.do_installer_plan_type(tenant.admin)
        return boite.do_configurer_boite(tenant.admin, tenant.ehpad, adresse=adresse)


def _releve(tenant):
    return boite.relever(tenant.organisme.pk)


def _messages(tenant):
    with tenant_context(tenant.organisme.pk):
        return list(MessageRecu.objects.select_related("usager_propose", "usager").order_by("id"))


def _courriel(sujet="Compte rendu", pieces=(), message_id=None, expediteur="dr.martin@chu.mssante.fr"):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = expediteur, BAL_B, sujet
    m["Message-ID"] = message_id or make_msgid(domain="chu.mssante.fr")
    m["Date"] = "Tue, 01 Dec 2026 09:30:00 +0100"
    m.set_content("Bonjour,\n\nVeuillez trouver ci-joint le compte rendu.\n")
    for nom, type_mime, contenu in pieces:
        principal, _, sous = type_mime.partition("/")
        m.add_attachment(contenu, maintype=principal, subtype=sous, filename=nom)
    return m.as_bytes()


@pytest.fixture
def envoye_par_a(og_a, serveur_smtp):
    """A DLU that organisme A's DUI sent by MSSanté to organisme B's mailbox: the raw message as B's operator
    received it (the real XDM archive made by the DUI)."""
    usager = personne(og_a)
    document = document_pret(og_a, usager)
    with tenant_context(og_a.organisme.pk):
        services.do_demander_envoi_mssante(og_a["infirmier"], document, BAL_B, "EHPAD B")
        assert services.relayer()["envoye"] == 1
    [message] = serveur_smtp.messages
    return message.as_bytes()


def test_document_from_another_dui_lands_in_the_dossier_after_confirmation(
    og_a, og_b, envoye_par_a, serveur_imap, client_de
):
    destinataire = personne(og_b)  # the same person (same qualified INS), now accompanied by B
    _boite(og_b, BAL_B)
    uid = serveur_imap.deposer(BAL_B, envoye_par_a)
    assert _releve(og_b) == {"messages": 1, "deja_lus": 0, "erreurs": 0}
    [message] = _messages(og_b)
    assert (message.ins, message.oid_ins) == (MATRICULE, "1.2.250.1.213.1.4.10")
    assert message.usager_propose == destinataire and message.statut == StatutMessage.A_CLASSER
    assert message.titre_document == "Document de liaison d'urgence" and message.code_type == "74207-2"
    assert serveur_imap.vus(BAL_B) == [uid]  # marked read on the operator's server once stored
    with message.brut.open("rb") as f:
        assert f.read().replace(b"\r\n", b"\n") == envoye_par_a.replace(b"\r\n", b"\n")  # nothing lost

    infirmier = og_b["infirmier"]
    c = client_de(infirmier)
    page = html.unescape(c.get("/echanges/messagerie/").content.decode())
    assert "1 message à classer" in page and "(reconnu par l'INS)" in page
    r = c.get(f"/echanges/messagerie/{message.public_id}/")
    page = html.unescape(r.content.decode())
    assert f"{MATRICULE} (INS-NIR de test) — dossier de" in page
    assert f'<option value="{destinataire.public_id}" selected>' in page  # proposed, not yet filed
    with tenant_context(og_b.organisme.pk):
        assert not Document.objects.filter(usager=destinataire).exists()
        classe = ClasseDocument.objects.get(code="transmission-soins")
        assert JournalAcces.objects.filter(
            objet_id=destinataire.public_id, libelle="Message MSSanté reçu"
        ).exists()
    r = c.post(
        f"/echanges/messagerie/{message.public_id}/",
        {"usager": destinataire.public_id, "classe": classe.public_id, "titre": "DLU reçu de l'EHPAD A"},
    )
    assert r.status_code == 302
    with tenant_context(og_b.organisme.pk):
        [document] = Document.objects.filter(usager=destinataire)
        message.refresh_from_db()
        assert (
            document.titre == "DLU reçu de l'EHPAD A"
            and document.source_libre == "secretariat@ehpad-a.mssante.fr"
        )
        assert document.etablissement == og_b.ehpad and document.fichier.read().startswith(b"%PDF-")
        assert (message.statut, message.usager, message.traite_par) == (
            StatutMessage.CLASSE,
            destinataire,
            infirmier,
        )
        assert message.documents == [document.public_id]
    # filed once: a second confirmation (another tab) is refused in French
    r = c.post(
        f"/echanges/messagerie/{message.public_id}/",
        {"usager": destinataire.public_id, "classe": classe.public_id},
    )
    assert "Ce message est déjà traité (classé dans un dossier)." in html.unescape(r.content.decode())


def test_a_message_for_an_unknown_person_waits_for_a_human_choice(
    og_a, og_b, envoye_par_a, serveur_imap, client_de
):
    _boite(og_b, BAL_B)  # B has no dossier with that INS
    autre = personne(og_b, qualifiee=False, nom_naissance="Durand")
    serveur_imap.deposer(BAL_B, envoye_par_a)
    _releve(og_b)
    [message] = _messages(og_b)
    assert message.ins == MATRICULE and message.usager_propose is None
    c = client_de(og_b["infirmier"])
    assert "INS inconnue de l'organisme" in html.unescape(c.get("/echanges/messagerie/").content.decode())
    page = html.unescape(c.get(f"/echanges/messagerie/{message.public_id}/").content.decode())
    assert "aucune identité qualifiée de l'organisme ne porte cette INS" in page
    assert f'<option value="{autre.public_id}">' in page  # offered, not preselected
    r = c.post(f"/echanges/messagerie/{message.public_id}/", {"usager": "", "classe": ""})
    page = html.unescape(r.content.decode())
    assert "Choisissez la personne dans le dossier de laquelle classer le message." in page
    with tenant_context(og_b.organisme.pk):
        message.refresh_from_db()
        assert message.statut == StatutMessage.A_CLASSER


def test_a_malformed_archive_is_a_clear_error_and_loses_nothing(og_b, serveur_imap, client_de):
    _boite(og_b, BAL_B)
    usager = personne(og_b)
    pdf = pdf_minimal("Compte rendu de consultation")
    brut = _courriel(
        pieces=[
            ("CR.pdf", "application/pdf", pdf),
            ("IHE_XDM.ZIP", "application/zip", b"PK\x03\x04 pas un zip"),
        ]
    )
    serveur_imap.deposer(BAL_B, brut)
    assert _releve(og_b)["messages"] == 1
    [message] = _messages(og_b)
    assert message.erreur == "Archive IHE XDM « IHE_XDM.ZIP » illisible : ce n'est pas une archive ZIP valide"
    assert [p["nom"] for p in message.pieces] == ["CR.pdf", "IHE_XDM.ZIP"]
    c = client_de(og_b["medecin"])
    page = html.unescape(c.get(f"/echanges/messagerie/{message.public_id}/").content.decode())
    assert message.erreur in page and "Le message est conservé tel quel" in page
    r = c.get(f"/echanges/messagerie/{message.public_id}/piece/1/")
    assert r["Content-Type"] == "application/pdf" and r.content == pdf
    r = c.get(f"/echanges/messagerie/{message.public_id}/piece/2/")
    assert r["Content-Type"] == "application/octet-stream" and r.content == b"PK\x03\x04 pas un zip"
    assert c.get(f"/echanges/messagerie/{message.public_id}/piece/3/").status_code == 404
    # the PDF is still filed by a human choice
    with tenant_context(og_b.organisme.pk):
        classe = ClasseDocument.objects.get(code="courrier-medical")
    r = c.post(
        f"/echanges/messagerie/{message.public_id}/", {"usager": usager.public_id, "classe": classe.public_id}
    )
    assert r.status_code == 302
    with tenant_context(og_b.organisme.pk):
        [document] = Document.objects.filter(usager=usager)
        assert document.fichier.read() == pdf and document.titre == "Compte rendu"


@pytest.mark.parametrize(
    "contenu, erreur",
    [
        (b"not a zip", "ce n'est pas une archive ZIP valide"),
        ("vide", "pas de fichier IHE_XDM/…/METADATA.XML"),
        ("sans_cda", "le document nommé par METADATA.XML (DOC0001.XML) est absent"),
        ("xml_casse", "METADATA.XML illisible"),
    ],
)
def test_each_kind_of_broken_archive_is_named(contenu, erreur):
    import io
    import zipfile

    from interop.reception import lire_xdm

    if isinstance(contenu, str):
        tampon = io.BytesIO()
        with zipfile.ZipFile(tampon, "w") as z:
            z.writestr("README.TXT", "x")
            if contenu == "sans_cda":
                z.writestr(
                    "IHE_XDM/SUBSET01/METADATA.XML",
                    '<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" '
                    'xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><rim:RegistryObjectList>'
                    '<rim:ExtrinsicObject id="d"><rim:Slot name="URI"><rim:ValueList><rim:Value>DOC0001.XML'
                    "</rim:Value></rim:ValueList></rim:Slot></rim:ExtrinsicObject></rim:RegistryObjectList>"
                    "</lcm:SubmitObjectsRequest>",
                )
            if contenu == "xml_casse":
                z.writestr("IHE_XDM/SUBSET01/METADATA.XML", "<pas fini")
        contenu = tampon.getvalue()
    with pytest.raises(ValueError, match=erreur.replace("(", r"\(").replace(")", r"\)")):
        lire_xdm(contenu)


def test_a_zip_bomb_is_refused_not_expanded():
    import io
    import zipfile

    from interop.reception import lire_xdm

    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("IHE_XDM/SUBSET01/DOC0001.XML", b"0" * (60 * 1024 * 1024))
    assert len(tampon.getvalue()) < 200_000
    with pytest.raises(ValueError, match="archive trop volumineuse"):
        lire_xdm(tampon.getvalue())


def test_releve_is_idempotent_and_survives_a_new_uidvalidity(og_b, serveur_imap):
    _boite(og_b, BAL_B)
    for i in range(3):
        serveur_imap.deposer(BAL_B, _courriel(sujet=f"Message {i}", message_id=f"<m{i}@chu.mssante.fr>"))
    assert _releve(og_b) == {"messages": 3, "deja_lus": 0, "erreurs": 0}
    assert _releve(og_b) == {"messages": 0, "deja_lus": 0, "erreurs": 0}  # nothing new
    serveur_imap.deposer(BAL_B, _courriel(sujet="Message 3", message_id="<m3@chu.mssante.fr>"))
    serveur_imap.reinitialiser_uid_validity()  # the server renumbered: everything is read again…
    assert _releve(og_b) == {"messages": 1, "deja_lus": 3, "erreurs": 0}  # …and recognised
    assert [m.sujet for m in _messages(og_b)] == ["Message 0", "Message 1", "Message 2", "Message 3"]


def test_a_relieve_killed_in_the_middle_keeps_what_it_stored(og_b, serveur_imap, monkeypatch):
    _boite(og_b, BAL_B)
    for i in range(3):
        serveur_imap.deposer(BAL_B, _courriel(sujet=f"Message {i}", message_id=f"<k{i}@chu.mssante.fr>"))
    vrai = boite.enregistrer
    appels = []

    def meurt_au_deuxieme(*args):
        appels.append(args)
        if len(appels) == 2:
            raise SystemExit("worker tué")
        return vrai(*args)

    monkeypatch.setattr(boite, "enregistrer", meurt_au_deuxieme)
    with pytest.raises(SystemExit):
        _releve(og_b)
    monkeypatch.setattr(boite, "enregistrer", vrai)
    assert [m.sujet for m in _messages(og_b)] == ["Message 0"]
    with tenant_context(og_b.organisme.pk):
        assert not ReleveMssante.objects.filter(dernier_uid__gt=0).exists()  # the run did not end: the next
    # one goes on after the message it stored (its UID is in the message row)
    assert _releve(og_b) == {"messages": 2, "deja_lus": 0, "erreurs": 0}
    assert [m.sujet for m in _messages(og_b)] == ["Message 0", "Message 1", "Message 2"]


def test_read_receipt_and_delivery_failure_reach_the_sent_exchange(og_a, envoye_par_a, serveur_imap):
    _boite(og_a, BAL_A)
    with tenant_context(og_a.organisme.pk):
        envoi = Envoi.objects.get()
    assert envoi.message_id and envoi.message_id in envoye_par_a.decode(errors="replace")

    def rapport(type_rapport, champs):
        """A report as a receiving server or client writes it (RFC 3462 multipart/report)."""
        genre = (
            "disposition-notification" if type_rapport == "disposition-notification" else "delivery-status"
        )
        return (
            f"From: {BAL_B}\r\nTo: {BAL_A}\r\nSubject: Rapport\r\n"
            f"Message-ID: {make_msgid(domain='ehpad-b.mssante.fr')}\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/report; report-type={type_rapport}; boundary="frontiere"\r\n\r\n'
            "--frontiere\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nRapport automatique.\r\n"
            f"--frontiere\r\nContent-Type: message/{genre}\r\n\r\n{champs}\r\n--frontiere--\r\n"
        ).encode()

    serveur_imap.deposer(
        BAL_A,
        rapport(
            "disposition-notification",
            f"Reporting-UA: client.mssante.fr\r\nOriginal-Recipient: rfc822;{BAL_B}\r\n"
            f"Original-Message-ID: {envoi.message_id}\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n",
        ),
    )
    assert _releve(og_a)["messages"] == 1
    with tenant_context(og_a.organisme.pk):
        envoi.refresh_from_db()
        [accuse] = MessageRecu.objects.all()
    assert envoi.lu_le is not None and envoi.remis_le is not None
    assert envoi.reponse == "Lu par le destinataire (manual-action/MDN-sent-manually; displayed)"
    assert (accuse.statut, accuse.envoi_id, accuse.nature) == (
        StatutMessage.RATTACHE,
        envoi.pk,
        "accuse_lecture",
    )

    serveur_imap.deposer(
        BAL_A,
        rapport(
            "delivery-status",
            "Reporting-MTA: dns; mx.ehpad-b.mssante.fr\r\n\r\n"
            f"Final-Recipient: rfc822;{BAL_B}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
            "Diagnostic-Code: smtp; 552 5.2.2 Boîte pleine\r\n"
            f"Original-Message-ID: {envoi.message_id}\r\n",
        ),
    )
    _releve(og_a)
    with tenant_context(og_a.organisme.pk):
        envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ECHEC
    assert (
        envoi.derniere_erreur
        == "Non distribué par la messagerie du destinataire (smtp; 552 5.2.2 Boîte pleine)."
    )


def test_mailbox_errors_are_kept_in_french(og_b, serveur_imap, settings):
    _boite(og_b, BAL_B)  # the server does not know this mailbox
    assert _releve(og_b) == {"messages": 0, "deja_lus": 0, "erreurs": 1}
    with tenant_context(og_b.organisme.pk):
        b = ReleveMssante.objects.get()
    assert b.derniere_erreur.startswith(f"Connexion à la boîte {BAL_B} refusée ([AUTHENTICATIONFAILED]")
    assert b.releve_le is not None
    serveur_imap.creer_boite(BAL_B)
    settings.DUI_MSS_IMAP_CERT = ""
    _releve(og_b)
    with tenant_context(og_b.organisme.pk):
        b.refresh_from_db()
    assert (
        b.derniere_erreur
        == "La réception MSSanté exige le certificat de l'établissement (DUI_MSS_CERT et DUI_MSS_KEY)."
    )


def test_the_test_server_refuses_a_client_without_certificate_and_login(serveur_imap):
    import imaplib
    import ssl

    serveur_imap.creer_boite(BAL_B)
    contexte = ssl.create_default_context()
    contexte.check_hostname, contexte.verify_mode = False, ssl.CERT_NONE
    with pytest.raises((ssl.SSLError, OSError)):
        imaplib.IMAP4_SSL("127.0.0.1", serveur_imap.port, ssl_context=contexte).noop()


def test_ecarter_needs_a_reason_and_keeps_the_message(og_b, serveur_imap, client_de):
    _boite(og_b, BAL_B)
    serveur_imap.deposer(BAL_B, _courriel(sujet="Publicité"))
    _releve(og_b)
    [message] = _messages(og_b)
    c = client_de(og_b["medecin_coordonnateur"])
    r = c.post(f"/echanges/messagerie/{message.public_id}/ecarter/", {"motif": "  "})
    assert r.status_code == 400
    assert "Indiquez pourquoi ce message est écarté (il reste consultable)." in html.unescape(
        r.content.decode()
    )
    r = c.post(f"/echanges/messagerie/{message.public_id}/ecarter/", {"motif": "Message publicitaire"})
    assert r.status_code == 302
    with tenant_context(og_b.organisme.pk):
        message.refresh_from_db()
    assert (message.statut, message.motif) == (StatutMessage.ECARTE, "Message publicitaire")
    page = html.unescape(c.get("/echanges/messagerie/?statut=ecarte").content.decode())
    assert "Publicité" in page
    assert c.get(f"/echanges/messagerie/{message.public_id}/").status_code == 200


def test_a_message_without_pdf_cannot_be_filed(og_b, serveur_imap, client_de):
    _boite(og_b, BAL_B)
    usager = personne(og_b)
    serveur_imap.deposer(BAL_B, _courriel(sujet="Question"))
    _releve(og_b)
    [message] = _messages(og_b)
    with tenant_context(og_b.organisme.pk):
        classe = ClasseDocument.objects.get(code="courrier-medical")
        with pytest.raises(Exception, match="aucun PDF à classer"):
            boite.do_classer(og_b["medecin"], message, usager=usager, classe=classe)
        message.refresh_from_db()
    assert message.statut == StatutMessage.A_CLASSER


def test_filing_checks_who_files_and_for_whom(og_b, serveur_imap, client_de):
    _boite(og_b, BAL_B)
    dans_la_mas = personne(og_b, etablissement=og_b.mas, nom_naissance="Mas")
    usager = personne(og_b)
    serveur_imap.deposer(BAL_B, _courriel(pieces=[("CR.pdf", "application/pdf", pdf_minimal())]))
    _releve(og_b)
    [message] = _messages(og_b)
    with tenant_context(og_b.organisme.pk):
        medical = ClasseDocument.objects.get(code="courrier-medical")
        with pytest.raises(PermissionDenied):  # an educator does not read the inbox at all
            boite.do_classer(og_b["educateur"], message, usager=usager, classe=medical)
        with pytest.raises(PermissionDenied):  # a person the doctor does not follow in the EHPAD
            boite.do_classer(og_b["medecin"], message, usager=dans_la_mas, classe=medical)
        message.refresh_from_db()
        assert message.statut == StatutMessage.A_CLASSER and not Document.objects.exists()


def test_other_tenant_and_users_without_the_right_see_nothing(og_a, og_b, serveur_imap, client_de):
    _boite(og_b, BAL_B)
    usager_a = personne(og_a, nom_naissance="Autretenant")
    serveur_imap.deposer(
        BAL_B, _courriel(sujet="Confidentiel B", pieces=[("CR.pdf", "application/pdf", pdf_minimal())])
    )
    _releve(og_b)
    [message] = _messages(og_b)
    urls = [
        f"/echanges/messagerie/{message.public_id}/",
        f"/echanges/messagerie/{message.public_id}/piece/1/",
    ]
    # the other tenant; an aide-soignant (no document filing), a pharmacist (no documents), an administrative
    # agent and an educator (no medical data: an unfiled message may hold anything medical)
    intrus_b = [og_b[r] for r in ("aide_soignant", "pharmacien", "agent_administratif", "educateur")]
    for intrus in (og_a["infirmier"], og_a.admin, *intrus_b):
        c = client_de(intrus)
        for url in urls:
            assert c.get(url).status_code == 404, (intrus, url)
        assert c.post(f"/echanges/messagerie/{message.public_id}/ecarter/", {"motif": "x"}).status_code == 404
        liste = c.get("/echanges/messagerie/")
        assert liste.status_code == 404 or "Confidentiel B" not in liste.content.decode()
    # B's nurse cannot file into A's dossier: not among the choices
    c = client_de(og_b["infirmier"])
    with tenant_context(og_b.organisme.pk):
        classe = ClasseDocument.objects.get(code="transmission-soins")
    r = c.post(urls[0], {"usager": usager_a.public_id, "classe": classe.public_id})
    assert r.status_code == 200 and "Sélectionnez un choix valide" in html.unescape(r.content.decode())
    assert "Autretenant" not in r.content.decode()
    with tenant_context(og_b.organisme.pk):
        message.refresh_from_db()
    assert message.statut == StatutMessage.A_CLASSER
    # the relève of A never reads B's mailbox
    assert _releve(og_a) == {"messages": 0, "deja_lus": 0, "erreurs": 0}


def test_mailbox_settings_are_for_the_administrator(og_a, og_b, client_de):
    with tenant_context(og_b.organisme.pk):
        documents_services.do_installer_plan_type(og_b.admin)
    url = f"/echanges/messagerie/boite/{og_b.ehpad.public_id}/"
    assert client_de(og_b["infirmier"]).get(url).status_code == 404
    assert client_de(og_a.admin).get(url).status_code == 404
    c = client_de(og_b.admin)
    r = c.post(url, {"adresse": "secretariat@gmail.com", "active": "on"})
    assert "Adresse MSSanté attendue (…@….mssante.fr)." in html.unescape(r.content.decode())
    r = c.post(url, {"adresse": BAL_B, "active": "on"})
    assert r.status_code == 302
    r = client_de(og_b.admin).post(f"/echanges/messagerie/boite/{og_b.mas.public_id}/", {"adresse": BAL_B})
    assert "Cette boîte est déjà celle d'un autre établissement de l'organisme." in html.unescape(
        r.content.decode()
    )
    with tenant_context(og_b.organisme.pk):
        assert BoiteMssante.objects.get().adresse == BAL_B


def test_relever_now_queues_the_task_of_the_users_mailboxes(
    og_b, client_de, django_capture_on_commit_callbacks
):
    _boite(og_b, BAL_B)
    c = client_de(og_b["infirmier"])
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        r = c.post("/echanges/messagerie/relever/")
    assert r.status_code == 302 and len(rappels) == 1


def test_inbox_pages_query_counts_are_pinned(og_b, serveur_imap, client_de):
    _boite(og_b, BAL_B)
    personne(og_b)
    for i in range(5):
        serveur_imap.deposer(
            BAL_B, _courriel(sujet=f"CR {i}", pieces=[("CR.pdf", "application/pdf", b"%PDF-1.4 x")])
        )
    _releve(og_b)
    c = client_de(og_b["infirmier"])
    message = _messages(og_b)[0]
    liste = nombre_de_requetes(c, "/echanges/messagerie/")
    detail = nombre_de_requetes(c, f"/echanges/messagerie/{message.public_id}/")
    assert (liste, detail) == (13, 11)


def test_relever_task_needs_its_organisme():
    from dui.tasks import TenantContextError
    from interop.tasks import relever

    with pytest.raises(TenantContextError):
        relever.run()


def test_the_date_of_the_document_is_the_sending_date(og_b, serveur_imap):
    _boite(og_b, BAL_B)
    serveur_imap.deposer(BAL_B, _courriel())
    _releve(og_b)
    [message] = _messages(og_b)
    assert boite.date_du_document(message) == datetime.date(2026, 12, 1)
