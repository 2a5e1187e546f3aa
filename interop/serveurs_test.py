"""Local test servers speaking the protocols of the national services, on loopback only:

- a DMP endpoint: ITI-41 SOAP over TLS, client certificate required, checks the XDS metadata (hash, size,
  INS patient id, mandatory codes…) and answers Success or a RegistryError; it keeps what it stored, honours
  the submission set uniqueId (a resent submission is acknowledged, not stored twice) and refuses a document
  uniqueId already stored with another hash;
- an MSSanté SMTP server (aiosmtpd) that requires STARTTLS and keeps the messages received;
- a FHIR endpoint that accepts transaction Bundles (parsed with ``fhir.resources`` when installed).

    python -m interop.serveurs_test [--dossier .local/interop]

Used by the tests and by the demo (``bin/run`` starts them). The certificates (a test CA, a server and a
client certificate) are made with the ``openssl`` command in ``dossier``.
"""

from __future__ import annotations

import argparse
import json
import ssl
import subprocess
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from dui.serveur_local import ServeurLocal

from . import xds

VERSION_CERTIFICATS = "2"  # 2: key usages on the leaves (the VIHF signature is checked against the CA)


def certificats(dossier: Path) -> Path:
    """A test CA, a server certificate for 127.0.0.1 and a client certificate — the ESMS's, which also signs
    the VIHF (made once per version of this recipe)."""
    dossier.mkdir(parents=True, exist_ok=True)
    version = dossier / "version"
    if all(
        (dossier / f).exists() for f in ("ca.pem", "serveur.pem", "serveur.key", "client.pem", "client.key")
    ) and (version.exists() and version.read_text() == VERSION_CERTIFICATS):
        return dossier

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=dossier, check=True, capture_output=True)  # noqa: S603, S607

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "3650",
        "-subj",
        "/CN=DUI CA de test",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    for nom, extensions in (
        (
            "serveur",
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        ),
        (
            "client",
            "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n"
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        ),
    ):
        (dossier / f"{nom}.ext").write_text(extensions)
        openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f"{nom}.key",
            "-out",
            f"{nom}.csr",
            "-subj",
            f"/CN={'127.0.0.1' if nom == 'serveur' else 'ESMS de test DUI'}",
        )
        openssl(
            "x509",
            "-req",
            "-in",
            f"{nom}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            f"{nom}.pem",
            "-days",
            "3650",
            "-extfile",
            f"{nom}.ext",
        )
    version.write_text(VERSION_CERTIFICATS)
    return dossier


# --- DMP (ITI-41 over TLS) --------------------------------------------------------------------------------


class ServeurDmpTest(ServeurLocal):
    schema, chemin = "https", "/dmp"

    def __init__(self, dossier: Path, port: int = 0, lenteur: float = 0.0):
        certificats(dossier)
        self.dossier = dossier
        self.lenteur = lenteur  # seconds per request (the worker-kill test)
        self.documents: dict[str, dict] = {}
        self.lots: set[str] = set()
        self.requetes = 0
        self.doublons = 0
        self.refus: list = []
        self.clients: list[str] = []
        self.derniere_requete: tuple[str, bytes] = ("", b"")  # (Content-Type, body) as received
        super().__init__(port, _GestionnaireDmp)
        contexte = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        contexte.load_cert_chain(dossier / "serveur.pem", dossier / "serveur.key")
        contexte.load_verify_locations(dossier / "ca.pem")
        contexte.verify_mode = ssl.CERT_REQUIRED  # mutual TLS: no client certificate, no exchange
        self.socket = contexte.wrap_socket(self.socket, server_side=True)

    def handle_error(self, request, client_address):
        """A client that went away (a killed worker, a refused handshake) is not an error of the server."""

    def recevoir(self, corps: bytes) -> list:
        recue = xds.lire_requete(corps, ca_vihf=str(self.dossier / "ca.pem"))
        with self._verrou:
            self.requetes += 1
            if recue.erreurs:
                self.refus.append(recue.erreurs)
                return recue.erreurs
            if recue.action == xds.ACTION_MAJ:
                return self._mettre_a_jour(recue)
            if recue.lot_oid in self.lots:  # the same submission again (a resend): refused as a real registry
                self.doublons += 1  # does, and nothing is stored
                return [(xds.DOUBLON, f"Le lot {recue.lot_oid} est déjà enregistré.")]
            erreurs = []
            for unique_id, doc in recue.documents.items():
                connu = self.documents.get(unique_id)
                if connu is not None and connu["hash"] != doc["hash"]:
                    erreurs.append(("XDSNonIdenticalHash", f"{unique_id} déjà reçu avec un autre contenu"))
            entrees = {d["entry"] for d in self.documents.values()}
            for _source, cible in recue.remplacements:
                if cible not in entrees:
                    erreurs.append(
                        ("XDSUnresolvedReferenceException", f"document remplacé inconnu : {cible}")
                    )
            if erreurs:
                self.refus.append(erreurs)
                return erreurs
            self.lots.add(recue.lot_oid)
            for unique_id, doc in recue.documents.items():
                self.documents[unique_id] = {
                    **doc,
                    "patient": recue.patient,
                    "statut": xds.APPROUVE,
                    "remplace": [c for s, c in recue.remplacements if s == doc["entry"]],
                }
            remplaces = {c for _s, c in recue.remplacements}
            for connu in self.documents.values():  # a replaced version is deprecated by the registry
                if connu["entry"] in remplaces:
                    connu["statut"] = xds.DEPRECIE
            return []

    def _mettre_a_jour(self, recue) -> list:
        """ITI-57: a status change of a document of the same person, from the status it has now."""
        if recue.lot_oid in self.lots:
            self.doublons += 1
            return [(xds.DOUBLON, f"Le lot {recue.lot_oid} est déjà enregistré.")]
        par_entree = {d["entry"]: d for d in self.documents.values()}
        erreurs = []
        for cible, avant, apres in recue.mises_a_jour:
            connu = par_entree.get(cible)
            if connu is None or connu["patient"] != recue.patient:
                erreurs.append(("XDSMetadataUpdateError", f"document inconnu pour cette personne : {cible}"))
            elif connu["statut"] != avant or apres not in (xds.APPROUVE, xds.DEPRECIE):
                erreurs.append(("XDSMetadataUpdateError", f"{cible} : statut {connu['statut']}, pas {avant}"))
        if erreurs:
            self.refus.append(erreurs)
            return erreurs
        self.lots.add(recue.lot_oid)
        for cible, _avant, apres in recue.mises_a_jour:
            par_entree[cible]["statut"] = apres
        return []


class _GestionnaireDmp(BaseHTTPRequestHandler):
    server: ServeurDmpTest

    def do_POST(self):  # noqa: N802
        corps = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        certificat = self.connection.getpeercert() or {}
        sujet = dict(x[0] for x in certificat.get("subject", ()))
        self.server.clients.append(sujet.get("commonName", ""))
        if self.server.lenteur:
            time.sleep(self.server.lenteur)
        if self.server.en_panne():
            self.send_error(503, "Service indisponible (panne simulée)")
            return
        from . import mtom

        content_type = self.headers.get("Content-Type", "")
        self.server.derniere_requete = (content_type, corps)
        if not mtom.est_mtom(content_type):  # ITI-41 is MTOM/XOP (IHE ITI TF-2x V.3.6), SOAP 1.2 inside
            self.server.refus.append([("MTOM", f"Content-Type {content_type}")])
            self.send_error(415, "MTOM/XOP attendu (multipart/related; type=application/xop+xml)")
            return
        try:
            enveloppe = mtom.deballer(corps, content_type)
        except mtom.MtomIllisible as exc:
            erreurs = [("XDSRegistryMetadataError", f"Message MTOM illisible : {exc}")]
            self.server.refus.append(erreurs)
            reponse = xds.reponse(erreurs)
        else:
            reponse = xds.reponse(self.server.recevoir(enveloppe))
        self.send_response(200)
        self.send_header("Content-Type", "application/soap+xml; charset=UTF-8")
        self.send_header("Content-Length", str(len(reponse)))
        self.end_headers()
        self.wfile.write(reponse)

    def log_message(self, *args):
        pass


# --- FHIR -----------------------------------------------------------------------------------------------


class ServeurFhirTest(ServeurLocal):
    chemin = "/fhir"

    def __init__(self, port: int = 0):
        self.bundles: dict[str, dict] = {}
        self.doublons = 0
        super().__init__(port, _GestionnaireFhir)


def _probleme(message: str) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "invalid", "diagnostics": message}],
    }


class _GestionnaireFhir(BaseHTTPRequestHandler):
    server: ServeurFhirTest

    def do_POST(self):  # noqa: N802
        try:
            bundle = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
                raise ValueError("un Bundle de type transaction est attendu")
            try:
                from fhir.resources.R4B.bundle import Bundle
            except ImportError:  # the demo may run without the test extras
                Bundle = None  # noqa: N806
            if Bundle is not None:
                Bundle.model_validate(bundle)
        except Exception as exc:  # noqa: BLE001 - any parsing error is the client's
            self._repondre(400, _probleme(f"Bundle refusé : {str(exc)[:300]}"))
            return
        cle = bundle.get("identifier", {}).get("value", "")
        if cle in self.server.bundles:
            self.server.doublons += 1
        self.server.bundles[cle] = bundle
        self._repondre(
            200,
            {
                "resourceType": "Bundle",
                "type": "transaction-response",
                "entry": [{"response": {"status": "201 Created"}} for _ in bundle.get("entry", [])],
            },
        )

    def _repondre(self, code, contenu):
        corps = json.dumps(contenu).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(corps)))
        self.end_headers()
        self.wfile.write(corps)

    def log_message(self, *args):
        pass


# --- MSSanté (SMTP + STARTTLS) -------------------------------------------------------------------------------


class ServeurSmtpTest:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that requires STARTTLS before MAIL FROM."""

    def __init__(self, dossier: Path, port: int = 0, imap=None, accuses: bool = False):
        from aiosmtpd.controller import Controller

        certificats(dossier)
        contexte = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        contexte.load_cert_chain(dossier / "serveur.pem", dossier / "serveur.key")
        self.messages: list = []
        self.refuses: list = []
        self.chiffres: list[bool] = []
        serveur = self

        class Gestionnaire:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
                if not address.lower().endswith("mssante.fr"):
                    return "550 5.1.1 Destinataire hors de l'espace de confiance MSSanté"
                if address.lower().startswith("inconnu@"):
                    return "550 5.1.1 Boîte aux lettres inconnue"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                serveur.chiffres.append(session.ssl is not None)
                message = message_from_bytes(envelope.content, policy=policy.default)
                refus = entetes_mssante_manquants(message)
                if refus:  # as an operator applying the Référentiel socle MSSanté #2 (ECO.2.4.1, ECO.2.4.2)
                    serveur.refuses.append(message)
                    return f"554 5.6.0 En-tetes MSSante manquants : {', '.join(refus)}"
                serveur.messages.append(message)
                if imap is not None:  # the operator delivers into its own mailboxes
                    for destinataire in envelope.rcpt_tos:
                        if destinataire.lower() in imap.boites:
                            imap.deposer(destinataire, envelope.content)
                        elif accuses and message["Disposition-Notification-To"]:
                            imap.deposer(
                                str(message["Disposition-Notification-To"]),
                                accuse_de_lecture(message, destinataire),
                            )
                return "250 Message accepté"

        self.port = port or port_libre()
        self.controleur = Controller(
            Gestionnaire(),
            hostname="127.0.0.1",
            port=self.port,
            tls_context=contexte,
            require_starttls=True,
            ready_timeout=10,
        )

    def demarrer(self):
        self.controleur.start()
        return self

    def arreter(self):
        self.controleur.stop()


def entetes_mssante_manquants(message) -> list[str]:
    """The MSSanté headers a message carrying a CDA in an IHE_XDM archive must have (Référentiel socle
    MSSanté #2: ECO.2.4.1 X-MSS-CODECDA, ECO.2.4.2 X-MSS-INS)."""
    avec_xdm = any(
        (partie.get_filename() or "").upper() == "IHE_XDM.ZIP" for partie in message.iter_attachments()
    )
    if not avec_xdm:
        return []
    return [nom for nom in ("X-MSS-CODECDA", "X-MSS-INS") if not message[nom]]


def accuse_de_lecture(original, lecteur: str) -> bytes:
    """The read receipt (RFC 8098) that ``lecteur``'s mail client sends when the message is displayed: what
    the demo's recipients do, so that the demo shows an exchange "lu par le destinataire"."""
    import datetime
    from email.utils import format_datetime, make_msgid

    destinataire = str(original["Disposition-Notification-To"])
    return (
        f"From: {lecteur}\r\nTo: {destinataire}\r\nSubject: Lu : {original['Subject']}\r\n"
        f"Date: {format_datetime(datetime.datetime.now(datetime.UTC))}\r\n"
        f"Message-ID: {make_msgid(domain=lecteur.partition('@')[2] or 'mssante.fr')}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="accuse"\r\n\r\n'
        "--accuse\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Votre message a été affiché par {lecteur}.\r\n"
        "--accuse\r\nContent-Type: message/disposition-notification\r\n\r\n"
        f"Reporting-UA: messagerie-de-test.mssante.fr\r\nFinal-Recipient: rfc822;{lecteur}\r\n"
        f"Original-Message-ID: {original['Message-ID']}\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n--accuse--\r\n"
    ).encode()


def port_libre() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Serveurs de test des échanges nationaux (DMP, MSSanté, FHIR)"
    )
    parser.add_argument("--dossier", default=".local/interop", help="certificats de test")
    parser.add_argument("--port-dmp", type=int, default=8443)
    parser.add_argument("--port-smtp", type=int, default=8025)
    parser.add_argument("--port-fhir", type=int, default=8090)
    parser.add_argument("--port-imap", type=int, default=8993)
    parser.add_argument(
        "--boite-demo",
        default="secretariat@ehpad-demo.mssante.fr",
        help="boîte MSSanté de l'EHPAD de démonstration : un compte rendu d'hospitalisation y attend",
    )
    args = parser.parse_args()
    dossier = certificats(Path(args.dossier))
    from .demo_messagerie import compte_rendu_d_hospitalisation
    from .serveur_imap_test import ServeurImapTest

    imap = ServeurImapTest(dossier, args.port_imap, a_la_demande=True).demarrer()
    if args.boite_demo:
        imap.deposer(args.boite_demo, compte_rendu_d_hospitalisation(args.boite_demo))
    dmp = ServeurDmpTest(dossier, args.port_dmp).demarrer()
    smtp = ServeurSmtpTest(dossier, args.port_smtp, imap=imap, accuses=True).demarrer()
    fhir = ServeurFhirTest(args.port_fhir).demarrer()
    print(
        f"DMP de test : {dmp.url} (TLS mutuel) ; MSSanté : smtp://127.0.0.1:{smtp.port} (STARTTLS), "
        f"imaps://127.0.0.1:{imap.port} (certificat) ; FHIR : {fhir.url}",
        flush=True,
    )
    try:
        while True:
            time.sleep(30)
            print(
                f"DMP : {len(dmp.documents)} documents ({dmp.doublons} renvois reconnus) ; MSSanté : "
                f"{len(smtp.messages)} messages envoyés, {sum(len(b.messages) for b in imap.boites.values())} en boîte ; FHIR : {len(fhir.bundles)} exports",
                flush=True,
            )
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
