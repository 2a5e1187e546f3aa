"""The XDS metadata the DMP receives (ITI-41 body; the same objects make the XDM METADATA.XML of a mail), read
against the DMP's requirements and value sets in ../shared/refs (dmp/jdv_dmp.json, CI-SIS SVS files), not
against the project's own reading: every required slot and classification, every code in its value set.

One tolerance, written down: the DMP's J62 (practiceSettingCode) in the references is of 2023 and predates
« ESSMS », which the CI-SIS J04 of 2024 has; ESSMS is accepted because J04 has it (to confirm at the DMP
homologation), and no other code outside J62."""

from __future__ import annotations

import filecmp
import json
import os

import pytest
from lxml import etree

from dui.tenancy import tenant_context
from habilitations.models import Profession, Professionnel
from interop import codes, services, xds
from tests.interop.conftest import document_pret, personne
from tests.interop.schematrons import REFS

DMP = REFS / "dmp" / "jdv_dmp.json"
SVS = REFS / "ans-testcontenucda-3.0" / "jeuxDeValeurs"
NS = {"rim": xds.RIM, "lcm": xds.LCM}
OID_PAR_TERMINOLOGIE = {
    "TRE_R02-SecteurActivite": "1.2.250.1.71.4.2.4",
    "TRE_A00-ProducteurDocNonPS": "1.2.250.1.213.1.1.4.6",
}


@pytest.fixture(scope="module")
def references():
    if not DMP.exists():
        if os.environ.get("DUI_REQUIRE_SHARED"):
            pytest.fail("Jeux de valeurs du DMP absents de ../shared/refs (DUI_REQUIRE_SHARED=1).")
        pytest.skip("jeux de valeurs du DMP absents (../shared/refs)")
    return json.loads(DMP.read_text(encoding="utf-8"))


def _svs(fichier) -> set[tuple[str, str]]:
    racine = etree.parse(str(SVS / fichier))
    return {(c.get("code"), c.get("codeSystem")) for c in racine.iter("{urn:ihe:iti:svs:2008}Concept")}


def _slots(element) -> dict[str, list[str]]:
    return {
        s.get("name"): [v.text for v in s.findall("rim:ValueList/rim:Value", NS)]
        for s in element.findall("rim:Slot", NS)
    }


def _classifications(element) -> dict[str, list[etree._Element]]:
    par_schema: dict[str, list] = {}
    noms = {v: k for k, v in xds.SCHEMES.items()}
    for c in element.findall("rim:Classification", NS):
        par_schema.setdefault(
            noms.get(c.get("classificationScheme"), c.get("classificationScheme")), []
        ).append(c)
    return par_schema


def _code(c) -> tuple[str, str]:
    return c.get("nodeRepresentation"), _slots(c)["codingScheme"][0]


def constats_dmp(metadata: etree._Element, references: dict) -> list[str]:
    """What the DMP would refuse in a SubmitObjectsRequest."""
    constats = []
    j57 = {
        (c, references["JDV_J57_ClassCode_DMP"]["codingScheme"])
        for c in references["JDV_J57_ClassCode_DMP"]["codes"]
    }
    j59 = {
        (code, OID_PAR_TERMINOLOGIE[terminologie])
        for terminologie, liste in references["JDV_J59_ContentTypeCode_DMP"]["includes"].items()
        if terminologie in OID_PAR_TERMINOLOGIE
        for code in liste
    }
    j62 = {(c, "1.2.250.1.213.1.1.4.9") for c in references["JDV_J62_PracticeSettingCode_DMP"]["codes"]}
    j62_tolere = j62 | (
        {("ESSMS", "1.2.250.1.213.1.1.4.9")} & _svs("JDV_J04_XdsPracticeSettingCode_CISIS.xml")
    )
    jeux = {
        "classCode": j57,
        "confidentialityCode": _svs("JDV_J08_XdsConfidentialityCode_CISIS.xml"),
        "healthcareFacilityTypeCode": _svs("JDV_J02_XdsHealthcareFacilityTypeCode_CISIS.xml"),
        "practiceSettingCode": j62_tolere,
        "typeCode": _svs("JDV_J07_XdsTypeCode_CISIS.xml"),
    }
    specialites = _svs("JDV_J01_XdsAuthorSpecialty_CISIS.xml")
    for entree in metadata.iter(xds.R("ExtrinsicObject")):
        slots, classes = _slots(entree), _classifications(entree)
        ids = {e.get("identificationScheme") for e in entree.findall("rim:ExternalIdentifier", NS)}
        presents = set(slots) | set(classes)
        if entree.get("mimeType"):
            presents.add("mimeType")
        if entree.find("rim:Name", NS) is not None:
            presents.add("title")
        if xds.DOC_PATIENT_ID in ids:
            presents.add("patientId")
        if xds.DOC_UNIQUE_ID in ids:
            presents.add("uniqueId")
        auteurs = classes.get("author", [])
        if any(_slots(a).get("authorPerson") for a in auteurs):
            presents.add("authorPerson")
        for requis in references["DMP_required_document_entry"]:
            if requis not in presents:
                constats.append(f"fiche : {requis} absent")
        for schema, jeu in jeux.items():
            for c in classes.get(schema, []):
                if _code(c) not in jeu:
                    constats.append(f"fiche : {schema} {_code(c)} hors du jeu de valeurs")
        for a in auteurs:
            for valeur in _slots(a).get("authorSpecialty", []):
                code, _, systeme = valeur.split("^")
                if (code, systeme) not in specialites:
                    constats.append(f"fiche : authorSpecialty {valeur} hors de J01")
    for lot in metadata.iter(xds.R("RegistryPackage")):
        classes = _classifications(lot)
        for c in classes.get("ss.contentTypeCode", []) or [None]:
            if c is None:
                constats.append("lot : contentTypeCode absent")
            elif _code(c) not in j59:
                constats.append(f"lot : contentTypeCode {_code(c)} hors de J59")
        if not any(_slots(a).get("authorPerson") for a in classes.get("ss.author", [])):
            constats.append("lot : authorPerson absent")
        if "submissionTime" not in _slots(lot):
            constats.append("lot : submissionTime absent")
    return constats


def _soumission(og_a, auteur, masquage=None) -> xds.Soumission:
    with tenant_context(og_a.organisme.pk):
        document = document_pret(og_a, personne(og_a), auteur=auteur)
        envoi = services.do_demander_envoi_dmp(og_a["medecin"], document, masquage=masquage)
        return services.soumission(envoi)


def _metadata(og_a, auteur, masquage=None) -> etree._Element:
    return xds.soumission_objets(_soumission(og_a, auteur, masquage))


def _medecin(og_a):
    with tenant_context(og_a.organisme.pk):
        Professionnel.objects.filter(pk=og_a["medecin"].pk).update(
            rpps="10101010101", profession=Profession.MEDECIN
        )
        og_a["medecin"].refresh_from_db()
    return og_a["medecin"]


@pytest.mark.django_db
@pytest.mark.parametrize("auteur_rpps", [True, False], ids=["auteur-rpps", "auteur-sans-rpps"])
def test_iti41_metadata_meet_the_dmp_requirements_and_value_sets(og_a, references, auteur_rpps):
    auteur = _medecin(og_a) if auteur_rpps else og_a["educateur"]
    metadata = _metadata(og_a, auteur, masquage=["INVISIBLE_REPRESENTANTS_LEGAUX"])
    assert constats_dmp(metadata, references) == []
    (entree,) = metadata.iter(xds.R("ExtrinsicObject"))
    (legal,) = _slots(entree)["legalAuthenticator"]
    assert legal.endswith("^D^^^IDNPS")  # a person
    personne_auteur = _slots(_classifications(entree)["author"][0])["authorPerson"][0]
    if auteur_rpps:
        assert personne_auteur.startswith("810101010101^")
        assert _slots(_classifications(entree)["author"][0])["authorSpecialty"] == [
            "G15_10^Médecin^1.2.250.1.213.1.1.4.5"
        ]
    else:  # the software, on behalf of the ESMS (a system: name type U, identifier type RI)
        assert personne_auteur.startswith(f"3{og_a.ehpad.finess_geographique}/") and personne_auteur.endswith(
            "^U^^^RI"
        )
        assert legal.startswith(f"3{og_a.ehpad.finess_geographique}/{og_a['educateur'].public_id}^")
    masques = [_code(c) for c in _classifications(entree)["confidentialityCode"]]
    assert ("INVISIBLE_REPRESENTANTS_LEGAUX", "1.2.250.1.213.1.1.4.13") in masques
    libelles = [
        c.find("rim:Name/rim:LocalizedString", NS).get("value")
        for c in _classifications(entree)["confidentialityCode"]
    ]
    assert "Non visible par les représentants légaux du patient" in libelles


@pytest.mark.django_db
def test_the_dmp_check_catches_broken_metadata(og_a, references):
    metadata = _metadata(og_a, _medecin(og_a))
    (lot,) = metadata.iter(xds.R("RegistryPackage"))
    contenu = _classifications(lot)["ss.contentTypeCode"][0]
    contenu.set("nodeRepresentation", "74207-2")
    contenu.find("rim:Slot/rim:ValueList/rim:Value", NS).text = codes.OID_LOINC
    (entree,) = metadata.iter(xds.R("ExtrinsicObject"))
    for slot in entree.findall("rim:Slot[@name='legalAuthenticator']", NS):
        entree.remove(slot)
    _classifications(entree)["practiceSettingCode"][0].set("nodeRepresentation", "ETABLISSEMENT_INCONNU")
    constats = constats_dmp(metadata, references)
    assert "fiche : legalAuthenticator absent" in constats
    assert any(c.startswith("lot : contentTypeCode ('74207-2'") for c in constats)
    assert any("practiceSettingCode ('ETABLISSEMENT_INCONNU'" in c for c in constats)


@pytest.mark.django_db
def test_the_local_dmp_refuses_what_the_dmp_would(og_a):
    soumission = _soumission(og_a, _medecin(og_a))
    assert (
        xds.lire_requete(
            xds.construire_requete(soumission, destination="https://dmp.test/repository")
        ).erreurs
        == []
    )
    requete = etree.fromstring(xds.construire_requete(soumission, destination="https://dmp.test/repository"))
    (entree,) = requete.iter(xds.R("ExtrinsicObject"))
    for slot in entree.findall("rim:Slot[@name='legalAuthenticator']", NS):
        entree.remove(slot)
    (lot,) = requete.iter(xds.R("RegistryPackage"))
    _classifications(lot)["ss.contentTypeCode"][0].find(
        "rim:Slot/rim:ValueList/rim:Value", NS
    ).text = codes.OID_LOINC
    recue = xds.lire_requete(etree.tostring(requete))
    textes = [t for _, t in recue.erreurs]
    assert any("legalAuthenticator absent" in t for t in textes)
    assert any("code d'activité (J59) attendu" in t for t in textes)


def test_the_runtime_copy_of_the_dmp_value_sets_is_the_reference():
    if DMP.exists():
        assert filecmp.cmp(codes.DOSSIER_JDV / codes.JDV_DMP, DMP, shallow=False)
        for fichier in (codes.J08_CONFIDENTIALITE,):
            assert filecmp.cmp(codes.DOSSIER_JDV / fichier, SVS / fichier, shallow=False)
    assert codes.classe_du_document("cr_administration") == codes.Concept(
        "45", "1.2.250.1.213.1.1.4.1", "Traitement administré"
    )
    assert codes.masquage("MASQUE_PS").systeme == codes.OID_MASQUAGE
