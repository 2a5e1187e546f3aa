"""MSSanté inbox, protocol side: reading an ESMS's application mailbox over IMAP (implicit TLS, the ESMS's
certificate, SASL EXTERNAL — ``imaplib``), and reading what a message holds: a document sent with its IHE XDM
archive (the person's INS and the CDA from ``METADATA.XML``), a read receipt (RFC 8098) or a delivery report
(RFC 3464) about a message the DUI sent. Nothing here touches the database (``interop.boite`` does)."""

from __future__ import annotations

import base64
import contextlib
import datetime
import imaplib
import io
import re
import ssl
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime

from lxml import etree

from dui.transport import EchecDefinitif, EchecTemporaire, contexte_tls

from . import xds

TAILLE_MAX_XDM = 50 * 1024 * 1024  # uncompressed, all members: a zip bomb is refused, not expanded
FICHIERS_MAX_XDM = 200
OIDS_INS_NOMS = {
    "1.2.250.1.213.1.4.8": "INS-NIR",
    "1.2.250.1.213.1.4.9": "INS-NIA",
    "1.2.250.1.213.1.4.10": "INS-NIR de test",
    "1.2.250.1.213.1.4.11": "INS-NIR de démonstration",
}


class Nature:
    DOCUMENT = "document"
    ACCUSE_LECTURE = "accuse_lecture"
    AVIS_REMISE = "avis_remise"
    NON_REMIS = "non_remis"


@dataclass
class Piece:
    nom: str
    type_mime: str
    contenu: bytes


@dataclass
class Xdm:
    ins: str = ""
    oid_ins: str = ""
    titre: str = ""
    code_type: str = ""
    cda: bytes = b""
    pdf_cda: bytes = b""  # the PDF embedded in a CDA with a non-XML body (N1)


@dataclass
class MessageLu:
    message_id: str
    expediteur: str
    sujet: str
    date: datetime.datetime | None
    texte: str
    nature: str = Nature.DOCUMENT
    pieces: list[Piece] = field(default_factory=list)
    xdm: Xdm | None = None
    erreur_xdm: str = ""
    message_id_original: str = ""  # the DUI's message a receipt or a report is about
    diagnostic: str = ""

    @property
    def pdfs(self) -> list[Piece]:
        return [p for p in self.pieces if p.contenu.startswith(b"%PDF-")]


def lire(contenu: bytes) -> MessageLu:
    """What a received message holds. Never raises on a malformed attachment: the error is kept beside the
    message (``erreur_xdm``) and the raw message is stored anyway."""
    m = message_from_bytes(contenu, policy=policy.default)
    assert isinstance(m, EmailMessage)
    lu = MessageLu(
        message_id=(m.get("Message-ID") or "").strip()[:250],
        expediteur=parseaddr(str(m.get("From", "")))[1][:254],
        sujet=str(m.get("Subject", ""))[:300],
        date=_date(m.get("Date")),
        texte="",
    )
    if m.get_content_type() == "multipart/report":
        _lire_rapport(m, lu)
        return lu
    corps = m.get_body(preferencelist=("plain", "html"))
    lu.texte = _texte(corps)[:20000] if corps is not None else ""
    for partie in m.iter_attachments():
        charge = partie.get_payload(decode=True)
        donnees = charge if isinstance(charge, bytes) else b""
        nom = partie.get_filename() or "piece-jointe"
        lu.pieces.append(Piece(nom[:200], partie.get_content_type(), donnees))
    xdm = [p for p in lu.pieces if p.nom.upper().endswith(".ZIP") and "XDM" in p.nom.upper()] or [
        p for p in lu.pieces if p.type_mime in ("application/zip", "application/x-zip-compressed")
    ]
    if xdm:
        try:
            lu.xdm = lire_xdm(xdm[0].contenu)
        except ValueError as exc:
            lu.erreur_xdm = f"Archive IHE XDM « {xdm[0].nom} » illisible : {exc}"
    return lu


def _lire_rapport(m: EmailMessage, lu: MessageLu) -> None:
    type_rapport = m.get_param("report-type", "")
    for partie in m.walk():
        if partie.get_content_type() in ("message/disposition-notification", "message/delivery-status"):
            champs = _champs_rapport(partie)
            lu.message_id_original = champs.get("original-message-id", "")
            if type_rapport == "disposition-notification":
                lu.nature = Nature.ACCUSE_LECTURE
                lu.diagnostic = champs.get("disposition", "")[:300]
            else:
                action = champs.get("action", "").lower()
                lu.nature = Nature.NON_REMIS if action in ("failed", "delayed") else Nature.AVIS_REMISE
                lu.diagnostic = (champs.get("diagnostic-code") or champs.get("status") or action)[:300]
        elif partie.get_content_type() in ("message/rfc822", "text/rfc822-headers") and not (
            lu.message_id_original
        ):
            original = partie.get_payload(0) if partie.is_multipart() else None
            entetes = original if isinstance(original, Message) else message_from_bytes(_octets(partie))
            lu.message_id_original = str(entetes.get("Message-ID") or "").strip()
        elif partie.get_content_type() == "text/plain" and not lu.texte:
            lu.texte = _texte(partie)[:5000]


def _champs_rapport(partie) -> dict[str, str]:
    """The fields of a disposition notification or of the per-recipient part of a delivery status (RFC 8098
    §3.2, RFC 3464 §2.3), by lower-case name; the last occurrence wins (the per-recipient fields follow the
    per-message ones)."""
    champs: dict[str, str] = {}
    texte = _octets(partie).decode("utf-8", "replace").replace("\r\n", "\n")
    for ligne in re.sub(r"\n[ \t]+", " ", texte).split("\n"):
        nom, deux_points, valeur = ligne.partition(":")
        if deux_points and nom.strip():
            champs[nom.strip().lower()] = valeur.strip()
    return champs


def _octets(partie) -> bytes:
    if partie.is_multipart():  # message/* parts are parsed by the email package: give them back as text
        return b"\n".join(p.as_bytes() for p in partie.get_payload())
    charge = partie.get_payload(decode=True)
    return charge if isinstance(charge, bytes) else str(partie.get_payload()).encode()


def _texte(partie) -> str:
    try:
        return str(partie.get_content())
    except (LookupError, ValueError):
        return (partie.get_payload(decode=True) or b"").decode("utf-8", "replace")


def _date(valeur) -> datetime.datetime | None:
    try:
        return parsedate_to_datetime(str(valeur)) if valeur else None
    except (TypeError, ValueError):
        return None


def lire_xdm(contenu: bytes) -> Xdm:
    """The IHE XDM archive (ITI-32): the first ``IHE_XDM/<subset>/METADATA.XML``, the person's identifier
    (``XDSDocumentEntry.patientId``), the document's title and type, the CDA it names. ``ValueError`` with a
    French reason when the archive cannot be read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
    except zipfile.BadZipFile as exc:
        raise ValueError("ce n'est pas une archive ZIP valide") from exc
    with archive:
        membres = archive.infolist()
        if len(membres) > FICHIERS_MAX_XDM or sum(m.file_size for m in membres) > TAILLE_MAX_XDM:
            raise ValueError("archive trop volumineuse")
        noms = {m.filename.upper(): m.filename for m in membres}
        metadata = sorted(
            n for n in noms if n.startswith("IHE_XDM/") and n.endswith("/METADATA.XML") and n.count("/") == 2
        )
        if not metadata:
            raise ValueError("pas de fichier IHE_XDM/…/METADATA.XML")
        try:
            racine = etree.fromstring(
                archive.read(noms[metadata[0]]),
                etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False),
            )
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError) as exc:
            raise ValueError(f"METADATA.XML illisible ({exc})") from exc
        entree = next(racine.iter(xds.R("ExtrinsicObject")), None)
        if entree is None:
            raise ValueError("METADATA.XML ne décrit aucun document")
        xdm = Xdm()
        ids = {
            e.get("identificationScheme"): e.get("value") or ""
            for e in entree.iter(xds.R("ExternalIdentifier"))
        }
        patient = ids.get(xds.DOC_PATIENT_ID, "")
        matricule, _, reste = patient.partition("^^^&")
        oid = reste.split("&", 1)[0]
        if oid in OIDS_INS_NOMS and matricule:
            xdm.ins, xdm.oid_ins = matricule.strip()[:15], oid
        nom = entree.find(f"{xds.R('Name')}/{xds.R('LocalizedString')}")
        xdm.titre = (nom.get("value", "") if nom is not None else "")[:200]
        for classification in entree.iter(xds.R("Classification")):
            if classification.get("classificationScheme") == xds.SCHEMES["typeCode"]:
                xdm.code_type = (classification.get("nodeRepresentation") or "")[:20]
        uri = next(
            (
                (v.text or "").strip()
                for s in entree.iter(xds.R("Slot"))
                if s.get("name") == "URI"
                for v in s.iter(xds.R("Value"))
            ),
            "",
        )
        dossier = metadata[0].rsplit("/", 1)[0]
        chemin = f"{dossier}/{uri.upper()}" if uri else ""
        if chemin not in noms:
            raise ValueError(f"le document nommé par METADATA.XML ({uri or 'sans URI'}) est absent")
        xdm.cda = archive.read(noms[chemin])
    xdm.pdf_cda = pdf_du_cda(xdm.cda)
    return xdm


def pdf_du_cda(cda: bytes) -> bytes:
    """The PDF of a CDA with a non-XML body (CI-SIS N1), or empty."""
    try:
        racine = etree.fromstring(cda, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return b""
    texte = racine.find("{urn:hl7-org:v3}component/{urn:hl7-org:v3}nonXMLBody/{urn:hl7-org:v3}text")
    if texte is None or texte.get("mediaType") != "application/pdf":
        return b""
    try:
        pdf = base64.b64decode("".join((texte.text or "").split()), validate=True)
    except ValueError:
        return b""
    return pdf if pdf.startswith(b"%PDF-") else b""


# --- IMAP ------------------------------------------------------------------------------------------------


@dataclass
class Releve:
    uid_validity: int
    messages: list[tuple[int, bytes]]  # (UID, raw message), in UID order


class ImapTransport:
    """One session on the operator's IMAP server: implicit TLS, the ESMS's certificate, SASL EXTERNAL with
    the mailbox as authorisation identity. The messages are read with ``BODY.PEEK[]`` (not marked read until
    the DUI has stored them: ``marquer_lus``)."""

    def __init__(
        self, hote: str, port: int, *, certificat: str, cle: str, ca: str = "", timeout: float = 30.0
    ):
        if not hote:
            raise EchecDefinitif("La réception MSSanté (IMAP) n'est pas configurée sur ce serveur.")
        if not certificat:
            raise EchecDefinitif(
                "La réception MSSanté exige le certificat de l'établissement (DUI_MSS_CERT et DUI_MSS_KEY)."
            )
        self.hote, self.port, self.timeout = hote, port, timeout
        self.contexte = contexte_tls("La messagerie MSSanté", ca, certificat, cle)
        self.imap: imaplib.IMAP4_SSL | None = None

    def __enter__(self) -> ImapTransport:
        return self

    def __exit__(self, *exc) -> None:
        if self.imap is not None:
            try:
                self.imap.logout()
            except (imaplib.IMAP4.error, OSError):
                pass

    def ouvrir(self, adresse: str) -> int:
        """Authenticate as the mailbox and select its INBOX; its UIDVALIDITY."""
        with _erreurs_imap(refus=f"Connexion à la boîte {adresse} refusée"):
            self.imap = imaplib.IMAP4_SSL(
                self.hote, self.port, ssl_context=self.contexte, timeout=self.timeout
            )
            self.imap.authenticate("EXTERNAL", lambda _defi: adresse.encode())
            statut, _ = self.imap.select("INBOX")
            if statut != "OK":
                raise EchecDefinitif(f"Boîte de réception introuvable pour {adresse}.")
            validite = self.imap.untagged_responses.get("UIDVALIDITY", [b"0"])[-1]
            return int(validite if isinstance(validite, bytes) else b"0")

    def nouveaux(self, apres_uid: int, limite: int) -> list[tuple[int, bytes]]:
        """The messages whose UID is above ``apres_uid`` (at most ``limite``, oldest first)."""
        assert self.imap is not None
        with _erreurs_imap():
            statut, donnees = self.imap.uid("SEARCH", f"UID {apres_uid + 1}:*")
            if statut != "OK":
                raise EchecTemporaire("Recherche des nouveaux messages refusée par le serveur.")
            uids = sorted(int(u) for u in (donnees[0] or b"").split() if int(u) > apres_uid)[:limite]
            messages = []
            for uid in uids:
                statut, reponse = self.imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
                brut = next((r[1] for r in reponse if isinstance(r, tuple)), None)
                if statut != "OK" or brut is None:
                    raise EchecTemporaire(f"Message {uid} illisible sur le serveur.")
                messages.append((uid, brut))
            return messages

    def marquer_lus(self, uids: list[int]) -> None:
        """Mark as read on the server what the DUI stored (a mail client on the same mailbox sees it)."""
        if not uids or self.imap is None:
            return
        try:
            self.imap.uid("STORE", ",".join(map(str, uids)), "+FLAGS.SILENT", "(\\Seen)")
        except (imaplib.IMAP4.error, ssl.SSLError, OSError):
            pass  # stored already; the flag is a courtesy to other clients


@contextlib.contextmanager
def _erreurs_imap(refus: str = "") -> Iterator[None]:
    """IMAP failures in French: the server's refusal is final when ``refus`` names the step (the login),
    temporary otherwise (a command mid-session); a cut session or the network, temporary."""
    try:
        yield
    except imaplib.IMAP4.abort as exc:
        raise EchecTemporaire(f"Session IMAP interrompue ({exc}).") from exc
    except imaplib.IMAP4.error as exc:
        if refus:
            raise EchecDefinitif(f"{refus} ({_texte_imap(exc)}).") from exc
        raise EchecTemporaire(f"Erreur IMAP ({_texte_imap(exc)}).") from exc
    except (ssl.SSLError, OSError) as exc:
        raise EchecTemporaire(f"Messagerie MSSanté injoignable ({exc}).") from exc


def _texte_imap(exc: Exception) -> str:
    texte = str(exc)
    return texte.decode(errors="replace") if isinstance(texte, bytes) else texte[:200]
