"""Identifiers and codes of the French national exchanges, in one place.

Sources: shared/docs/DOMAIN.md ("Exchanges", "Identity"), the CI-SIS and IHE specifications. The sector,
profession and practice-setting codes are read from the ANS value sets copied in ``jeux_de_valeurs/`` (decision
0018); the constants still typed here (class codes, masking) are to check against the DMP value sets.
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# CDA / CI-SIS
OID_LOINC = "2.16.840.1.113883.6.1"
OID_CONFIDENTIALITE_HL7 = "2.16.840.1.113883.5.25"
OID_MASQUAGE = "1.2.250.1.213.1.1.4.13"
OID_SEXE_HL7 = "2.16.840.1.113883.5.1"
TEMPLATES_CISIS = ("2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1")
TEMPLATE_PDF_NON_STRUCTURE = "1.3.6.1.4.1.19376.1.2.20"  # IHE XDS-SD (scanned/PDF document)
OID_ID_NAT_PS = "1.2.250.1.71.4.2.1"  # identifiant national d'un professionnel : "8" + RPPS
OID_ID_NAT_STRUCT = "1.2.250.1.71.4.2.2"  # identifiant national d'une structure : "1" + FINESS

# The INS's identifier type by the OID of its assigning authority (FR Core, profile FRCorePatientINS: one slice
# per OID, code system fr-core-cs-v2-0203); checked against the profile in tests/interop/test_fhir.py
SYSTEME_TYPE_IDENTIFIANT = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
TYPE_IDENTIFIANT_INS = {
    "1.2.250.1.213.1.4.8": "INS-NIR",
    "1.2.250.1.213.1.4.9": "INS-NIA",
    "1.2.250.1.213.1.4.10": "INS-NIR-TEST",
    "1.2.250.1.213.1.4.11": "INS-NIR-DEMO",
}

# XDS.b (ITI-41)
FORMAT_PDF = ("urn:ihe:iti:xds-sd:pdf:2008", "1.3.6.1.4.1.19376.1.2.3", "Document PDF (IHE XDS-SD)")
# JDV_J07 classCode (to check against J57, see above)
# (keys: documents.models.TypeDocument values; this module imports no model, so that the test servers run
# without Django set up)
CLASSE_PAR_TYPE = {  # DMP J57 classCode (labels read from jdv_dmp.json)
    "projet_personnalise": "10",  # Compte rendu
    "grille_evaluation": "10",
    "dlu": "11",  # Synthèse
    "cr_administration": "45",  # Traitement administré (LOINC 80565-5, medication administration record)
    "autre": "10",
}
OID_CLASSE = "1.2.250.1.213.1.1.4.1"


# --- Codes read from the ANS value sets (interop/jeux_de_valeurs, copies of the SVS files) ---------------

DOSSIER_JDV = Path(__file__).resolve().parent / "jeux_de_valeurs"
J01_SPECIALITE = "JDV_J01_XdsAuthorSpecialty_CISIS.xml"
J02_SECTEUR = "JDV_J02_XdsHealthcareFacilityTypeCode_CISIS.xml"
J04_CADRE = "JDV_J04_XdsPracticeSettingCode_CISIS.xml"
J08_CONFIDENTIALITE = "JDV_J08_XdsConfidentialityCode_CISIS.xml"
JDV_DMP = "jdv_dmp.json"


@dataclass(frozen=True)
class Concept:
    code: str
    systeme: str  # OID of the code system
    libelle: str


@functools.cache
def jeu_de_valeurs(fichier: str) -> dict[str, Concept]:
    """The concepts of an SVS value set file, by code (a code present in two systems is refused: the
    lookups below give a code only)."""
    from lxml import etree

    racine = etree.parse(str(DOSSIER_JDV / fichier))
    concepts: dict[str, Concept] = {}
    for element in racine.iter("{urn:ihe:iti:svs:2008}Concept"):
        code = element.get("code")
        if code in concepts:
            raise ValueError(f"{fichier} : code {code} présent deux fois")
        concepts[code] = Concept(code, element.get("codeSystem"), element.get("displayName"))
    return concepts


def concept(fichier: str, code: str) -> Concept:
    """One concept of a value set; a code that is not in it raises ``KeyError`` (a typo, or a value set that
    changed: caught by the tests, never sent)."""
    return jeu_de_valeurs(fichier)[code]


# ESMS category (dui.models.CategorieESMS values) → secteur d'activité (J02, TRE_R02). The only part written
# by hand; every category must be here (tests/interop/test_conformite_cda.py).
SECTEUR_PAR_CATEGORIE = {
    # personnes âgées
    "EHPAD": "SA17",
    "EHPA": "SA17",
    "ACCUEIL_JOUR": "SA17",
    # a USLD is a unit of a health establishment (sanitaire), not an ESMS
    "USLD": "SA30",
    # personnes handicapées (adults and children, with their home services)
    "MAS": "SA16",
    "FAM": "SA16",
    "FOYER_VIE": "SA16",
    "FOYER_HEB": "SA16",
    "ESAT": "SA16",
    "IME": "SA16",
    "ITEP": "SA16",
    "IEM": "SA16",
    "CAMSP": "SA16",
    "SESSAD": "SA16",
    "SAVS": "SA16",
    "SAMSAH": "SA16",
    # services at home for the elderly and the disabled alike
    "SSIAD": "SA41",
    "SAAD": "SA41",
    "SPASAD": "SA41",
    # protection de l'enfance
    "MECS": "SA20",
    "FOYER_ENFANCE": "SA20",
    # hébergement et réinsertion
    "CHRS": "SA21",
    "CADA": "SA21",
    "LHSS": "SA41",
    "AUTRE": "SA41",
}


def secteur_activite(categorie: str) -> Concept:
    """healthcareFacilityTypeCode / healthCareFacility code of an ESMS of this category."""
    return concept(J02_SECTEUR, SECTEUR_PAR_CATEGORIE[categorie])


# The professions of the DUI (habilitations.models.Profession values) → J01 (profession, TRE_G15, or the
# social and medico-social professions of the CI-SIS).
SPECIALITE_PAR_PROFESSION = {
    "medecin": "G15_10",
    "infirmier": "G15_60",
    "cadre_sante": "G15_60",
    "aide_soignant": "G15_35",
    "aes": "328",
    "pharmacien": "G15_21",
    "preparateur": "G15_38",
    "kinesitherapeute": "G15_70",
    "ergotherapeute": "G15_94",
    "psychologue": "93",
    "educateur_specialise": "326",
    "moniteur_educateur": "324",
    "assistant_social": "41",
    # no code of their own: « autre professionnel intervenant dans le social, éducatif… »
    "directeur": "345",
    "chef_service": "345",
    "administratif": "345",
    "autre": "345",
}


def specialite(profession: str) -> Concept:
    return concept(J01_SPECIALITE, SPECIALITE_PAR_PROFESSION[profession])


@functools.cache
def jeux_du_dmp() -> dict[str, Any]:
    """The DMP value sets and required metadata (``jdv_dmp.json``, an extraction with its sources)."""
    donnees: dict[str, Any] = json.loads((DOSSIER_JDV / JDV_DMP).read_text(encoding="utf-8"))
    return donnees


def classe_du_document(type_document: str) -> Concept:
    """XDS classCode (DMP J57) of a document type of the DUI."""
    code = CLASSE_PAR_TYPE.get(type_document, CLASSE_PAR_TYPE["autre"])
    j57 = jeux_du_dmp()["JDV_J57_ClassCode_DMP"]
    return Concept(code, j57["codingScheme"], j57["codes"][code])


def masquage(code: str) -> Concept:
    """A DMP masking code (J08), with its published label."""
    return concept(J08_CONFIDENTIALITE, code)


def cadre_exercice() -> Concept:
    """practiceSettingCode / standardIndustryClassCode of every document of the DUI: an ESSMS."""
    return concept(J04_CADRE, "ESSMS")


# The documents the DMP accepts from a DUI (issue 7): PP, DLU, CR d'administration.
TYPES_ENVOYABLES_DMP = ("projet_personnalise", "dlu", "cr_administration")


def oid_uuid(valeur: uuid.UUID | str) -> str:
    """An OID derived from a UUID (ITU-T X.667: ``2.25.<the UUID as an integer>``): unique without a
    registered root, and stable for the same object, which makes a resend recognisable."""
    return f"2.25.{uuid.UUID(str(valeur)).int}"
