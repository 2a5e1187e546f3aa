"""FHIR R4 export of a dossier following the ANS TDDUI profiles: one ``transaction`` Bundle.

What goes in, for one ESMS: the person (the INS identifier only when the identity is qualified), the ESMS,
its séjours, the professionals named, the current projet personnalisé (CarePlan) with its goals (objectifs,
attentes, projet de vie), besoins (ServiceRequest) and actions (Task), the AGGIR and SERAFIN-PH
evaluations (QuestionnaireResponse), the entourage (RelatedPerson) and the consents. No medical data: the
TDDUI model is the médico-social record.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from usagers.identite import matricule_partageable

from . import codes

PROFIL = "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/"
SYSTEME_FINESS = f"urn:oid:{codes.OID_ID_NAT_STRUCT}"
SYSTEME_RPPS = f"urn:oid:{codes.OID_ID_NAT_PS}"
SYSTEME_SERAFIN = (
    "https://smt.esante.gouv.fr/terminologie-SERAFINPH"  # the TDDUI guide's alias $terminologie-SERAFINPH
)
# FR Core (the profiles TDDUI derives from): extensions and code systems
FR_CORE = "https://hl7.fr/ig/fhir/core"
EXT_FIABILITE = f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability"
EXT_PRENOMS_NAISSANCE = f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name"
EXT_CODE_INSEE = f"{FR_CORE}/StructureDefinition/fr-core-address-insee-code"
EXT_LIEU_NAISSANCE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
SYSTEME_STATUT_IDENTITE = f"{FR_CORE}/CodeSystem/fr-core-cs-identity-status"
SYSTEME_COMMUNE = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"


def _urn(public_id) -> str:
    return f"urn:uuid:{uuid.UUID(str(public_id))}"


# RelatedPerson.relationship (FR Core slices by system; TDDUI binds Role to J384 and RelationType to J11/J14)
SYSTEME_ROLE_PROCHE = "https://mos.esante.gouv.fr/NOS/TRE_R260-HL7RoleClass/FHIR/TRE-R260-HL7RoleClass"
SYSTEME_RELATION_PROCHE = "https://mos.esante.gouv.fr/NOS/TRE_R216-HL7RoleCode/FHIR/TRE-R216-HL7RoleCode"
EXT_DESCRIPTION_PROCHE = "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/tddui-related-person-contact-description"
# the person's link (LienParente) as J11 knows it: a parent, a sibling or a grandchild whose sex the DUI does
# not hold is « autre membre de la famille »; a professional mandataire has no family relation
RELATION_J11 = {
    "conjoint": ("SIGOTHR", "Conjoint"),
    "enfant": ("CHILD", "Enfant"),
    "parent": ("FAMMEMB", "Autre membre de la famille"),
    "fratrie": ("FAMMEMB", "Autre membre de la famille"),
    "petit_enfant": ("FAMMEMB", "Autre membre de la famille"),
    "famille": ("FAMMEMB", "Autre membre de la famille"),
    "ami": ("FRND", "Autre proche"),
    "autre": ("FRND", "Autre proche"),
}
# one Role at most (FR Core 0..1): the most binding of the person's roles, J384 codes (TRE_R260, médico-social)
ROLES_J384 = [
    ("personne_confiance", "NOK", "Personne de confiance"),
    ("representant_legal", "GUARD", "Responsable légal"),
    ("aidant", "CAREGIVER", "Aidant"),
    ("a_prevenir", "ECON", "Personne à prévenir en cas d'urgence"),
]
SYSTEME_USAGER_LOCAL = "https://identifiant-medicosocial-localusager.esante.gouv.fr"  # TDDUI identifier[PI]


def identifiant_local(usager, etablissement) -> dict[str, Any]:
    """The person's identifier in the ESMS as TDDUI slices it (PI): ``3`` + FINESS + ``/`` + local id."""
    return {
        "use": "usual",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PI"}]},
        "system": SYSTEME_USAGER_LOCAL,
        "value": f"3{etablissement.finess_geographique}/{usager.public_id}",
    }


# The business identifier each TDDUI profile requires: « 3 + FINESS / identifiant local de l'usager - CODE -
# identifiant local » (the profile's example label), and the system when the profile fixes one. Checked against
# the guide's FSH in tests/interop/test_conformite_fhir.py.
IDENTIFIANTS_TDDUI: dict[str, tuple[str, str | None]] = {
    "tddui-careplan-projet-personnalise": (
        "PPER",
        "https://identifiant-medicosocial-projetpersonnalise.esante.gouv.fr",
    ),
    "tddui-goal-attente": ("PPAttente", None),
    "tddui-goal-objectif": ("PPObjectif", None),
    "tddui-goal-projet-vie": ("PDV", "https://identifiant-medicosocial-projetvie.esante.gouv.fr"),
    "tddui-service-request-besoin": ("PPBesoin", None),
    "tddui-task-action": ("ACTI", "https://identifiant-medicosocial-action.esante.gouv.fr"),
    "tddui-task-prestation": ("PRES", "https://identifiant-medicosocial-prestation.esante.gouv.fr"),
    "tddui-encounter-sejour": ("SEJOUR", "https://identifiant-medicosocial-sejour.esante.gouv.fr"),
    "tddui-encounter-evenement": ("EVN", "https://identifiant-medicosocial-evenement.esante.gouv.fr"),
    "tddui-questionnaire-response": ("EVAL", None),  # « idEvaluation »: the guide gives no format
}
SYSTEME_TYPE_PROJET = "https://smt.esante.gouv.fr/fhir/CodeSystem/tre-r390-type-projet-personnalise"
EXT_DISCRIMINATEUR = "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/tddui-discriminator"
SYSTEME_DISCRIMINATEUR = "https://interop.esante.gouv.fr/ig/fhir/tddui/CodeSystem/tddui-discriminator-cs"
ENTREES_ACTION = "https://interop.esante.gouv.fr/ig/fhir/tddui/CodeSystem/input-tddui-task-action-codesystem"
ENTREES_PRESTATION = (
    "https://interop.esante.gouv.fr/ig/fhir/tddui/CodeSystem/input-tddui-task-prestation-codesystem"
)
TYPE_ENTREE_OBJECTIF = {"system": ENTREES_ACTION, "code": "objectif"}


def _entree(systeme: str, code: str, **valeur: Any) -> dict[str, Any]:
    """A Task.input of a TDDUI slice (its type from the guide's input code system)."""
    return {"type": {"coding": [{"system": systeme, "code": code}]}, **valeur}


TYPE_SEJOUR = {
    "coding": [
        {
            "system": "https://interop.esante.gouv.fr/ig/fhir/tddui/CodeSystem/tddui-encounter-identifier",
            "code": "SEJ",
        }
    ]
}


class _Lot:
    def __init__(self, prefixe: str = ""):
        self.entrees: list[dict] = []
        self.vus: set[str] = set()
        self.prefixe = prefixe  # 3 + FINESS / local id of the person

    def identifiant(self, profil: str, public_id) -> dict[str, Any]:
        code, systeme = IDENTIFIANTS_TDDUI[profil]
        identifiant: dict[str, Any] = {"value": f"{self.prefixe}-{code}-{public_id}"}
        if systeme:
            identifiant["system"] = systeme
        if profil == "tddui-encounter-sejour":
            identifiant["type"] = TYPE_SEJOUR
        elif profil == "tddui-encounter-evenement":  # FR Core Encounter: identifier.type 1..
            identifiant["type"] = {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                        "code": "VN",
                        "display": "Visit number",
                    }
                ]
            }
        return identifiant

    def ajouter(self, ressource: dict, public_id, profil: str) -> str:
        url = _urn(public_id)
        if url not in self.vus:
            self.vus.add(url)
            if profil in IDENTIFIANTS_TDDUI and "identifier" not in ressource:
                identifiant = self.identifiant(profil, public_id)
                ressource["identifier"] = (
                    identifiant if ressource["resourceType"] == "QuestionnaireResponse" else [identifiant]
                )
            ressource["meta"] = {"profile": [PROFIL + profil]}
            self.entrees.append(
                {
                    "fullUrl": url,
                    "resource": ressource,
                    "request": {"method": "POST", "url": ressource["resourceType"]},
                }
            )
        return url


def _type(code: str) -> dict:
    return {"coding": [{"system": codes.SYSTEME_TYPE_IDENTIFIANT, "code": code}]}


def _praticien(lot: _Lot, pro, etablissement) -> dict:
    """A professional with their national identifier (FR Core slice idNatPs): ``8`` + RPPS, or for one without
    RPPS the ESMS's internal identifier ``3`` + FINESS + ``/`` + account id — never without an identifier."""
    from .cda import identifiant_professionnel

    ressource = {
        "resourceType": "Practitioner",
        "identifier": [
            {
                "use": "official",
                "type": _type("IDNPS"),
                "system": SYSTEME_RPPS,
                "value": identifiant_professionnel(pro, etablissement),
            }
        ],
        "name": [{"family": pro.nom, "given": [pro.prenom]}],
    }
    return {"reference": lot.ajouter(ressource, pro.public_id, "tddui-practitioner"), "display": str(pro)}


def _lisibles(lecteur, queryset, usager):
    """The rows of ``queryset`` (one dossier's content) that ``lecteur`` may read on the screens: the same
    content policy, category by category (the model's declared category), per-dossier DENY included."""
    from habilitations import policy
    from habilitations.roles import Droit

    action = Droit.de(queryset.model.categorie_donnees, "voir")
    if not any(f.name == "etablissement" for f in queryset.model._meta.fields):
        return queryset if policy.can(lecteur, action, usager) else queryset.none()
    return policy.scope_contenu_du_dossier(lecteur, action, queryset, usager)


def _extensions_identite(usager) -> list[dict]:
    """RNIV identity status (FR Core identityReliability) and birth place (COG code), which FR Core's
    PatientINS requires and the TDDUI patient carries."""
    fiabilite: list[dict[str, Any]] = [
        {
            "url": "identityStatus",
            "valueCoding": {
                "system": SYSTEME_STATUT_IDENTITE,
                "code": usager.statut_identite,
                "display": f"Identité {usager.get_statut_identite_display().lower()}",
            },
        }
    ]
    extensions: list[dict[str, Any]] = [{"url": EXT_FIABILITE, "extension": fiabilite}]
    if usager.lieu_naissance_insee:
        extensions.append(
            {
                "url": EXT_LIEU_NAISSANCE,
                "valueAddress": {
                    "extension": [
                        {
                            "url": EXT_CODE_INSEE,
                            "valueCoding": {"system": SYSTEME_COMMUNE, "code": usager.lieu_naissance_insee},
                        }
                    ]
                },
            }
        )
    return extensions


def _accord(lot, public_id, *, auteur: dict, quand, permis: bool, objet: str) -> str:
    return lot.ajouter(
        {
            "resourceType": "Consent",
            "status": "active",
            "scope": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "treatment"}
                ]
            },
            "category": [{"text": objet}],
            "dateTime": quand.isoformat(),
            "performer": [auteur],
            "provision": {"type": "permit" if permis else "deny"},
        },
        public_id,
        "tddui-consent-accord",
    )


def _accords_du_projet(lot, projet, sujet: dict, organisation: str) -> list[dict[str, Any]]:
    """CarePlan.supportingInfo of the projet personnalisé (TDDUI slices by discriminator): the person's (or
    their representative's) latest answer on this version — accordUsager —, and the structure's validation —
    accordStructure (1..* once validated)."""
    objet = f"Projet personnalisé v{projet.version}"
    references = []
    avis = projet.avis.order_by("-date_avis", "-id").first()
    if avis is not None:
        auteur = (
            sujet
            if avis.exprime_par == "usager"
            else {"display": avis.nom_representant or "Représentant légal"}
        )
        url = _accord(
            lot,
            avis.public_id,
            auteur=auteur,
            quand=avis.date_avis,
            permis=avis.decision == "accord",
            objet=objet,
        )
        references.append(("accordUsager", url, "Consentement usager"))
    if projet.date_validation:
        url = _accord(
            lot,
            uuid.uuid5(uuid.NAMESPACE_URL, f"{projet.public_id}:accord-structure"),
            auteur={"reference": organisation},
            quand=projet.date_validation,
            permis=True,
            objet=objet,
        )
        references.append(("accordStructure", url, "Consentement structure"))
    return [
        {
            "reference": url,
            "display": libelle,
            "extension": [
                {
                    "url": EXT_DISCRIMINATEUR,
                    "valueCodeableConcept": {"coding": [{"system": SYSTEME_DISCRIMINATEUR, "code": code}]},
                }
            ],
        }
        for code, url, libelle in references
    ]


STATUTS_EVENEMENT = {  # TDDUI: Planifié → planned, Réalisé → finished, Annulé → cancelled
    "prevu": "planned",
    "fait": "finished",
    "annule": "cancelled",
    "reporte": "cancelled",
    "absent": "cancelled",
    "non_fait": "cancelled",
}
PRESENCES = {"present": "finished", "absent": "cancelled", "excuse": "cancelled"}
EXT_LIBELLE_EVENEMENT = "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/tddui-event-label"
EXT_COMPTE_RENDU = "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/tddui-event-report"


def _evenements(lot, usager, etablissement, lecteur, sujet, organisation, encadrants) -> None:
    """The person's events in this ESMS (TDDUI Encounter « évènement »): their appointments and the activities
    they are registered at, with the SERAFIN-PH prestation when the event delivers one, within their séjour."""
    from django.db.models import Q

    from coordination.models import Evenement, Participation
    from habilitations import policy
    from habilitations.roles import Droit

    if not policy.can_dans_etablissement(lecteur, Droit.COORDINATION_VOIR, usager, etablissement):
        return
    presences = {
        p.evenement_id: p
        for p in Participation.objects.filter(usager=usager, etablissement=etablissement).select_related(
            "prestation"
        )
    }
    evenements = (
        Evenement.objects.filter(etablissement=etablissement)
        .filter(Q(usager=usager) | Q(pk__in=list(presences)))
        .select_related("prestation")
        .order_by("debut", "id")
    )
    for evenement in evenements:
        participation = presences.get(evenement.pk)
        statut = STATUTS_EVENEMENT.get(evenement.statut, "planned")
        if participation is not None and evenement.statut == "fait":
            statut = PRESENCES.get(
                participation.presence, statut
            )  # the activity took place: was the person there?
        prestation = (participation.prestation if participation else None) or evenement.prestation
        type_: dict[str, Any] = (
            {"coding": [{"system": SYSTEME_SERAFIN, "code": prestation.code, "display": prestation.libelle}]}
            if prestation is not None
            else {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                        "code": "not-permitted",
                        "display": "Not Permitted",
                    }
                ],
                "text": evenement.get_genre_display(),
            }
        )
        extensions = [{"url": EXT_LIBELLE_EVENEMENT, "valueString": evenement.titre}]
        if evenement.compte_rendu:
            extensions.append({"url": EXT_COMPTE_RENDU, "valueString": evenement.compte_rendu})
        rencontre: dict[str, Any] = {
            "resourceType": "Encounter",
            "extension": extensions,
            "status": statut,
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "type": [type_],
            "subject": sujet,
            "period": {
                "start": timezone.localtime(evenement.debut).isoformat(timespec="seconds"),
                "end": timezone.localtime(evenement.fin).isoformat(timespec="seconds"),
            },
            "serviceProvider": {"reference": organisation},
        }
        jour = timezone.localtime(evenement.debut).date()
        sejour = next(
            (
                url
                for entree, sortie, url in encadrants
                if entree <= jour and (sortie is None or jour <= sortie)
            ),
            None,
        )
        if sejour is not None:
            rencontre["partOf"] = {"reference": sejour}
        lot.ajouter(rencontre, evenement.public_id, "tddui-encounter-evenement")


def construire_bundle(usager, etablissement, *, identifiant: str, lecteur) -> dict:
    """The transaction Bundle (a JSON-ready dict); ``identifiant`` is the Bundle's identifier (the
    exchange's idempotency key when it is sent). It holds only what ``lecteur`` (who asked for the export)
    may read on the screens: an educator's export has no AGGIR evaluation (category soins)."""
    from accompagnement.models import STATUTS_COURANTS, EvaluationAggir, EvaluationSerafin, ProjetPersonnalise
    from usagers.models import Consentement, Proche, Sejour, TypeConsentement

    lot = _Lot(prefixe=f"3{etablissement.finess_geographique}/{usager.public_id}")
    organisation = lot.ajouter(
        {
            "resourceType": "Organization",
            "active": True,
            "name": etablissement.nom,
            "identifier": [  # FR Core slice idNatSt
                {
                    "use": "official",
                    "type": _type("IDNST"),
                    "system": SYSTEME_FINESS,
                    "value": f"1{etablissement.finess_geographique}",
                }
            ],
        },
        etablissement.public_id,
        "tddui-organization",
    )

    identifiants: list[dict[str, Any]] = [identifiant_local(usager, etablissement)]
    matricule = matricule_partageable(usager)
    type_ins = codes.TYPE_IDENTIFIANT_INS.get(usager.oid_ins or "")
    if matricule and type_ins:  # the slice of FR Core's PatientINS that this OID names
        identifiants.append(
            {
                "use": "temp" if type_ins == "INS-NIA" else "official",  # the NIA is a temporary identifier
                "system": f"urn:oid:{usager.oid_ins}",
                "value": matricule,
                "type": _type(type_ins),
            }
        )
    # FR Core officialName: the first birth first name in ``given``, the whole list in its extension
    prenoms = [p for p in (usager.prenoms_naissance or []) if p] or [usager.premier_prenom]
    noms = [
        {
            "extension": [{"url": EXT_PRENOMS_NAISSANCE, "valueString": " ".join(prenoms)}],
            "use": "official",
            "family": usager.nom_naissance,
            "given": [usager.premier_prenom or prenoms[0]],
        }
    ]
    if usager.nom_usage or usager.prenom_utilise:
        noms.append(
            {
                "use": "usual",
                "family": usager.nom_usage or usager.nom_naissance,
                "given": [usager.prenom_utilise or usager.premier_prenom],
            }
        )
    patient = lot.ajouter(
        {
            "resourceType": "Patient",
            "extension": _extensions_identite(usager),
            "identifier": identifiants,
            "name": noms,
            "gender": {"F": "female", "M": "male"}.get(usager.sexe, "unknown"),
            "birthDate": usager.date_naissance.isoformat(),
            "managingOrganization": {"reference": organisation},
        },
        usager.public_id,
        "tddui-patient-ins" if matricule else "tddui-patient",
    )
    sujet = {"reference": patient}

    sejours = _lisibles(lecteur, Sejour.objects.filter(usager=usager, etablissement=etablissement), usager)
    encadrants: list[
        tuple[Any, Any, str]
    ] = []  # (entrée, sortie, Encounter) of each séjour: the events' partOf
    for sejour in sejours.order_by("date_entree"):
        periode = {"start": sejour.date_entree.isoformat()}
        if sejour.date_sortie:
            periode["end"] = sejour.date_sortie.isoformat()
        hebergement = sejour.mode_accueil in ("permanent", "temporaire", "internat")
        url_sejour = lot.ajouter(
            {
                "resourceType": "Encounter",
                "status": "finished" if sejour.date_sortie else "in-progress",
                "class": {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "IMP" if hebergement else "AMB",
                },
                "type": [{"text": sejour.get_mode_accueil_display()}],
                "subject": sujet,
                "period": periode,
                "serviceProvider": {"reference": organisation},
            },
            sejour.public_id,
            "tddui-encounter-sejour",
        )
        encadrants.append((sejour.date_entree, sejour.date_sortie, url_sejour))
    _evenements(lot, usager, etablissement, lecteur, sujet, organisation, encadrants)

    projet = (
        _lisibles(
            lecteur, ProjetPersonnalise.objects.filter(usager=usager, etablissement=etablissement), usager
        )
        .exclude(statut="remplace")
        .select_related("coordonnateur")
        .order_by("-version")
        .first()
    )
    if projet is not None:
        buts, activites = [], []
        projet_ref = [{"reference": _urn(projet.public_id)}]  # the CarePlan, added last
        for attente in projet.attentes.all():
            buts.append(
                {
                    "reference": lot.ajouter(
                        {
                            "resourceType": "Goal",
                            "lifecycleStatus": "active",
                            "subject": sujet,
                            "category": [{"text": "Attente"}],
                            "description": {"text": attente.texte},
                            "startDate": attente.recueillie_le.isoformat(),
                        },
                        attente.public_id,
                        "tddui-goal-attente",
                    )
                }
            )
        if projet.projet_de_vie:
            buts.append(
                {
                    "reference": lot.ajouter(
                        {
                            "resourceType": "Goal",
                            "lifecycleStatus": "active",
                            "subject": sujet,
                            "category": [{"text": "Projet de vie"}],
                            "description": {"text": projet.projet_de_vie},
                        },
                        uuid.uuid5(projet.public_id, "projet-de-vie"),
                        "tddui-goal-projet-vie",
                    )
                }
            )
        besoins = {}
        for besoin in projet.besoins.select_related("code_serafin"):
            serafin = besoin.code_serafin
            demande: dict[str, Any] = {
                "resourceType": "ServiceRequest",
                "status": "active",
                "intent": "plan",
                "subject": sujet,
                # TDDUI: the need's description in code.text (1..1), its SERAFIN-PH type in category (J285)
                "code": {
                    "text": besoin.description
                    or besoin.categorie_libre
                    or (serafin.libelle if serafin else "Besoin")
                },
                "priority": {1: "urgent", 2: "routine", 3: "routine"}.get(besoin.priorite, "routine"),
                "basedOn": projet_ref,  # TDDUI: basedOn 1..1, the projet personnalisé
            }
            if serafin is not None:
                demande["category"] = [
                    {
                        "coding": [
                            {"system": SYSTEME_SERAFIN, "code": serafin.code, "display": serafin.libelle}
                        ],
                        "text": besoin.categorie_libre or serafin.libelle,
                    }
                ]
            besoins[besoin.pk] = lot.ajouter(demande, besoin.public_id, "tddui-service-request-besoin")
        for objectif in projet.objectifs.select_related("referent").prefetch_related("actions__prestation"):
            but: dict[str, Any] = {
                "resourceType": "Goal",
                "lifecycleStatus": "completed" if objectif.resultat else "active",
                "subject": sujet,
                "description": {"text": objectif.libelle},
                "target": [{"dueDate": objectif.echeance.isoformat()}],
            }
            if objectif.besoin_id in besoins:
                but["addresses"] = [{"reference": besoins[objectif.besoin_id]}]
            if objectif.referent_id:
                but["expressedBy"] = _praticien(lot, objectif.referent, etablissement)
            reference_but = lot.ajouter(but, objectif.public_id, "tddui-goal-objectif")
            buts.append({"reference": reference_but})
            for action in objectif.actions.all():
                tache: dict[str, Any] = {
                    "resourceType": "Task",
                    "status": "in-progress",
                    "intent": "plan",
                    "basedOn": projet_ref,  # TDDUI: basedOn 1..1, the projet personnalisé
                    "input": [  # its title (input[titre] 1..1) and the objective it serves (input[objectif])
                        _entree(ENTREES_ACTION, "titre", valueString=action.libelle),
                        _entree(ENTREES_ACTION, "objectif", valueReference={"reference": reference_but}),
                    ],
                    "for": sujet,
                    "description": action.libelle,
                    "note": [
                        {
                            "text": f"Qui : {action.intervenant}"
                            + (f" — fréquence : {action.frequence}" if action.frequence else "")
                        }
                    ],
                }
                profil = "tddui-task-action"
                if action.prestation is not None:  # TDDUI TaskPrestation: title and SERAFIN-PH type as inputs
                    prestation = action.prestation
                    tache["input"] = [
                        _entree(ENTREES_PRESTATION, "titre", valueString=action.libelle),
                        _entree(
                            ENTREES_PRESTATION,
                            "typePrestation",
                            valueCodeableConcept={
                                "coding": [
                                    {
                                        "system": SYSTEME_SERAFIN,
                                        "code": prestation.code,
                                        "display": prestation.libelle,
                                    }
                                ]
                            },
                        ),
                    ]
                    profil = "tddui-task-prestation"
                activites.append({"reference": {"reference": lot.ajouter(tache, action.public_id, profil)}})
        plan: dict[str, Any] = {
            "resourceType": "CarePlan",
            "status": "active" if projet.statut in STATUTS_COURANTS else "draft",
            "intent": "plan",
            "subject": sujet,
            "title": f"Projet personnalisé v{projet.version}",
            "goal": buts,
            "activity": activites,
            "addresses": [],
            # J367 (TRE_R390): the type of project; the DUI's is « Projet Personnalisé »
            "category": [
                {"coding": [{"system": SYSTEME_TYPE_PROJET, "code": "PP", "display": "Projet Personnalisé"}]}
            ],
            "supportingInfo": _accords_du_projet(lot, projet, sujet, organisation),
        }
        if not plan["supportingInfo"]:
            del plan["supportingInfo"]
        if projet.date_validation:
            plan["period"] = {"start": projet.date_validation.isoformat()}
            if projet.echeance_bilan:
                plan["period"]["end"] = projet.echeance_bilan.isoformat()
        if projet.coordonnateur_id:
            plan["author"] = _praticien(lot, projet.coordonnateur, etablissement)
        plan["addresses"] = [{"reference": r} for r in besoins.values()]
        if not plan["addresses"]:
            del plan["addresses"]
        lot.ajouter(plan, projet.public_id, "tddui-careplan-projet-personnalise")

    aggir = EvaluationAggir.objects.filter(
        usager=usager, etablissement=etablissement, annulee_le__isnull=True
    )
    for evaluation in _lisibles(lecteur, aggir, usager).select_related("evaluateur"):
        items: list[dict[str, Any]] = [
            {"linkId": "gir", "text": "GIR", "answer": [{"valueInteger": evaluation.gir}]}
        ]
        items += [
            {"linkId": f"aggir-{variable}", "text": variable, "answer": [{"valueString": str(code)}]}
            for variable, code in sorted(evaluation.codes.items())
        ]
        lot.ajouter(
            {
                "resourceType": "QuestionnaireResponse",
                "status": "completed",
                "subject": sujet,
                "authored": evaluation.date_evaluation.isoformat(),
                "author": _praticien(lot, evaluation.evaluateur, etablissement),
                "item": items,
            },
            evaluation.public_id,
            "tddui-questionnaire-response",
        )
    for serafin_eval in (
        _lisibles(
            lecteur, EvaluationSerafin.objects.filter(usager=usager, etablissement=etablissement), usager
        )
        .select_related("evaluateur")
        .prefetch_related("besoins__code")
    ):
        items = [
            {
                "linkId": f"serafin-{b.code.code}",
                "text": b.code.libelle,
                "answer": [
                    {
                        "valueCoding": {
                            "system": SYSTEME_SERAFIN,
                            "code": b.code.code,
                            "display": b.get_importance_display(),
                        }
                    }
                ],
            }
            for b in serafin_eval.besoins.all()
        ]
        reponse: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "subject": sujet,
            "authored": serafin_eval.date_evaluation.isoformat(),
            "author": _praticien(lot, serafin_eval.evaluateur, etablissement),
        }
        if items:
            reponse["item"] = items
        lot.ajouter(reponse, serafin_eval.public_id, "tddui-questionnaire-response")

    references_proches: dict[int, str] = {}
    representants: list[str] = []
    for proche in _lisibles(lecteur, Proche.objects.filter(usager=usager), usager).order_by("id"):
        telecom: list[dict[str, Any]] = [
            {"system": "phone", "value": t} for t in (proche.telephone, proche.telephone_2) if t
        ]
        if proche.email:
            telecom.append({"system": "email", "value": proche.email})
        relations: list[dict[str, Any]] = []
        roles = [(code, libelle) for champ, code, libelle in ROLES_J384 if getattr(proche, champ)]
        if roles:
            relations.append(
                {"coding": [{"system": SYSTEME_ROLE_PROCHE, "code": roles[0][0], "display": roles[0][1]}]}
            )
        if proche.lien in RELATION_J11:
            lien_code, lien_libelle = RELATION_J11[proche.lien]
            relations.append(
                {
                    "coding": [
                        {"system": SYSTEME_RELATION_PROCHE, "code": lien_code, "display": lien_libelle}
                    ],
                    "text": proche.get_lien_display(),
                }
            )
        ressource: dict[str, Any] = {
            "resourceType": "RelatedPerson",
            "active": True,
            "patient": sujet,
            "name": [{"family": proche.nom, "given": [proche.prenom] if proche.prenom else []}],
        }
        if relations:
            ressource["relationship"] = relations
        # everything the person is for the usager, in words (the coded Role holds one of them)
        ressource["extension"] = [
            {
                "url": EXT_DESCRIPTION_PROCHE,
                "valueString": ", ".join([proche.get_lien_display(), *(libelle for _c, libelle in roles)]),
            }
        ]
        if telecom:
            ressource["telecom"] = telecom
        references_proches[proche.pk] = lot.ajouter(
            ressource, proche.public_id, "tddui-related-person-contact"
        )
        if proche.representant_legal:
            representants.append(references_proches[proche.pk])

    derniers: dict[str, Any] = {}
    # the person's agreements with the structure (TDDUI « Accord »); the DMP answer is the person's with the
    # national service, not an agreement with the ESMS: it is not part of the export
    consentements = Consentement.objects.filter(usager=usager).exclude(type_consentement=TypeConsentement.DMP)
    for consentement in _lisibles(lecteur, consentements, usager).order_by("-date_recueil", "-id"):
        derniers.setdefault(consentement.type_consentement, consentement)
    for consentement in derniers.values():
        # who gave it (TDDUIConsentAccord performer 1..1): the person, or their legal representative
        if consentement.exprime_par == "representant" and representants:
            auteur_accord = {"reference": representants[0]}
        elif consentement.exprime_par == "representant":
            auteur_accord = {"display": "Représentant légal"}
        else:
            auteur_accord = sujet
        lot.ajouter(
            {
                "resourceType": "Consent",
                "status": "active",
                "patient": sujet,
                "scope": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                            "code": "patient-privacy",
                        }
                    ]
                },
                "category": [
                    {
                        "coding": [
                            {"system": "http://loinc.org", "code": "59284-0", "display": "Consent Document"}
                        ],
                        "text": consentement.get_type_consentement_display(),
                    }
                ],
                "dateTime": consentement.date_recueil.isoformat(),
                "performer": [auteur_accord],
                "policyRule": {"text": consentement.get_type_consentement_display()},
                "provision": {"type": "permit" if consentement.reponse == "accepte" else "deny"},
            },
            consentement.public_id,
            "tddui-consent-accord",
        )

    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": identifiant},
        "timestamp": timezone.now().isoformat(timespec="seconds"),
        "entry": lot.entrees,
    }
