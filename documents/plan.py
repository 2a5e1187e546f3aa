"""The classification plan proposed to a new organisme (its administrator installs it, then adapts it).

Retention periods, with their sources (the DPO may set others; ``docs/decisions/0013``):
- administrative and social documents: 5 years after the person's final exit — CNIL, référentiel « durées de
  conservation » du secteur social et médico-social (délibération n° 2023-095 du 14 septembre 2023) and the
  common limitation period of the civil code (art. 2224);
- health documents: 20 years after the final exit — code de la santé publique, art. R1112-7, applied to the
  medico-social sector by analogy as the CNIL recommends;
- identity documents: kept while the person is accompanied, 1 year after the exit.
"""

from __future__ import annotations

from habilitations.roles import Categorie

C = Categorie
SORTIE, DOCUMENT = "sortie", "document"

# code, libellé, catégorie, confidentialité, années, départ, LOINC (DMP type codes where one fits)
PLAN_TYPE: list[tuple[str, str, str, str, int, str, str]] = [
    ("courrier-medical", "Courrier médical, compte rendu d'hospitalisation", C.MEDICAL, "normale", 20, SORTIE, "11490-0"),
    ("resultats-examens", "Résultats d'examens (biologie, imagerie)", C.MEDICAL, "normale", 20, SORTIE, ""),
    ("ordonnance-externe", "Ordonnance extérieure", C.MEDICAMENTS, "normale", 20, SORTIE, "57833-6"),
    ("directives-anticipees", "Directives anticipées", C.MEDICAL, "restreinte", 20, SORTIE, ""),
    ("transmission-soins", "Document de soins (fiche de liaison, plan de soins reçu)", C.SOINS, "normale", 20, SORTIE, ""),
    ("notification-mdph", "Notification MDPH / décision CDAPH", C.ADMINISTRATIF, "normale", 5, SORTIE, ""),
    ("mesure-protection", "Jugement, mesure de protection juridique", C.ADMINISTRATIF, "restreinte", 5, SORTIE, ""),
    ("contrat-sejour", "Contrat de séjour, DIPC et avenants signés", C.ADMINISTRATIF, "normale", 5, SORTIE, ""),
    ("droits-aides", "Attestation de droits et d'aides (APA, ASH, PCH, AAH, CAF)", C.ADMINISTRATIF, "normale", 5, SORTIE, ""),
    ("piece-identite", "Pièce d'identité, justificatif d'état civil", C.ADMINISTRATIF, "normale", 1, SORTIE, ""),
    ("courrier-administratif", "Courrier administratif", C.ADMINISTRATIF, "normale", 5, SORTIE, ""),
    ("ecrit-social", "Rapport social, bilan éducatif ou psychologique", C.SOCIAL, "restreinte", 5, SORTIE, ""),
]  # fmt: skip
