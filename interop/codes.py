"""Identifiers and codes of the French national exchanges, in one place.

Sources: shared/docs/DOMAIN.md ("Exchanges", "Identity"), the CI-SIS and IHE specifications. The values
marked ``JDV`` come from the ANS value sets (jeux de valeurs) as we know them; the ANS terminology server
cannot be reached from here: they are settings-free constants to check at the DMP homologation.
"""

from __future__ import annotations

import uuid

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
# JDV_J07 classCode, JDV_J02 healthcareFacilityTypeCode, JDV_J04 practiceSettingCode (to check, see above)
# (keys: documents.models.TypeDocument values; this module imports no model, so that the test servers run
# without Django set up)
CLASSE_PAR_TYPE = {
    "projet_personnalise": ("10", "Compte rendu"),
    "grille_evaluation": ("10", "Compte rendu"),
    "dlu": ("11", "Synthèse"),
    "cr_administration": ("10", "Compte rendu"),
    "autre": ("10", "Compte rendu"),
}
OID_CLASSE = "1.2.250.1.213.1.1.4.1"
TYPE_ETABLISSEMENT = {  # healthcareFacilityTypeCode by ESMS category
    "EHPAD": ("SA07", "Établissement d'hébergement pour personnes âgées"),
}
TYPE_ETABLISSEMENT_DEFAUT = ("SA08", "Établissement et service médico-social")
OID_TYPE_ETABLISSEMENT = "1.2.250.1.71.4.2.4"
PRATIQUE = ("ETABLISSEMENT", "Établissement de santé ou médico-social", "1.2.250.1.213.1.1.4.9")

# The documents the DMP accepts from a DUI (issue 7): PP, DLU, CR d'administration.
TYPES_ENVOYABLES_DMP = ("projet_personnalise", "dlu", "cr_administration")


def oid_uuid(valeur: uuid.UUID | str) -> str:
    """An OID derived from a UUID (ITU-T X.667: ``2.25.<the UUID as an integer>``): unique without a
    registered root, and stable for the same object, which makes a resend recognisable."""
    return f"2.25.{uuid.UUID(str(valeur)).int}"
