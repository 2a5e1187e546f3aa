"""The TDDUI bundle against the rules of the profiles it claims, read from the FR Core and TDDUI FSH sources in
../shared/refs (not from the project's reading): the PatientINS cardinalities (identity reliability, birth
place with its COG code, one birth first name in ``given`` and the list in its extension), the national
identifier slices of Organization (idNatSt) and Practitioner (idNatPs, also without RPPS), the SERAFIN-PH code
system of the TDDUI guide. Each rule is also shown failing on a broken resource.

The rules are written as data from the FSH (decision 0018): a validator built from the published
StructureDefinitions would need the guide's snapshots, which ../shared does not hold."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

import pytest

from dui.tenancy import tenant_context
from interop import codes, fhir
from interop.fhir import construire_bundle
from tests.interop.conftest import personne
from tests.interop.test_fhir import dossier_complet

REFS = Path(__file__).resolve().parents[3] / "shared" / "refs"
PROFILS = REFS / "fr-core" / "input" / "fsh" / "profiles"
TDDUI = REFS / "tddui-ig" / "input" / "fsh"


@pytest.fixture(scope="module")
def fsh():
    fichiers = {
        "patient_ins": PROFILS / "FRCorePatientINSProfile.fsh",
        "patient": PROFILS / "FRCorePatientProfile.fsh",
        "organisation": PROFILS / "FRCoreOrganizationProfile.fsh",
        "praticien": PROFILS / "FRCorePractitionerProfile.fsh",
        "alias_tddui": TDDUI / "aliases.fsh",
        "patient_tddui": TDDUI / "RuleSet" / "TDDUIPatientCommonConstraints.fsh",
    }
    if not all(f.exists() for f in fichiers.values()):
        if os.environ.get("DUI_REQUIRE_SHARED"):
            pytest.fail("Profils FR Core / TDDUI absents de ../shared/refs (DUI_REQUIRE_SHARED=1).")
        pytest.skip("profils FR Core / TDDUI absents (../shared/refs)")
    return {nom: f.read_text(encoding="utf-8") for nom, f in fichiers.items()}


def _fixe(texte: str, chemin: str) -> str:
    """The value a profile fixes for ``chemin`` (``* chemin = value``)."""
    trouve = re.search(rf"^\* {re.escape(chemin)} = (.+)$", texte, re.MULTILINE)
    assert trouve, chemin
    return trouve.group(1).strip().strip('"')


def _cardinalite_min(texte: str, chemin: str) -> int:
    trouve = re.search(rf"^\* {re.escape(chemin)} (\d+)\.\.", texte, re.MULTILINE)
    assert trouve, chemin
    return int(trouve.group(1))


def _type(codage: str) -> tuple[str, str]:
    systeme, _, code = codage.partition("#")
    return systeme.replace("$fr-core-v2-0203", codes.SYSTEME_TYPE_IDENTIFIANT), code


def _ext(ressource: dict, url: str) -> list[dict]:
    return [e for e in ressource.get("extension", []) if e["url"] == url]


def regles_patient_ins(patient: dict, fsh: dict) -> list[str]:
    erreurs = []
    texte = fsh["patient_ins"]
    if len(_ext(patient, fhir.EXT_FIABILITE)) < _cardinalite_min(texte, "extension[identityReliability]"):
        erreurs.append("identityReliability absente")
    for fiabilite in _ext(patient, fhir.EXT_FIABILITE):
        statuts = [e for e in fiabilite.get("extension", []) if e["url"] == "identityStatus"]
        if not statuts or statuts[0]["valueCoding"]["system"] != fhir.SYSTEME_STATUT_IDENTITE:
            erreurs.append("identityStatus absent ou hors de fr-core-cs-identity-status")
    lieux = _ext(patient, fhir.EXT_LIEU_NAISSANCE)
    if len(lieux) < _cardinalite_min(texte, "extension[birthPlace]"):
        erreurs.append("birthPlace absent")
    minimum_insee = _cardinalite_min(texte, "extension[birthPlace].valueAddress.extension[inseeCode]")
    for lieu in lieux:
        if len(_ext(lieu["valueAddress"], fhir.EXT_CODE_INSEE)) < minimum_insee:
            erreurs.append("birthPlace sans code INSEE")
    officiels = [n for n in patient["name"] if n.get("use") == "official"]
    if len(officiels) != 1:
        erreurs.append("officialName absent ou répété")
    for nom in officiels:
        if "name[officialName].given 1..1" in texte and len(nom.get("given", [])) != 1:
            erreurs.append("officialName.given doit tenir un seul prénom")
        if "name[officialName].extension[birth-list-given-name] 1..1" in texte and not _ext(
            nom, fhir.EXT_PRENOMS_NAISSANCE
        ):
            erreurs.append("liste des prénoms de naissance absente")
    return erreurs


def regles_identifiants(ressource: dict, texte: str, tranche: str) -> list[str]:
    """The slice ``tranche`` as the profile fixes it (type, system, and use when fixed)."""
    attendu_type = _type(_fixe(texte, f"identifier[{tranche}].type"))
    attendu_systeme = _fixe(texte, f"identifier[{tranche}].system")
    usage = re.search(rf"^\* identifier\[{tranche}\]\.use = #(\w+)$", texte, re.MULTILINE)
    for identifiant in ressource.get("identifier", []):
        codage = identifiant.get("type", {}).get("coding", [{}])[0]
        if (codage.get("system"), codage.get("code")) == attendu_type and identifiant.get(
            "system"
        ) == attendu_systeme:
            if usage and identifiant.get("use") != usage.group(1):
                return [f"{tranche} : use {identifiant.get('use')} au lieu de {usage.group(1)}"]
            return []
    return [f"{ressource['resourceType']} sans identifiant {tranche}"]


def _bundle_complet(og_a, numero: int):
    """A full dossier of organisme A and its bundle."""
    with tenant_context(og_a.organisme.pk):
        usager, _ = dossier_complet(og_a)
        return usager, construire_bundle(
            usager, og_a.ehpad, identifiant=f"urn:uuid:00000000-0000-4000-8000-{numero:012d}",
            lecteur=og_a["medecin_coordonnateur"],
        )  # fmt: skip


def _ressources(bundle: dict, type_: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == type_]


@pytest.mark.django_db
def test_the_bundle_follows_the_fr_core_and_tddui_rules(og_a, fsh):
    usager, bundle = _bundle_complet(og_a, 31)
    (patient,) = _ressources(bundle, "Patient")
    assert regles_patient_ins(patient, fsh) == []
    (officiel,) = [n for n in patient["name"] if n["use"] == "official"]
    assert officiel["given"] == ["Hélène"] and _ext(officiel, fhir.EXT_PRENOMS_NAISSANCE)[0][
        "valueString"
    ] == ("Hélène Marie")
    (lieu,) = _ext(patient, fhir.EXT_LIEU_NAISSANCE)
    assert _ext(lieu["valueAddress"], fhir.EXT_CODE_INSEE)[0]["valueCoding"]["code"] == "75056"
    (local,) = [i for i in patient["identifier"] if i["use"] == "usual"]
    assert local["system"] == _fixe(fsh["patient_tddui"], "identifier[PI].system")
    assert local["value"] == f"3{og_a.ehpad.finess_geographique}/{usager.public_id}"  # 3 + FINESS / local id
    assert (local["type"]["coding"][0]["system"] + "#" + local["type"]["coding"][0]["code"]) == (
        _fixe(fsh["patient"], "identifier[PI].type").split(" ")[0].strip()
    )
    assert local["use"] == _fixe(fsh["patient"], "identifier[PI].use").lstrip("#")
    (organisation,) = _ressources(bundle, "Organization")
    assert regles_identifiants(organisation, fsh["organisation"], "idNatSt") == []
    praticiens = _ressources(bundle, "Practitioner")
    assert praticiens  # the educator (no RPPS) and the nurse are there, each with an idNatPs
    for praticien in praticiens:
        assert regles_identifiants(praticien, fsh["praticien"], "idNatPs") == []
    systeme_serafin = re.search(
        r"^Alias: \$terminologie-SERAFINPH = (\S+)$", fsh["alias_tddui"], re.MULTILINE
    )
    assert fhir.SYSTEME_SERAFIN == systeme_serafin.group(1)
    assert "urn:oid:1.2.250.1.213.3.3.65" not in str(bundle)


@pytest.mark.django_db
def test_a_non_qualified_person_carries_the_status_but_no_ins(og_a, fsh):
    with tenant_context(og_a.organisme.pk):
        usager = personne(og_a, qualifiee=False, statut_identite="PROV")
        bundle = construire_bundle(
            usager, og_a.ehpad, identifiant="urn:uuid:00000000-0000-4000-8000-000000000032",
            lecteur=og_a["medecin_coordonnateur"],
        )  # fmt: skip
    (patient,) = _ressources(bundle, "Patient")
    (fiabilite,) = _ext(patient, fhir.EXT_FIABILITE)
    assert fiabilite["extension"][0]["valueCoding"]["code"] == "PROV"
    assert all(i["use"] == "usual" for i in patient["identifier"])


def test_each_rule_catches_a_broken_resource(fsh):
    patient = {
        "resourceType": "Patient",
        "extension": [
            {"url": fhir.EXT_FIABILITE, "extension": [{"url": "identityStatus", "valueCoding": {"system": fhir.SYSTEME_STATUT_IDENTITE, "code": "QUAL"}}]},
            {"url": fhir.EXT_LIEU_NAISSANCE, "valueAddress": {"extension": [{"url": fhir.EXT_CODE_INSEE, "valueCoding": {"code": "75056"}}]}},
        ],
        "name": [{"use": "official", "family": "Dupont", "given": ["Hélène"], "extension": [{"url": fhir.EXT_PRENOMS_NAISSANCE, "valueString": "Hélène Marie"}]}],
    }  # fmt: skip
    assert regles_patient_ins(patient, fsh) == []
    deux_prenoms = copy.deepcopy(patient)
    deux_prenoms["name"][0]["given"] = ["Hélène", "Marie"]
    assert "officialName.given doit tenir un seul prénom" in regles_patient_ins(deux_prenoms, fsh)
    sans_lieu = copy.deepcopy(patient)
    sans_lieu["extension"] = sans_lieu["extension"][:1]
    assert "birthPlace absent" in regles_patient_ins(sans_lieu, fsh)
    sans_fiabilite = copy.deepcopy(patient)
    sans_fiabilite["extension"] = sans_fiabilite["extension"][1:]
    assert "identityReliability absente" in regles_patient_ins(sans_fiabilite, fsh)
    sans_liste = copy.deepcopy(patient)
    del sans_liste["name"][0]["extension"]
    assert "liste des prénoms de naissance absente" in regles_patient_ins(sans_liste, fsh)
    ancien = {
        "resourceType": "Practitioner",
        "identifier": [{"system": fhir.SYSTEME_RPPS, "value": "810101010101"}],
    }
    assert regles_identifiants(ancien, fsh["praticien"], "idNatPs") == [
        "Practitioner sans identifiant idNatPs"
    ]
    organisation = {
        "resourceType": "Organization",
        "identifier": [{"use": "usual", "type": {"coding": [{"system": codes.SYSTEME_TYPE_IDENTIFIANT, "code": "IDNST"}]}, "system": fhir.SYSTEME_FINESS, "value": "1750000005"}],
    }  # fmt: skip
    assert regles_identifiants(organisation, fsh["organisation"], "idNatSt") == [
        "idNatSt : use usual au lieu de official"
    ]


def _profils_tddui() -> dict[str, str]:
    """The TDDUI profiles' FSH text by profile Id (the newest file of a duplicated Id is not told apart here:
    only the files whose Id the export uses are read)."""
    textes = {}
    for fichier in sorted((TDDUI / "Profiles").glob("*.fsh")):
        texte = fichier.read_text(encoding="utf-8")
        trouve = re.search(r"^Id: (\S+)$", texte, re.MULTILINE)
        if trouve:
            textes.setdefault(trouve.group(1), texte)
    return textes


def regles_identifiant_metier(ressource: dict, texte: str) -> list[str]:
    """The business identifier a TDDUI profile asks: present (1..), its fixed system, its value format
    (« 3+FINESS/identifiantLocalUsagerESSMS-CODE-… » of the example label)."""
    erreurs: list[str] = []
    if not re.search(r"^\* identifier 1\.\.", texte, re.MULTILINE):
        return erreurs
    identifiants = ressource.get("identifier")
    identifiants = identifiants if isinstance(identifiants, list) else [identifiants] if identifiants else []
    if not identifiants:
        return ["identifiant métier absent"]
    systeme = re.search(r'^\* identifier(?:\[idStay\])?\.system = "(\S+)"', texte, re.MULTILINE)
    format_ = re.search(r"3\+FINESS/identifiantLocalUsagerESSMS-(\w+)-", texte)
    for identifiant in identifiants:
        if systeme and identifiant.get("system") != systeme.group(1):
            erreurs.append(f"système {identifiant.get('system')} au lieu de {systeme.group(1)}")
        if format_ and not re.fullmatch(
            rf"3\d{{9}}/[0-9a-f-]{{36}}-{format_.group(1)}-[0-9a-f-]{{36}}", identifiant.get("value", "")
        ):
            erreurs.append(f"valeur {identifiant.get('value')} hors du format …-{format_.group(1)}-…")
    return erreurs


@pytest.mark.django_db
def test_every_tddui_resource_has_the_business_identifier_of_its_profile(og_a, fsh):
    usager, bundle = _bundle_complet(og_a, 33)
    profils = _profils_tddui()
    verifies = set()
    for entree in bundle["entry"]:
        ressource = entree["resource"]
        profil = ressource["meta"]["profile"][0].rsplit("/", 1)[1]
        if profil in profils and re.search(r"^\* identifier 1\.\.", profils[profil], re.MULTILINE):
            assert regles_identifiant_metier(ressource, profils[profil]) == [], profil
            verifies.add(profil)
    assert {
        "tddui-careplan-projet-personnalise",
        "tddui-goal-objectif",
        "tddui-service-request-besoin",
        "tddui-task-action",
        "tddui-encounter-sejour",
        "tddui-encounter-evenement",
        "tddui-questionnaire-response",
    } <= verifies
    # and the rule fails on what the export used to send
    plan = profils["tddui-careplan-projet-personnalise"]
    assert regles_identifiant_metier({"resourceType": "CarePlan"}, plan) == ["identifiant métier absent"]
    assert regles_identifiant_metier({"identifier": [{"value": "autre"}]}, plan)


@pytest.mark.django_db
def test_the_links_the_tddui_profiles_require_point_into_the_bundle(og_a, fsh):
    """basedOn / addresses 1..1. Known gap, kept visible: the DUI lets an objective exist without a linked need,
    while TDDUI's Goal objectif « addresses 1..1 » a ServiceRequest besoin — such an objective is exported
    without ``addresses`` (the check below covers the objectives that have their need)."""
    from accompagnement.models import Objectif

    with tenant_context(og_a.organisme.pk):
        usager, besoin = dossier_complet(og_a)
        lie = Objectif.objects.filter(projet__usager=usager).order_by("pk").first()
        Objectif.objects.filter(pk=lie.pk).update(besoin=besoin)
        bundle = construire_bundle(
            usager, og_a.ehpad, identifiant="urn:uuid:00000000-0000-4000-8000-000000000034",
            lecteur=og_a["medecin_coordonnateur"],
        )  # fmt: skip
    profils = _profils_tddui()
    urls = {e["fullUrl"]: e["resource"]["resourceType"] for e in bundle["entry"]}
    vus = []
    for entree in bundle["entry"]:
        ressource = entree["resource"]
        profil = ressource["meta"]["profile"][0].rsplit("/", 1)[1]
        for lien in re.findall(r"^\* (basedOn|addresses) 1\.\.1$", profils.get(profil, ""), re.MULTILINE):
            if profil == "tddui-goal-objectif" and entree["fullUrl"] != f"urn:uuid:{lie.public_id}":
                continue  # an objective without its need (see above)
            references = [r["reference"] for r in ressource.get(lien, [])]
            assert len(references) == 1 and references[0] in urls, (profil, lien)
            vus.append((profil, lien, urls[references[0]]))
    assert ("tddui-service-request-besoin", "basedOn", "CarePlan") in vus
    assert ("tddui-task-action", "basedOn", "CarePlan") in vus
    assert ("tddui-goal-objectif", "addresses", "ServiceRequest") in vus


def _j11() -> set[str]:
    """JDV_J11_RelationPatient_CISIS, the value set TDDUIContactRelation includes (its SVS copy in refs)."""
    from lxml import etree

    fichier = REFS / "ans-testcontenucda-2.41" / "jeuxDeValeurs" / "JDV_J11-RelationPatient-CISIS.xml"
    return {c.get("code") for c in etree.parse(str(fichier)).iter() if c.tag.endswith("Concept")}


def regles_proche(proche: dict, textes: dict[str, str]) -> list[str]:
    """FR Core RelatedPerson: relationship sliced by system, Role 0..1 with the TRE_R260 system, RelationType
    with TRE_R216; TDDUI: RelationType from J11 (with J14)."""
    erreurs = []
    fr_core = (PROFILS / "FRCoreRelatedPersonProfile.fsh").read_text(encoding="utf-8")
    role_systeme = _fixe(fr_core, "relationship[Role].coding.system")
    relation_systeme = _fixe(fr_core, "relationship[RelationType].coding.system")
    roles = [r for r in proche.get("relationship", []) if r["coding"][0]["system"] == role_systeme]
    relations = [r for r in proche.get("relationship", []) if r["coding"][0]["system"] == relation_systeme]
    if len(roles) > int(re.search(r"Role 0\.\.(\d+)", fr_core).group(1)):
        erreurs.append("plus d'un Role")
    if len(roles) + len(relations) != len(proche.get("relationship", [])):
        erreurs.append("relationship hors des systèmes des slices Role et RelationType")
    assert "TDDUIContactRelation" in textes["tddui-related-person-contact"]
    erreurs += [
        f"RelationType {r['coding'][0]['code']} hors de J11"
        for r in relations
        if r["coding"][0]["code"] not in _j11()
    ]
    return erreurs


def regles_accord(accord: dict, textes: dict[str, str]) -> list[str]:
    texte = textes["tddui-consent-accord"]
    erreurs = []
    for element in ("performer", "dateTime"):
        minimum = _cardinalite_min(texte, element)
        present = accord.get(element)
        if minimum and not present:
            erreurs.append(f"{element} absent ({minimum}..)")
    return erreurs


@pytest.mark.django_db
def test_relatives_and_agreements_follow_their_profiles(og_a, fsh):
    _usager, bundle = _bundle_complet(og_a, 34)
    textes = _profils_tddui()
    (proche,) = _ressources(bundle, "RelatedPerson")
    assert regles_proche(proche, textes) == []
    accords = _ressources(bundle, "Consent")
    assert len(accords) == 3  # sharing, and the person's and the structure's agreements on the projet
    for accord in accords:
        assert regles_accord(accord, textes) == []
    accord = accords[0]
    # each rule fails on a broken resource
    deux_roles = copy.deepcopy(proche)
    deux_roles["relationship"].insert(0, copy.deepcopy(proche["relationship"][0]))
    assert "plus d'un Role" in regles_proche(deux_roles, textes)
    texte_seul = copy.deepcopy(proche)
    texte_seul["relationship"].append({"coding": [{"system": "urn:texte", "code": "Fille"}]})
    assert "relationship hors des systèmes des slices Role et RelationType" in regles_proche(
        texte_seul, textes
    )
    inconnu = copy.deepcopy(proche)
    inconnu["relationship"][1]["coding"][0]["code"] = "PARENT"
    assert "RelationType PARENT hors de J11" in regles_proche(inconnu, textes)
    sans_auteur = copy.deepcopy(accord)
    del sans_auteur["performer"]
    assert regles_accord(sans_auteur, textes) == ["performer absent (1..)"]


def _codes_svs(nom: str) -> set[str]:
    from lxml import etree

    fichier = REFS / "ans-testcontenucda-3.0" / "jeuxDeValeurs" / nom
    return {c.get("code") for c in etree.parse(str(fichier)).iter() if c.tag.endswith("Concept")}


def _systeme_des_entrees(nom_du_code_system: str) -> str:
    """The canonical URL of one of the guide's Task input code systems (canonical + /CodeSystem/ + its Id)."""
    config = (REFS / "tddui-ig" / "sushi-config.yaml").read_text(encoding="utf-8")
    canonique = re.search(r"^canonical: (\S+)", config, re.MULTILINE).group(1)
    texte = (TDDUI / "CodeSystem" / f"{nom_du_code_system}.fsh").read_text(encoding="utf-8")
    identifiant = re.search(r"^Id: (\S+)$", texte, re.MULTILINE).group(1)
    return f"{canonique}/CodeSystem/{identifiant}"


def regles_tache(tache: dict, texte: str, systeme: str) -> list[str]:
    """The input slices a TDDUI Task profile declares with a minimum (``titre 1..1``), typed by the guide's
    input code system; a prestation's type from SERAFIN-PH J283/J284."""
    erreurs = []
    bloc = re.search(r"^\* input contains\n((?:\s+\w+ \d+\.\.[\d*]+(?: and)?\n)+)", texte, re.MULTILINE)
    tranches = re.findall(r"(\w+) (\d+)\.\.", bloc.group(1))
    entrees = tache.get("input", [])
    for nom, minimum in tranches:
        trouvees = [e for e in entrees if e["type"]["coding"][0] == {"system": systeme, "code": nom}]
        if len(trouvees) < int(minimum):
            erreurs.append(f"input[{nom}] absent ({minimum}..)")
    inconnues = [e["type"]["coding"][0] for e in entrees if e["type"]["coding"][0]["system"] != systeme]
    erreurs += [f"input de type {c} hors du système {systeme}" for c in inconnues]
    prestations = _codes_svs("JDV_J283_PrestationsIndirects_SERAFIN.xml") | _codes_svs(
        "JDV_J284_PrestationsDirects_SERAFIN.xml"
    )
    for entree in entrees:
        if entree["type"]["coding"][0]["code"] == "typePrestation":
            codage = entree["valueCodeableConcept"]["coding"][0]
            if codage["system"] != fhir.SYSTEME_SERAFIN or codage["code"] not in prestations:
                erreurs.append(f"typePrestation {codage['code']} hors de J283/J284")
    if "code" in tache and "typePrestation" in texte:
        erreurs.append("la prestation SERAFIN-PH est en input[typePrestation], pas en Task.code")
    return erreurs


def regles_besoin(demande: dict, texte: str) -> list[str]:
    erreurs = []
    if _cardinalite_min(texte, "code") and not demande.get("code", {}).get("text"):
        erreurs.append("code.text (description du besoin) absent")
    besoins = _codes_svs("JDV_J285_Besoins_SERAFIN.xml")
    assert "$JDV-J285-Besoins-Serafin (required)" in texte  # category is where the SERAFIN-PH need goes
    for categorie in demande.get("category", []):
        for codage in categorie["coding"]:
            if codage["system"] != fhir.SYSTEME_SERAFIN or codage["code"] not in besoins:
                erreurs.append(f"category {codage['code']} hors de J285")
    if any(c["system"] == fhir.SYSTEME_SERAFIN for c in demande.get("code", {}).get("coding", [])):
        erreurs.append("le besoin SERAFIN-PH est en category, pas en code")
    return erreurs


@pytest.mark.django_db
def test_serafin_needs_and_prestations_sit_where_the_profiles_put_them(og_a, fsh, codes_serafin):
    with tenant_context(og_a.organisme.pk):
        usager, _ = dossier_complet(og_a, serafin=True)
        bundle = construire_bundle(
            usager, og_a.ehpad, identifiant="urn:uuid:00000000-0000-4000-8000-000000000035",
            lecteur=og_a["medecin_coordonnateur"],
        )  # fmt: skip
    textes = _profils_tddui()
    taches = {"tddui-task-action": [], "tddui-task-prestation": []}
    for entree in bundle["entry"]:
        nom = entree["resource"]["meta"]["profile"][0].rsplit("/", 1)[1]
        if nom in taches:
            taches[nom].append(entree["resource"])
    assert taches["tddui-task-action"] and taches["tddui-task-prestation"]
    systemes = {
        "tddui-task-action": _systeme_des_entrees("InputTDDUITaskActionCodeSystem"),
        "tddui-task-prestation": _systeme_des_entrees("InputTDDUITaskPrestationCodeSystem"),
    }
    for nom, liste in taches.items():
        for tache in liste:
            assert regles_tache(tache, textes[nom], systemes[nom]) == []
    demandes = _ressources(bundle, "ServiceRequest")
    assert any(d.get("category") for d in demandes)
    for demande in demandes:
        assert regles_besoin(demande, textes["tddui-service-request-besoin"]) == []
    # each rule fails on a broken resource
    (prestation,) = taches["tddui-task-prestation"]
    ancienne = copy.deepcopy(prestation)
    ancienne["code"] = ancienne["input"][1]["valueCodeableConcept"]
    del ancienne["input"]
    assert regles_tache(ancienne, textes["tddui-task-prestation"], systemes["tddui-task-prestation"]) == [
        "input[titre] absent (1..)",
        "la prestation SERAFIN-PH est en input[typePrestation], pas en Task.code",
    ]
    besoin_code = next(copy.deepcopy(d) for d in demandes if d.get("category"))
    besoin_code["code"] = {"coding": besoin_code.pop("category")[0]["coding"]}
    assert regles_besoin(besoin_code, textes["tddui-service-request-besoin"]) == [
        "code.text (description du besoin) absent",
        "le besoin SERAFIN-PH est en category, pas en code",
    ]
