"""MTOM/XOP (W3C SOAP Message Transmission Optimization Mechanism, XML-binary Optimized Packaging) for ITI-41, as
IHE ITI TF-2x V.3.6 requires: the SOAP envelope is the root part of a ``multipart/related`` message of type
``application/xop+xml``, and each document travels as a binary MIME part referenced from its
``xdsb:Document`` element by an ``xop:Include href="cid:…"``.

``emballer`` makes such a message; ``deballer`` reads one (the local DMP, and an answer sent as MTOM) back into
a plain envelope with the documents inline in base64, so that the rest of the reading is the same.
"""

from __future__ import annotations

import base64
import uuid
from email.message import Message

from lxml import etree

XOP = "http://www.w3.org/2004/08/xop/include"
SOAP_12 = "application/soap+xml"


class MtomIllisible(ValueError):
    pass


def _cid() -> str:
    return f"{uuid.uuid4()}@dui"


def emballer(enveloppe: etree._Element, documents: dict[str, bytes], action: str) -> tuple[bytes, str]:
    """The MTOM message of ``enveloppe`` whose ``xdsb:Document`` elements (by ``id``) are replaced by XOP
    references to binary parts holding ``documents``. Returns the body and its Content-Type."""
    enveloppe = etree.fromstring(etree.tostring(enveloppe))  # the caller's tree is left as it was
    pieces: list[tuple[str, bytes]] = []
    for element in enveloppe.iter("{urn:ihe:iti:xds-b:2007}Document"):
        contenu = documents[element.get("id", "")]
        cid = _cid()
        element.text = None
        for enfant in list(element):
            element.remove(enfant)
        etree.SubElement(element, f"{{{XOP}}}Include", nsmap={"xop": XOP}, href=f"cid:{cid}")
        pieces.append((cid, contenu))
    frontiere = f"MIMEBoundary_{uuid.uuid4().hex}"
    racine = _cid()
    morceaux = [
        f"--{frontiere}\r\n".encode(),
        f'Content-Type: application/xop+xml; charset=UTF-8; type="{SOAP_12}"\r\n'.encode(),
        b"Content-Transfer-Encoding: binary\r\n",
        f"Content-ID: <{racine}>\r\n\r\n".encode(),
        etree.tostring(enveloppe, xml_declaration=True, encoding="UTF-8"),
        b"\r\n",
    ]
    for cid, contenu in pieces:
        morceaux += [
            f"--{frontiere}\r\n".encode(),
            b"Content-Type: text/xml\r\n",
            b"Content-Transfer-Encoding: binary\r\n",
            f"Content-ID: <{cid}>\r\n\r\n".encode(),
            contenu,
            b"\r\n",
        ]
    morceaux.append(f"--{frontiere}--\r\n".encode())
    content_type = (
        f'multipart/related; boundary="{frontiere}"; type="application/xop+xml"; start="<{racine}>"; '
        f'start-info="{SOAP_12}"; action="{action}"'
    )
    return b"".join(morceaux), content_type


def _parametres(content_type: str) -> Message:
    m = Message()
    m["Content-Type"] = content_type
    return m


def est_mtom(content_type: str) -> bool:
    m = _parametres(content_type)
    return (
        m.get_content_type() == "multipart/related" and (m.get_param("type") or "") == "application/xop+xml"
    )


def parties(corps: bytes, frontiere: str) -> list[tuple[dict[str, str], bytes]]:
    """The parts of a MIME multipart body: (headers by lower-case name, content)."""
    separateur = b"--" + frontiere.encode()
    resultat = []
    morceaux = corps.split(separateur)
    if len(morceaux) < 3:
        raise MtomIllisible("message MIME sans parties")
    for morceau in morceaux[1:]:
        if morceau.startswith(b"--"):
            break  # the closing delimiter
        morceau = morceau[2:] if morceau.startswith(b"\r\n") else morceau.lstrip(b"\n")
        entetes_bruts, sep, contenu = morceau.partition(b"\r\n\r\n")
        if not sep:
            raise MtomIllisible("partie MIME sans en-têtes")
        entetes = {}
        for ligne in entetes_bruts.decode("latin-1").split("\r\n"):
            nom, _, valeur = ligne.partition(":")
            entetes[nom.strip().lower()] = valeur.strip()
        resultat.append((entetes, contenu[:-2] if contenu.endswith(b"\r\n") else contenu))
    return resultat


def deballer(corps: bytes, content_type: str) -> bytes:
    """The SOAP envelope of an MTOM message, each ``xop:Include`` replaced by its part in base64."""
    m = _parametres(content_type)
    frontiere = m.get_param("boundary")
    if not isinstance(frontiere, str) or not frontiere:
        raise MtomIllisible("frontière MIME absente")
    liste = parties(corps, frontiere)
    depart = str(m.get_param("start") or "")
    par_cid = {e.get("content-id", "").strip("<>"): (e, c) for e, c in liste}
    racine_entetes, racine = par_cid.get(depart.strip("<>"), liste[0]) if depart else liste[0]
    if "application/xop+xml" not in racine_entetes.get("content-type", ""):
        raise MtomIllisible("la partie racine n'est pas de type application/xop+xml")
    try:
        enveloppe = etree.fromstring(racine, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise MtomIllisible(f"enveloppe SOAP illisible ({exc})") from exc
    for inclusion in list(enveloppe.iter(f"{{{XOP}}}Include")):
        cid = (inclusion.get("href") or "").removeprefix("cid:")
        if cid not in par_cid:
            raise MtomIllisible(f"partie {cid} référencée mais absente")
        parent = inclusion.getparent()
        parent.remove(inclusion)
        parent.text = base64.b64encode(par_cid[cid][1]).decode("ascii")
    return etree.tostring(enveloppe, xml_declaration=True, encoding="UTF-8")


def enveloppe_de_reponse(corps: bytes) -> bytes:
    """An answer may come as MTOM too (the DMP answers that way): its root part, or the body as it is."""
    if not corps.lstrip().startswith(b"--"):
        return corps
    premiere_ligne = corps.lstrip().split(b"\r\n", 1)[0]
    frontiere = premiere_ligne[2:].decode("latin-1").strip()
    try:
        liste = parties(corps.lstrip(), frontiere)
    except MtomIllisible:
        return corps
    return liste[0][1] if liste else corps
