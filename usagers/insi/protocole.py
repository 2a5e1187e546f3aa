"""INSi exchange: a SOAP 1.2 request "rechercher l'INS par les traits d'identité" and its reply.

The envelope follows the shapes of the CNAM téléservice INSi as far as they are public (operation
RECSANSVITALE, a compte rendu ``CR`` with ``CodeCR`` 00 / 01 / 02, the active INS with its OID and the
reference identity traits ``TIQ``). The official WSDL is not available here: the production transport
must be checked against it during INSi certification. Standard library only.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS = "urn:dui:insi:rechercher-ins"  # namespace of our envelope; the CNAM one replaces it in production
ET.register_namespace("soap", SOAP)
ET.register_namespace("insi", NS)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


@dataclass(frozen=True)
class Traits:
    nom_naissance: str
    prenoms: tuple[str, ...]
    sexe: str
    date_naissance: datetime.date
    lieu_naissance: str = ""

    @property
    def premier_prenom(self) -> str:
        return self.prenoms[0] if self.prenoms else ""


@dataclass(frozen=True)
class Reponse:
    code: str  # "00" one identity, "01" none, "02" several
    libelle: str
    matricule: str = ""
    oid: str = ""
    traits: Traits | None = None
    details: dict = field(default_factory=dict)


def requete_xml(traits: Traits, requete_id: str) -> bytes:
    env = ET.Element(f"{{{SOAP}}}Envelope")
    ET.SubElement(ET.SubElement(env, f"{{{SOAP}}}Header"), _q("IdRequete")).text = requete_id
    op = ET.SubElement(ET.SubElement(env, f"{{{SOAP}}}Body"), _q("RECSANSVITALE"))
    ident = ET.SubElement(op, _q("Identite"))
    ET.SubElement(ident, _q("NomNaissance")).text = traits.nom_naissance
    ET.SubElement(ident, _q("Prenom")).text = " ".join(traits.prenoms)
    ET.SubElement(ident, _q("Sexe")).text = traits.sexe
    ET.SubElement(ident, _q("DateNaissance")).text = traits.date_naissance.isoformat()
    if traits.lieu_naissance:
        ET.SubElement(ident, _q("LieuNaissance")).text = traits.lieu_naissance
    return ET.tostring(env, encoding="utf-8", xml_declaration=True)


def lire_requete(corps: bytes) -> tuple[Traits, str]:
    env = ET.fromstring(corps)  # noqa: S314 - local test server parsing its own clients' requests
    ident = env.find(f".//{_q('Identite')}")
    if ident is None:
        raise ValueError("Requête INSi sans identité")
    texte = lambda tag: (ident.findtext(_q(tag)) or "").strip()  # noqa: E731
    traits = Traits(
        texte("NomNaissance"),
        tuple(texte("Prenom").split()),
        texte("Sexe"),
        datetime.date.fromisoformat(texte("DateNaissance")),
        texte("LieuNaissance"),
    )
    return traits, (env.findtext(f".//{_q('IdRequete')}") or "")


def reponse_xml(reponse: Reponse) -> bytes:
    env = ET.Element(f"{{{SOAP}}}Envelope")
    res = ET.SubElement(ET.SubElement(env, f"{{{SOAP}}}Body"), _q("RESULTAT"))
    cr = ET.SubElement(res, _q("CR"))
    ET.SubElement(cr, _q("CodeCR")).text = reponse.code
    ET.SubElement(cr, _q("LibelleCR")).text = reponse.libelle
    if reponse.code == "00" and reponse.traits:
        individu = ET.SubElement(res, _q("INDIVIDU"))
        actif = ET.SubElement(individu, _q("INSACTIF"))
        id_ind = ET.SubElement(actif, _q("IdIndividu"))
        ET.SubElement(id_ind, _q("NumIdentifiant")).text = reponse.matricule[:13]
        ET.SubElement(id_ind, _q("Cle")).text = reponse.matricule[13:]
        ET.SubElement(actif, _q("OID")).text = reponse.oid
        tiq = ET.SubElement(individu, _q("TIQ"))
        ET.SubElement(tiq, _q("NomNaissance")).text = reponse.traits.nom_naissance
        ET.SubElement(tiq, _q("Prenom")).text = reponse.traits.premier_prenom
        ET.SubElement(tiq, _q("ListePrenom")).text = " ".join(reponse.traits.prenoms)
        ET.SubElement(tiq, _q("Sexe")).text = reponse.traits.sexe
        ET.SubElement(tiq, _q("DateNaissance")).text = reponse.traits.date_naissance.isoformat()
        ET.SubElement(tiq, _q("LieuNaissance")).text = reponse.traits.lieu_naissance
    return ET.tostring(env, encoding="utf-8", xml_declaration=True)


def lire_reponse(corps: bytes) -> Reponse:
    env = ET.fromstring(corps)  # noqa: S314 - replies of a configured, authenticated endpoint
    code = (env.findtext(f".//{_q('CodeCR')}") or "").strip()
    libelle = (env.findtext(f".//{_q('LibelleCR')}") or "").strip()
    if code not in ("00", "01", "02"):
        raise ValueError(f"Compte rendu INSi inattendu : {code!r}")
    if code != "00":
        return Reponse(code, libelle)
    tiq = env.find(f".//{_q('TIQ')}")
    if tiq is None:
        raise ValueError("Réponse INSi 00 sans traits d'identité (TIQ).")
    texte = lambda tag: (tiq.findtext(_q(tag)) or "").strip()  # noqa: E731
    traits = Traits(
        texte("NomNaissance"),
        tuple(texte("ListePrenom").split()),
        texte("Sexe"),
        datetime.date.fromisoformat(texte("DateNaissance")),
        texte("LieuNaissance"),
    )
    matricule = (env.findtext(f".//{_q('NumIdentifiant')}") or "") + (env.findtext(f".//{_q('Cle')}") or "")
    return Reponse(
        code, libelle, matricule=matricule, oid=(env.findtext(f".//{_q('OID')}") or ""), traits=traits
    )
