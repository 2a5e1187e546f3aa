"""A local IMAP4rev1 server (RFC 3501) on loopback, standing for the MSSanté operator's mailboxes: implicit
TLS with a client certificate required (the ESMS's, as for the application mailboxes of the MSSanté
operators), SASL EXTERNAL authentication (RFC 4422: the certificate authenticates, the authorisation identity
names the mailbox), LOGIN refused. It speaks the part of IMAP that a mail client uses to read an inbox:
CAPABILITY, AUTHENTICATE, SELECT/EXAMINE, UID SEARCH, UID FETCH, UID STORE, NOOP, LOGOUT — sequence sets with
``*``, literals, ``BODY[]`` setting ``\\Seen`` and ``BODY.PEEK[]`` not. The tests and the demo drop messages
in with ``deposer``.

Hand-written (about 200 lines) rather than Twisted's IMAP4Server (a mailbox implementation and a reactor in a
thread to add) or Dovecot (a system service to install and run as root): see decision 0018.
"""

from __future__ import annotations

import base64
import re
import socketserver
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

CAPACITES = "IMAP4rev1 AUTH=EXTERNAL LOGINDISABLED UIDPLUS"


@dataclass
class MessageImap:
    uid: int
    contenu: bytes
    drapeaux: set[str] = field(default_factory=set)


@dataclass
class BoiteImap:
    messages: list[MessageImap] = field(default_factory=list)
    uid_suivant: int = 1


class ServeurImapTest(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, dossier: Path, port: int = 0, boites: tuple[str, ...] = (), a_la_demande: bool = False
    ):
        self.boites: dict[str, BoiteImap] = {b.lower(): BoiteImap() for b in boites}
        self.a_la_demande = a_la_demande  # the demo: any MSSanté address authenticated gets a mailbox
        self.uid_validity = int(time.time())
        self.connexions: list[str] = []  # the mailboxes opened (authorisation identities)
        self.refus: list[str] = []
        self.pannes = 0
        self._verrou = threading.Lock()
        super().__init__(("127.0.0.1", port), _Session)
        contexte = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        contexte.load_cert_chain(dossier / "serveur.pem", dossier / "serveur.key")
        contexte.load_verify_locations(dossier / "ca.pem")
        contexte.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no session
        self.socket = contexte.wrap_socket(self.socket, server_side=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def demarrer(self) -> ServeurImapTest:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def arreter(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address):
        """A client that went away or failed the TLS handshake is not an error of the server."""

    def creer_boite(self, adresse: str) -> BoiteImap:
        with self._verrou:
            return self.boites.setdefault(adresse.lower(), BoiteImap())

    def deposer(self, adresse: str, contenu: bytes) -> int:
        """The operator delivers a message into a mailbox; its UID."""
        boite = self.creer_boite(adresse)
        with self._verrou:
            uid = boite.uid_suivant
            boite.uid_suivant += 1
            boite.messages.append(MessageImap(uid, contenu.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")))
            return uid

    def vus(self, adresse: str) -> list[int]:
        return [m.uid for m in self.boites[adresse.lower()].messages if "\\Seen" in m.drapeaux]

    def reinitialiser_uid_validity(self) -> None:
        """As a server that rebuilt its index: the UIDs known to a client are no longer valid."""
        self.uid_validity += 1


_ATOME = re.compile(rb"^(\S+) (\S+)(?: (.*))?$")


class _Session(socketserver.StreamRequestHandler):
    server: ServeurImapTest

    def handle(self):
        self.boite: BoiteImap | None = None
        self.adresse = ""
        self.ecriture = False
        self._ecrire(f"* OK [CAPABILITY {CAPACITES}] Serveur IMAP de test DUI prêt")
        if self.server.pannes > 0:
            with self.server._verrou:
                self.server.pannes -= 1
            self._ecrire("* BYE Service momentanément indisponible (panne simulée)")
            return
        while True:
            ligne = self.rfile.readline(65536)
            if not ligne:
                return
            m = _ATOME.match(ligne.rstrip(b"\r\n"))
            if not m:
                self._ecrire("* BAD Commande illisible")
                continue
            tag, commande, arguments = (m.group(1).decode(), m.group(2).decode().upper(), m.group(3) or b"")
            if commande == "UID":
                sous, _, reste = arguments.partition(b" ")
                commande, arguments, par_uid = f"UID {sous.decode().upper()}", reste, True
            else:
                par_uid = False
            try:
                fin = self._traiter(tag, commande, arguments.decode("utf-8", "replace"), par_uid)
            except _Erreur as exc:
                self._ecrire(f"{tag} BAD {exc}")
                continue
            if fin:
                return

    def _traiter(self, tag: str, commande: str, arguments: str, par_uid: bool) -> bool:
        if commande == "CAPABILITY":
            self._ecrire(f"* CAPABILITY {CAPACITES}")
        elif commande == "NOOP":
            pass
        elif commande == "LOGOUT":
            self._ecrire("* BYE Au revoir")
            self._ecrire(f"{tag} OK LOGOUT terminé")
            return True
        elif commande == "LOGIN":
            self.server.refus.append("LOGIN")
            self._ecrire(f"{tag} NO [PRIVACYREQUIRED] Authentification par certificat exigée (SASL EXTERNAL)")
            return False
        elif commande == "AUTHENTICATE":
            self._authentifier(tag, arguments)
            return False
        elif not self.adresse:
            self._ecrire(f"{tag} NO Authentification requise")
            return False
        elif commande in ("SELECT", "EXAMINE"):
            if arguments.strip().strip('"').upper() != "INBOX":
                self._ecrire(f"{tag} NO [NONEXISTENT] Dossier inconnu")
                return False
            self.boite, self.ecriture = self.server.boites[self.adresse], commande == "SELECT"
            with self.server._verrou:
                self._ecrire(f"* {len(self.boite.messages)} EXISTS")
                self._ecrire("* 0 RECENT")
                self._ecrire(f"* OK [UIDVALIDITY {self.server.uid_validity}] UID valides")
                self._ecrire(f"* OK [UIDNEXT {self.boite.uid_suivant}] Prochain UID")
            self._ecrire("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
            self._ecrire(f"{tag} OK [{'READ-WRITE' if self.ecriture else 'READ-ONLY'}] {commande} terminé")
            return False
        elif self.boite is None:
            self._ecrire(f"{tag} NO Aucun dossier sélectionné")
            return False
        elif commande in ("SEARCH", "UID SEARCH"):
            trouves = self._chercher(arguments, par_uid)
            self._ecrire("* SEARCH" + "".join(f" {n}" for n in trouves))
        elif commande in ("FETCH", "UID FETCH"):
            ensemble, _, elements = arguments.partition(" ")
            for rang, message in self._ensemble(ensemble, par_uid):
                self._envoyer_fetch(rang, message, elements.upper(), par_uid)
        elif commande in ("STORE", "UID STORE"):
            ensemble, mode, drapeaux = (arguments.split(" ", 2) + ["", ""])[:3]
            if not self.ecriture:
                self._ecrire(f"{tag} NO Dossier en lecture seule")
                return False
            noms = set(drapeaux.strip("()").split())
            for rang, message in self._ensemble(ensemble, par_uid):
                with self.server._verrou:
                    if mode.upper().startswith("+FLAGS"):
                        message.drapeaux |= noms
                    elif mode.upper().startswith("-FLAGS"):
                        message.drapeaux -= noms
                    else:
                        message.drapeaux = set(noms)
                if not mode.upper().endswith(".SILENT"):
                    self._ecrire(
                        f"* {rang} FETCH (UID {message.uid} FLAGS ({' '.join(sorted(message.drapeaux))}))"
                    )
        else:
            self._ecrire(f"{tag} BAD Commande non prise en charge : {commande}")
            return False
        self._ecrire(f"{tag} OK {commande} terminé")
        return False

    def _authentifier(self, tag: str, arguments: str) -> None:
        mecanisme, _, initial = arguments.partition(" ")
        if mecanisme.upper() != "EXTERNAL":
            self._ecrire(f"{tag} NO [AUTHENTICATIONFAILED] Seul SASL EXTERNAL est accepté")
            return
        if not initial:
            self._ecrire("+ ")
            initial = self.rfile.readline(4096).decode().strip()
        try:
            identite = base64.b64decode(initial, validate=True).decode() if initial != "=" else ""
        except ValueError:
            self._ecrire(f"{tag} BAD Réponse SASL illisible")
            return
        certificat = self.connection.getpeercert() or {}
        if certificat and self.server.a_la_demande and identite.lower().endswith(".mssante.fr"):
            self.server.creer_boite(identite)
        if not certificat or identite.lower() not in self.server.boites:
            self.server.refus.append(identite)
            self._ecrire(
                f"{tag} NO [AUTHENTICATIONFAILED] Boîte inconnue ou non autorisée pour ce certificat"
            )
            return
        self.adresse = identite.lower()
        self.server.connexions.append(self.adresse)
        self._ecrire(f"{tag} OK [CAPABILITY {CAPACITES}] Authentifié")

    def _ensemble(self, texte: str, par_uid: bool) -> list[tuple[int, MessageImap]]:
        assert self.boite is not None
        messages = list(enumerate(self.boite.messages, start=1))
        if not messages:
            return []
        maximum = messages[-1][1].uid if par_uid else len(messages)
        retenus: set[int] = set()
        for morceau in texte.split(","):
            debut, _, fin = morceau.partition(":")
            try:
                a = maximum if debut == "*" else int(debut)
                b = a if not fin else (maximum if fin == "*" else int(fin))
            except ValueError as exc:
                raise _Erreur("Ensemble de messages invalide") from exc
            bas, haut = sorted((a, b))  # RFC 3501 §9: n:* always holds the last message
            retenus.update(range(bas, haut + 1))
        return [(rang, m) for rang, m in messages if (m.uid if par_uid else rang) in retenus]

    def _chercher(self, criteres: str, par_uid: bool) -> list[int]:
        assert self.boite is not None
        jetons = criteres.upper().split()
        resultat = list(enumerate(self.boite.messages, start=1))
        i = 0
        while i < len(jetons):
            jeton = jetons[i]
            if jeton == "ALL":
                pass
            elif jeton == "UNSEEN":
                resultat = [(r, m) for r, m in resultat if "\\Seen" not in m.drapeaux]
            elif jeton == "SEEN":
                resultat = [(r, m) for r, m in resultat if "\\Seen" in m.drapeaux]
            elif jeton == "UID" and i + 1 < len(jetons):
                dans = {id(m) for _, m in self._ensemble(jetons[i + 1], True)}
                resultat = [(r, m) for r, m in resultat if id(m) in dans]
                i += 1
            else:
                raise _Erreur(f"Critère de recherche non pris en charge : {jeton}")
            i += 1
        return [m.uid if par_uid else r for r, m in resultat]

    def _envoyer_fetch(self, rang: int, message: MessageImap, elements: str, par_uid: bool) -> None:
        morceaux = [f"UID {message.uid}"]
        corps = None
        if "BODY[]" in elements or "RFC822" in elements.replace("RFC822.SIZE", ""):
            if self.ecriture:
                with self.server._verrou:
                    message.drapeaux.add("\\Seen")
        if "BODY.PEEK[]" in elements or "BODY[]" in elements:
            corps = message.contenu
        if "RFC822.SIZE" in elements:
            morceaux.append(f"RFC822.SIZE {len(message.contenu)}")
        if "FLAGS" in elements or "BODY[]" in elements:
            morceaux.append(f"FLAGS ({' '.join(sorted(message.drapeaux))})")
        entete = f"* {rang} FETCH ({' '.join(morceaux)}"
        if corps is None:
            self._ecrire(entete + ")")
            return
        self.wfile.write(f"{entete} BODY[] {{{len(corps)}}}\r\n".encode() + corps + b")\r\n")

    def _ecrire(self, ligne: str) -> None:
        self.wfile.write(ligne.encode() + b"\r\n")


class _Erreur(Exception):
    pass
