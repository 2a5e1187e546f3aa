"""The structured DLU: CI-SIS volet « DLU-EHPAD » (modèle DLU-DLU 2022.01, templateId 1.2.250.1.213.1.1.1.22).

The DLU's data (``soins.dlu.contexte_dlu``, the same as its PDF) as a CDA structured body: the sections the volet
requires — dispositions, treatments, advance directives, event outcomes (psychic state, handicaps, risks), the
BMR results, the attached documents (the PDF, kept as the rendering) — and, when the dossier has them, active
problems, medical history, allergies and a comment. Each section has its narrative block; the patient-state
observations the volet codes (JDV_ObservationEtatPatient, SNOMED CT) are entries. The header gets the DLU's
template, its informant (the médecin traitant, ``participant`` INF/PCP) and its service event (34117-2).

Section templates and LOINC codes: IHE PCC and the ANS section profiles (TestContenuCDA ``S_*.sch``,
« modèles de contenus CDA »). Checked in the tests with the volet's schematron from ``../shared/refs``."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import codes

NS = "urn:hl7-org:v3"
H = f"{{{NS}}}"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

TEMPLATE_DLU = "1.2.250.1.213.1.1.1.22"
# XDS formatCode of the DLU (TRE_A06-FormatCodeComplementaire; ANS ConceptMap templateId → formatCode)
FORMAT_DLU = ("urn:asip:ci-sis:dlu:2015", "1.2.250.1.213.1.1.4.2.282", "Document de liaison d'urgence")
EVENEMENT_DLU = ("34117-2", "Histoire de la maladie et examen clinique")
OID_SNOMED = "2.16.840.1.113883.6.96"
OID_ACTCODE = "2.16.840.1.113883.5.4"
OID_FONCTION_PARTICIPANT = "2.16.840.1.113883.5.88"
# IHE simple observation; in the event-outcomes section its code is a patient state (JDV_ObservationEtatPatient).
# (The volet's other coded entry, template 1.2.250.1.213.1.1.3.48.18, is the checklist of the papers that go with
# the person — JDV_ChecklistDLU —, which the DUI does not hold.)
TEMPLATE_OBSERVATION_SIMPLE = "1.3.6.1.4.1.19376.1.5.3.1.4.13"
TEMPLATE_DOCUMENT_ATTACHE = "1.2.250.1.213.1.1.3.18"

# The patient-state values of JDV_ObservationEtatPatient (1.2.250.1.213.1.1.5.514) the dossier de soins holds:
# a risk evaluated as moderate or high
ETAT_DES_RISQUES = {
    "risque_chute": ("161898004", "chutes"),
    "risque_escarre": ("285304000", "à risque d'escarre"),
    "risque_fausse_route": ("249492002", "fausse route alimentaire"),
}


@dataclass
class Section:
    templates: tuple[str, ...]
    code: str
    libelle: str
    titre: str
    lignes: list[str] = field(default_factory=list)
    entrees: list[etree._Element] = field(default_factory=list)


def contexte(document) -> dict[str, Any] | None:
    """The DLU's data as its PDF was made (``soins.dlu.donnees_structurees``, kept on the document), or None:
    not a DLU of the DUI (an older one, an imported one), or no médecin traitant — the volet requires him as the
    informant. Then the PDF goes alone (CI-SIS N1)."""
    donnees = (document.options or {}).get("dlu")
    if not isinstance(donnees, dict) or donnees.get("version") != 1 or not donnees.get("medecin_traitant"):
        return None
    return donnees


def _el(parent, nom, texte: str | None = None, **attributs):
    element = etree.SubElement(parent, H + nom, {k: v for k, v in attributs.items() if v is not None})
    if texte is not None:
        element.text = texte
    return element


def informant(racine, donnees: dict[str, Any], finess: str) -> None:
    """The DLU's ``participant`` INF / PCP: the médecin traitant, by RPPS, or else by the identifier the ESMS
    gives him (type 3: internal to the structure, FINESS + its own id)."""
    medecin = donnees["medecin_traitant"]
    participant = _el(racine, "participant", typeCode="INF")
    _el(
        participant,
        "functionCode",
        code="PCP",
        displayName="Médecin traitant",
        codeSystem=OID_FONCTION_PARTICIPANT,
    )
    _el(participant, "time", nullFlavor="UNK")  # since when: not recorded in the DUI
    entite = _el(participant, "associatedEntity", classCode="PROV")
    identifiant = f"8{medecin['rpps']}" if medecin["rpps"] else f"3{finess}/{medecin['id']}"
    _el(entite, "id", root=codes.OID_ID_NAT_PS, extension=identifiant)
    if medecin["telephone"]:
        _el(entite, "telecom", value=f"tel:{medecin['telephone'].replace(' ', '')}")
    _el(_el(_el(entite, "associatedPerson"), "name"), "family", medecin["nom"])


def evenement(evenement_el) -> None:
    """serviceEvent/code of the DLU."""
    code = evenement_el.find(H + "code")
    code.set("code", EVENEMENT_DLU[0])
    code.set("displayName", EVENEMENT_DLU[1])


def sections(d: dict[str, Any], pdf: bytes, titre_pdf: str) -> list[Section]:
    resultat = [
        Section(
            ("1.3.6.1.4.1.19376.1.5.3.1.1.13.2.10", "1.2.250.1.213.1.1.2.172"),
            "11302-7",
            "Dispositions",
            "Établissement de santé de préférence",
            ["Non renseigné dans le DUI : voir avec le médecin traitant et la personne de confiance."],
        )
    ]
    if d["problemes"]:
        resultat.append(
            Section(
                ("1.3.6.1.4.1.19376.1.5.3.1.3.6", "2.16.840.1.113883.10.20.1.11"),
                "11450-4",
                "Problèmes actifs",
                "Pathologies actives",
                list(d["problemes"]),
            )
        )
    if d["antecedents"]:
        resultat.append(
            Section(
                ("1.3.6.1.4.1.19376.1.5.3.1.3.8",),
                "11348-0",
                "Antécédents médicaux",
                "Antécédents",
                list(d["antecedents"]),
            )
        )
    if d["allergies"] or d["aucune_allergie"]:
        resultat.append(
            Section(
                ("1.3.6.1.4.1.19376.1.5.3.1.3.13", "2.16.840.1.113883.10.20.1.2"),
                "48765-2",
                "Allergies, effets indésirables",
                "Allergies et intolérances",
                list(d["allergies"]) or ["Aucune allergie connue."],
            )
        )
    resultat.append(
        Section(
            ("1.3.6.1.4.1.19376.1.5.3.1.3.19", "2.16.840.1.113883.10.20.1.8"),
            "10160-0",
            "Traitements",
            "Traitements en cours",
            list(d["traitements"]) or ["Aucun traitement prescrit dans le DUI."],
        )
    )
    resultat.append(
        Section(
            (
                "1.3.6.1.4.1.19376.1.5.3.1.3.35",
                "1.3.6.1.4.1.19376.1.5.3.1.3.34",
                "2.16.840.1.113883.10.20.1.1",
            ),
            "42348-3",
            "Directives anticipées",
            "Soins palliatifs, directives anticipées, personne de confiance",
            [
                f"Directives anticipées : {d['directives']}",
                f"Personne de confiance : {d['personne_confiance']}"
                if d["personne_confiance"]
                else "Pas de personne de confiance désignée.",
            ],
        )
    )
    etat = Section(
        ("1.3.6.1.4.1.19376.1.7.3.1.1.13.7", "1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9", "1.2.250.1.213.1.1.2.163"),
        "42545-4",
        "Evènements observés",
        "État psychique, handicaps et déficits, déplacements et transferts, autres risques",
        [d["gir"] or "GIR non évalué.", d["alimentation"], *d["risques_libelles"]],
    )
    for champ, (code, libelle) in ETAT_DES_RISQUES.items():
        if d["risques"].get(champ) in ("modere", "eleve"):
            etat.entrees.append(_etat_patient(code, libelle))
    resultat.append(etat)
    resultat.append(
        Section(
            ("1.3.6.1.4.1.19376.1.5.3.1.3.28", "1.3.6.1.4.1.19376.1.5.3.1.3.27"),
            "30954-2",
            "Résultats d'examens",
            "Bactérie multirésistante (BMR)",
            ["Portage de BMR : non renseigné dans le DUI."],
        )
    )
    if d["remarques"]:
        resultat.append(
            Section(
                ("1.3.6.1.4.1.19376.1.4.1.2.16", "2.16.840.1.113883.10.12.201"),
                "48767-8",
                "Commentaire",
                "Remarques utiles aux soins",
                [d["remarques"]],
            )
        )
    # the PDF made by the DUI, the document's rendering: the reader of a structured DLU sees it as printed
    joint = Section(
        ("1.2.250.1.213.1.1.2.37",),
        "55107-7",
        "Documents ajoutés",
        "Documents ajoutés",
        [f"{titre_pdf} (PDF produit par le DUI)"],
    )
    joint.entrees.append(_document_attache(pdf))
    resultat.append(joint)
    return resultat


def _etat_patient(code: str, libelle: str):
    """A patient-state observation of the event-outcomes section: an IHE simple observation whose code is a
    state of JDV_ObservationEtatPatient (SNOMED CT), observed (value true)."""
    observation = etree.Element(
        H + "observation", classCode="OBS", moodCode="EVN", nsmap={None: NS, "xsi": XSI}
    )
    _el(observation, "templateId", root=TEMPLATE_OBSERVATION_SIMPLE)
    _el(observation, "code", code=code, codeSystem=OID_SNOMED, displayName=libelle)
    _el(observation, "statusCode", code="completed")
    valeur = _el(observation, "value", value="true")
    valeur.set(f"{{{XSI}}}type", "BL")
    return observation


def pdf_en_base64(parent, tag: str, pdf: bytes):
    """A PDF inline in a CDA (ED, base64): the N1 body (``interop.cda``), or the attached document here."""
    return _el(
        parent, tag, base64.b64encode(pdf).decode("ascii"), mediaType="application/pdf", representation="B64"
    )


def _document_attache(pdf: bytes):
    media = etree.Element(H + "observationMedia", classCode="OBS", moodCode="EVN", nsmap={None: NS})
    _el(media, "templateId", root=TEMPLATE_DOCUMENT_ATTACHE)
    pdf_en_base64(media, "value", pdf)
    return media


def corps_structure(racine, sections_: list[Section], graine: str) -> None:
    """``component/structuredBody`` with one component per section (narrative list, then the entries). The
    ids derive from ``graine`` (the document): the same document gives the same bytes."""
    corps = _el(_el(racine, "component"), "structuredBody")
    for n, section in enumerate(sections_):
        element = _el(_el(corps, "component"), "section")
        for template in section.templates:
            _el(element, "templateId", root=template)
        _el(element, "id", root=str(uuid.uuid5(uuid.NAMESPACE_OID, f"{graine}:section:{n}")).upper())
        _el(
            element,
            "code",
            code=section.code,
            codeSystem=codes.OID_LOINC,
            codeSystemName="LOINC",
            displayName=section.libelle,
        )
        _el(element, "title", section.titre)
        texte = _el(element, "text")
        liste = _el(texte, "list")
        for ligne in section.lignes:
            _el(liste, "item", ligne)
        for m, entree in enumerate(section.entrees):
            identifiant = etree.Element(
                H + "id", root=str(uuid.uuid5(uuid.NAMESPACE_OID, f"{graine}:{n}:{m}")).upper()
            )
            entree.insert(len(entree.findall(H + "templateId")), identifiant)  # id follows the templateIds
            lien = _el(element, "entry", typeCode="DRIV" if entree.tag == H + "observation" else None)
            lien.append(entree)
