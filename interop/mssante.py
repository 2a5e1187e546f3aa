"""MSSanté: a secure mail with the PDF and an IHE XDM zip (the CDA and its XDS metadata), sent over SMTP
with STARTTLS (or implicit TLS) and the ESMS's client certificate when configured.

The Message-ID is derived from the exchange's idempotency key: a mail resent after a worker died carries
the same Message-ID, which the recipient's mailbox uses to show it once.
"""

from __future__ import annotations

import io
import smtplib
import ssl
import zipfile
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone
from lxml import etree

from dui.transport import EchecDefinitif, EchecTemporaire, contexte_tls

DOMAINE_MSSANTE = ".mssante.fr"


def adresse_mssante_valide(adresse: str) -> bool:
    adresse = adresse.strip().lower()
    local, _, domaine = adresse.partition("@")
    return (
        bool(local) and "@" not in domaine and (domaine.endswith(DOMAINE_MSSANTE) or domaine == "mssante.fr")
    )


def zip_xdm(cda: bytes, metadata, *, titre: str, expediteur: str) -> bytes:
    """IHE XDM (ITI-32) media: INDEX.HTM and README.TXT at the root, IHE_XDM/SUBSET01/ with METADATA.XML
    and the CDA document (DOC0001.XML, the URI named in the metadata)."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "INDEX.HTM",
            (
                '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>IHE XDM</title></head><body>'
                f"<h1>{_html(titre)}</h1><p>Envoyé par {_html(expediteur)}.</p>"
                '<ul><li><a href="IHE_XDM/SUBSET01/DOC0001.XML">Document CDA</a></li>'
                '<li><a href="IHE_XDM/SUBSET01/METADATA.XML">Métadonnées XDS</a></li>'
                '<li><a href="README.TXT">Lisez-moi</a></li></ul></body></html>'
            ).encode(),
        )
        z.writestr(
            "README.TXT",
            (
                "Support d'échange IHE XDM produit par DUI (Dossier Usager Informatisé).\r\n"
                f"Expéditeur : {expediteur}\r\nContenu : IHE_XDM/SUBSET01/ (METADATA.XML, DOC0001.XML).\r\n"
            ).encode(),
        )
        z.writestr(
            "IHE_XDM/SUBSET01/METADATA.XML", etree.tostring(metadata, xml_declaration=True, encoding="UTF-8")
        )
        z.writestr("IHE_XDM/SUBSET01/DOC0001.XML", cda)
    return tampon.getvalue()


def _html(texte: str) -> str:
    from html import escape

    return escape(texte)


@dataclass
class Courrier:
    expediteur: str
    destinataire: str
    sujet: str
    corps: str
    pdf: bytes
    nom_pdf: str
    xdm: bytes
    code_cda: str
    message_id: str


def message(c: Courrier) -> EmailMessage:
    m = EmailMessage()
    m["From"] = c.expediteur
    m["To"] = c.destinataire
    m["Subject"] = c.sujet
    m["Date"] = format_datetime(timezone.now())
    m["Message-ID"] = c.message_id
    # Référentiel socle MSSanté #2: the CDA's code (ECO.2.4.1), and « O »: the attached document identifies
    # the person by a qualified INS (ECO.2.4.2) — always so here, a non-qualified identity is never sent
    m["X-MSS-CODECDA"] = c.code_cda
    m["X-MSS-INS"] = "O"
    # Read receipt (RFC 8098): the recipient's client sends a disposition notification to this address.
    m["Disposition-Notification-To"] = c.expediteur
    m.set_content(c.corps)
    m.add_attachment(c.pdf, maintype="application", subtype="pdf", filename=c.nom_pdf)
    m.add_attachment(c.xdm, maintype="application", subtype="zip", filename="IHE_XDM.ZIP")
    return m


def message_id(cle: str, domaine: str) -> str:
    import uuid

    return f"<{uuid.uuid5(uuid.NAMESPACE_URL, cle)}@{domaine}>" if cle else make_msgid(domain=domaine)


class SmtpTransport:
    def __init__(
        self,
        hote: str,
        port: int,
        *,
        tls: str = "starttls",
        utilisateur: str = "",
        mot_de_passe: str = "",
        certificat: str = "",
        cle: str = "",
        ca: str = "",
        timeout: float = 30.0,
    ):
        if not hote:
            raise EchecDefinitif("La messagerie MSSanté n'est pas configurée sur ce serveur.")
        if tls not in ("starttls", "tls"):
            raise EchecDefinitif("La messagerie MSSanté exige TLS (DUI_MSS_TLS : « starttls » ou « tls »).")
        self.hote, self.port, self.tls, self.timeout = hote, port, tls, timeout
        self.utilisateur, self.mot_de_passe = utilisateur, mot_de_passe
        self.contexte = contexte_tls("La messagerie MSSanté", ca, certificat, cle)

    def envoyer(self, m: EmailMessage) -> str:
        try:
            smtp: smtplib.SMTP
            if self.tls == "tls":
                smtp = smtplib.SMTP_SSL(self.hote, self.port, timeout=self.timeout, context=self.contexte)
            else:
                smtp = smtplib.SMTP(self.hote, self.port, timeout=self.timeout)
            with smtp:
                if self.tls == "starttls":
                    smtp.starttls(context=self.contexte)  # refuses to go on in clear if the server can't
                if self.utilisateur:
                    smtp.login(self.utilisateur, self.mot_de_passe)
                refuses = smtp.send_message(m)
        except smtplib.SMTPRecipientsRefused as exc:
            raise EchecDefinitif(f"Adresse refusée par la messagerie : {', '.join(exc.recipients)}.") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise EchecDefinitif(
                "Le serveur MSSanté ne propose pas STARTTLS : envoi refusé en clair."
            ) from exc
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise EchecTemporaire(f"Messagerie momentanément indisponible ({exc.smtp_code}).") from exc
            raise EchecDefinitif(
                f"Message refusé par la messagerie ({exc.smtp_code} {_texte(exc.smtp_error)})."
            ) from exc
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            raise EchecTemporaire(f"Messagerie MSSanté injoignable ({exc}).") from exc
        if refuses:
            raise EchecDefinitif(f"Adresse refusée par la messagerie : {', '.join(refuses)}.")
        return f"Remis au serveur MSSanté ({m['Message-ID']})"


def _texte(erreur: bytes | str) -> str:
    return erreur.decode(errors="replace") if isinstance(erreur, bytes) else erreur
