"""The contrat de séjour and the DIPC: the variables of the templates, the text drawn from them, the legal
deadlines and the content hash that seals a signature.

Deadlines — code de l'action sociale et des familles:
- art. L311-4: the contract (or the DIPC) is handed to the person or their legal representative **at the
  latest within fifteen days after the admission**, with the livret d'accueil (which includes the charte des
  droits et libertés de la personne accueillie) and the règlement de fonctionnement;
- art. D311 (décret n° 2004-1274 of 26 November 2004): the contract is **signed within the month that follows
  the admission**; changes to its terms are made by avenants; a DIPC is drawn up when the person or their
  representant refuses to sign, and for the services and stays where no contract is required.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

DELAI_REMISE = datetime.timedelta(days=15)
DELAI_SIGNATURE = relativedelta(months=1)
FENETRE_SUIVI = datetime.timedelta(days=120)  # the admissions a director's list follows

VARIABLES: dict[str, str] = {
    "nom": "nom d'usage de la personne",
    "prenom": "prénom",
    "nom_naissance": "nom de naissance",
    "date_naissance": "date de naissance",
    "etablissement": "nom de l'établissement",
    "finess": "FINESS de l'établissement",
    "organisme": "organisme gestionnaire",
    "date_entree": "date d'admission",
    "mode_accueil": "mode d'accueil",
    "unite": "unité",
    "chambre": "chambre ou place",
    "representant": "représentant légal ou mandataire (s'il y en a un)",
    "date_du_jour": "date du jour",
}
MOTIF = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def variables_inconnues(corps: str) -> list[str]:
    return sorted({nom for nom in MOTIF.findall(corps) if nom not in VARIABLES})


def valeurs(usager: Any, sejour: Any, representant: str, jour: datetime.date) -> dict[str, str]:
    etablissement = sejour.etablissement
    return {
        "nom": usager.nom_affiche,
        "prenom": usager.prenom_affiche,
        "nom_naissance": usager.nom_naissance.upper(),
        "date_naissance": f"{usager.date_naissance:%d/%m/%Y}" if usager.date_naissance else "",
        "etablissement": etablissement.nom,
        "finess": etablissement.finess_geographique,
        "organisme": str(etablissement.organisme),
        "date_entree": f"{sejour.date_entree:%d/%m/%Y}",
        "mode_accueil": sejour.get_mode_accueil_display(),
        "unite": sejour.unite.nom if sejour.unite_id else "",
        "chambre": sejour.chambre,
        "representant": representant,
        "date_du_jour": f"{jour:%d/%m/%Y}",
    }


def rendre(corps: str, donnees: dict[str, str]) -> str:
    """The template's text with the person's data (plain text: the PDF escapes it)."""
    return MOTIF.sub(lambda m: donnees.get(m.group(1), m.group(0)), corps)


def blocs(texte: str) -> list[tuple[str, str]]:
    """The text as (kind, content) blocks for the PDF: "titre" for a line starting with "#", else
    paragraphs separated by blank lines."""
    resultat: list[tuple[str, str]] = []
    for bloc in re.split(r"\n\s*\n", texte.strip()):
        lignes = bloc.strip().splitlines()
        for i, ligne in enumerate(lignes):
            if ligne.startswith("#"):
                resultat.append(("titre", ligne.lstrip("#").strip()))
            else:
                resultat.append(("paragraphe", "\n".join(lignes[i:]).strip()))
                break
    return resultat


def echeances(entree: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last day to hand the contract, and the last day to sign it."""
    return entree + DELAI_REMISE, entree + DELAI_SIGNATURE


@dataclass(frozen=True)
class Etat:
    code: str  # a_remettre, remise_en_retard, a_signer, signature_en_retard, signe, refuse
    libelle: str
    en_retard: bool


def etat(
    entree: datetime.date,
    remis_le: datetime.date | None,
    signe_le: datetime.date | None,
    refuse: bool,
    jour: datetime.date,
) -> Etat:
    remise, signature = echeances(entree)
    if signe_le is not None:
        retard = signe_le > signature
        return Etat("signe", f"signé le {signe_le:%d/%m/%Y}" + (" (hors délai)" if retard else ""), False)
    if refuse:
        return Etat("refuse", "signature refusée : un DIPC est à établir", False)
    if remis_le is None:
        if jour > remise:
            return Etat("remise_en_retard", f"non remis, à remettre avant le {remise:%d/%m/%Y}", True)
        return Etat("a_remettre", f"à remettre au plus tard le {remise:%d/%m/%Y}", False)
    if jour > signature:
        return Etat("signature_en_retard", f"non signé, à signer avant le {signature:%d/%m/%Y}", True)
    return Etat("a_signer", f"à signer au plus tard le {signature:%d/%m/%Y}", False)


def empreinte(texte: str, signataire: str, qualite: str, signe_le: datetime.datetime, image: bytes) -> str:
    """The SHA-256 of what was signed: the text, who signed and as what, when, and the signature's image.
    Printed on the signed PDF and kept on the contract: recomputed, it proves neither changed."""
    h = hashlib.sha256()
    for partie in (texte, signataire, qualite, signe_le.isoformat()):
        h.update(partie.encode("utf-8") + b"\x00")
    h.update(hashlib.sha256(image).digest())
    return h.hexdigest()
