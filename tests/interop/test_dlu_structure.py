"""The structured DLU (CI-SIS volet DLU-EHPAD, modèle DLU-DLU 2022.01): the DLU of a dossier de soins goes as a
CDA with a structured body — checked with the volet's schematron, the ANS header schematrons (2.41 and 3.0) and
the HL7 CDA R2 and ANS extended schemas — its PDF attached as the rendering; each check is shown failing on a
deliberately broken document."""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from documents.models import Document
from dui.tenancy import tenant_context
from habilitations.models import Profession, Professionnel
from interop import cda_dlu, services, xds
from interop.cda import construire_cda
from soins.models import Allergie, Antecedent, DossierSoins, Intervenant
from tests.interop.conftest import personne
from tests.interop.schematrons import Schematrons, references_presentes
from tests.interop.test_conformite_cda import CDA_ETENDU_XSD, CDA_XSD, erreurs
from usagers.models import Proche

NS = {"h": "urn:hl7-org:v3"}


@pytest.fixture(scope="module")
def schematrons(tmp_path_factory):
    references_presentes()
    return Schematrons(tmp_path_factory.mktemp("schematrons-dlu"))


@pytest.fixture(scope="module")
def schemas():
    references_presentes()
    return [etree.XMLSchema(etree.parse(str(p))) for p in (CDA_XSD, CDA_ETENDU_XSD)]


def _medecin(og):
    with tenant_context(og.organisme.pk):
        Professionnel.objects.filter(pk=og["medecin"].pk).update(
            rpps="10101010101", profession=Profession.MEDECIN
        )
        og["medecin"].refresh_from_db()
    return og["medecin"]


def _dlu(og, usager) -> Document:
    """The DLU as the soins produce it (the worker's rendering run in place)."""
    from soins.services import do_demander_dlu
    from soins.tasks import generer_dlu

    medecin = _medecin(og)
    with tenant_context(og.organisme.pk):
        document = do_demander_dlu(medecin, usager, og.ehpad)
        generer_dlu.run(str(document.public_id), acteur=medecin)
        return Document.objects.select_related("usager", "etablissement", "auteur").get(pk=document.pk)


def _dossier_rempli(og, usager) -> None:
    with tenant_context(og.organisme.pk):
        DossierSoins.objects.update_or_create(
            organisme=og.organisme,
            usager=usager,
            defaults={
                "risque_chute": "eleve",
                "risque_escarre": "faible",
                "remarques": "Porte un appareil auditif.",
            },
        )
        Allergie.objects.create(
            organisme=og.organisme,
            usager=usager,
            type_agent="substance",
            agent="Iode",
            reaction="Choc",
            severite="vitale",
            saisie_par=og["infirmier"],
        )
        Antecedent.objects.create(
            organisme=og.organisme,
            usager=usager,
            type_antecedent="medical",
            libelle="AVC ischémique",
            date_debut="2019",
            saisi_par=og["medecin"],
        )
        Antecedent.objects.create(
            organisme=og.organisme,
            usager=usager,
            type_antecedent="probleme",
            libelle="Insuffisance cardiaque",
            code_cim10="I50",
            saisi_par=og["medecin"],
        )
        Intervenant.objects.create(
            organisme=og.organisme,
            usager=usager,
            role="medecin_traitant",
            nom="Dr Sophie Bernard",
            telephone="01 02 03 04 05",
            rpps="10003456789",
        )
        Proche.objects.create(
            organisme=og.organisme,
            usager=usager,
            nom="Marchand",
            prenom="Luc",
            lien="enfant",
            telephone="06 11 22 33 44",
            personne_confiance=True,
        )


def _cda(document) -> bytes:
    with tenant_context(document.organisme_id):
        with document.fichier.open("rb") as f:
            pdf = f.read()
        return construire_cda(
            document, pdf, sejour=document.usager.sejours.get(), dlu=cda_dlu.contexte(document)
        )


def _schemas_ok(schemas, xml: bytes) -> list[str]:
    racine = etree.fromstring(xml)
    problemes = []
    for schema in schemas:
        if not schema.validate(racine):
            problemes += [f"{e.line}: {e.message}" for e in schema.error_log]
    return problemes


@pytest.mark.django_db
def test_a_full_dlu_is_structured_and_passes_the_volet_the_header_schematrons_and_the_schemas(
    og_a, schematrons, schemas
):
    usager = personne(og_a)
    _dossier_rempli(og_a, usager)
    document = _dlu(og_a, usager)
    xml = _cda(document)
    assert [str(c) for c in schematrons.constats_dlu(xml)] == []
    constats = erreurs(schematrons, xml)
    assert constats == [], "\n".join(constats)
    assert _schemas_ok(schemas, xml) == []

    racine = etree.fromstring(xml)
    gabarits = racine.xpath("h:templateId/@root", namespaces=NS)
    assert "1.2.250.1.213.1.1.1.22" in gabarits and "1.3.6.1.4.1.19376.1.2.20" not in gabarits
    assert racine.xpath("h:documentationOf/h:serviceEvent/h:code/@code", namespaces=NS) == ["34117-2"]
    [informateur] = racine.xpath("h:participant[@typeCode='INF']", namespaces=NS)
    assert informateur.xpath("h:functionCode/@code", namespaces=NS) == ["PCP"]
    assert informateur.xpath("h:associatedEntity/h:id/@extension", namespaces=NS) == ["810003456789"]
    titres = racine.xpath("//h:section/h:title/text()", namespaces=NS)
    assert titres == [
        "Établissement de santé de préférence",
        "Pathologies actives",
        "Antécédents",
        "Allergies et intolérances",
        "Traitements en cours",
        "Soins palliatifs, directives anticipées, personne de confiance",
        "État psychique, handicaps et déficits, déplacements et transferts, autres risques",
        "Bactérie multirésistante (BMR)",
        "Remarques utiles aux soins",
        "Documents ajoutés",
    ]
    texte = " ".join(racine.xpath("//h:section/h:text//text()", namespaces=NS))
    for attendu in (
        "Iode",
        "Choc",
        "AVC ischémique",
        "Insuffisance cardiaque (I50)",
        "Luc Marchand",
        "Risque chutes : élevé",
    ):
        assert attendu in texte, attendu
    # the risk evaluated high is coded (JDV_ObservationEtatPatient); the low one is not
    etats = racine.xpath(
        "//h:section[h:templateId/@root='1.3.6.1.4.1.19376.1.7.3.1.1.13.7']"
        "/h:entry/h:observation[h:templateId/@root='1.3.6.1.4.1.19376.1.5.3.1.4.13']/h:code/@code",
        namespaces=NS,
    )
    assert etats == ["161898004"]
    # an allergy recorded after the PDF was made is not in this version (it is in the next one)
    with tenant_context(og_a.organisme.pk):
        Allergie.objects.create(
            organisme=og_a.organisme,
            usager=usager,
            type_agent="substance",
            agent="Latex",
            reaction="Urticaire",
            severite="moderee",
            saisie_par=og_a["infirmier"],
        )
    assert _cda(document) == xml
    assert b"Latex" in _cda(_dlu(og_a, usager))
    # the PDF, as produced, is the attached rendering
    [joint] = racine.xpath(
        "//h:observationMedia[h:templateId/@root='1.2.250.1.213.1.1.3.18']/h:value", namespaces=NS
    )
    with tenant_context(og_a.organisme.pk), document.fichier.open("rb") as f:
        assert base64.b64decode(joint.text) == f.read()


@pytest.mark.django_db
def test_a_dlu_with_little_data_still_passes(og_a, schematrons, schemas):
    """No allergy recorded, no history, a médecin traitant without RPPS: the mandatory sections say « non
    renseigné », the doctor is identified by the ESMS; without any médecin traitant the PDF goes alone (N1)."""
    usager = personne(og_a, nom_naissance="Vide")
    assert (
        cda_dlu.contexte(_dlu(og_a, usager)) is None
    )  # no médecin traitant: the volet's informant is missing
    with tenant_context(og_a.organisme.pk):
        medecin = Intervenant.objects.create(
            organisme=og_a.organisme, usager=usager, role="medecin_traitant", nom="Dr Paul Lenoir"
        )
    xml = _cda(_dlu(og_a, usager))  # the next version knows him
    assert [str(c) for c in schematrons.constats_dlu(xml)] == []
    constats = erreurs(schematrons, xml)
    assert constats == [], "\n".join(constats)
    assert _schemas_ok(schemas, xml) == []
    racine = etree.fromstring(xml)
    assert racine.xpath("h:participant/h:associatedEntity/h:id/@extension", namespaces=NS) == [
        f"3{og_a.ehpad.finess_geographique}/{medecin.public_id}"
    ]
    assert "Allergies et intolérances" not in racine.xpath("//h:section/h:title/text()", namespaces=NS)


@pytest.mark.django_db
def test_each_dlu_check_catches_a_broken_document(og_a, schematrons, schemas):
    usager = personne(og_a)
    _dossier_rempli(og_a, usager)
    bon = _cda(_dlu(og_a, usager))

    def casse(modifier) -> bytes:
        racine = etree.fromstring(bon)
        modifier(racine)
        return etree.tostring(racine)

    def sans_traitements(racine):
        [section] = racine.xpath("//h:section[h:code/@code='10160-0']", namespaces=NS)
        section.getparent().getparent().remove(section.getparent())

    def hors_jeu_de_valeurs(racine):
        [code] = racine.xpath(
            "//h:observation[h:templateId/@root='1.3.6.1.4.1.19376.1.5.3.1.4.13']/h:code", namespaces=NS
        )
        code.set("code", "22298006")  # a SNOMED code, not a patient state of the JDV

    def sans_informateur(racine):
        [participant] = racine.xpath("h:participant", namespaces=NS)
        racine.remove(participant)

    def texte_hors_schema(racine):
        [section] = racine.xpath("//h:section[h:code/@code='10160-0']", namespaces=NS)
        etree.SubElement(section, "{urn:hl7-org:v3}inconnu")

    constats = [str(c) for c in schematrons.constats_dlu(casse(sans_traitements))]
    assert any('La section "Traitements" doit être présente une fois' in c for c in constats), constats
    constats = [str(c) for c in schematrons.constats_dlu(casse(hors_jeu_de_valeurs))]
    assert any("[dansJeuDeValeurs]" in c and "22298006" in c for c in constats), constats
    constats = [str(c) for c in schematrons.constats_dlu(casse(sans_informateur))]
    assert any("le typeCode du participant est fixé à 'INF'" in c for c in constats), constats
    assert _schemas_ok(schemas, casse(texte_hors_schema)) != []


@pytest.mark.django_db
def test_the_dlu_travels_structured_to_the_dmp_with_its_format_code(og_a, serveur_dmp):
    usager = personne(og_a)
    _dossier_rempli(og_a, usager)
    document = _dlu(og_a, usager)
    with tenant_context(og_a.organisme.pk):
        envoi = services.do_demander_envoi_dmp(og_a["medecin"], document)
        s = services.soumission(envoi)
        assert s.format == cda_dlu.FORMAT_DLU
        # what the PDF said when it was made, the same bytes at each build (a resend is recognised)
        assert services.soumission(envoi).cda == s.cda
        assert b"1.2.250.1.213.1.1.1.22" in s.cda
        assert services.relayer()["envoye"] == 1
    [stocke] = serveur_dmp.documents.values()
    assert stocke["cda"] == s.cda
    metadata = xds.soumission_objets(s)
    formats = [
        c.get("nodeRepresentation")
        for c in metadata.iter(xds.R("Classification"))
        if c.get("classificationScheme") == xds.SCHEMES["formatCode"]
    ]
    assert formats == ["urn:asip:ci-sis:dlu:2015"]


@pytest.mark.django_db
def test_a_dlu_without_its_data_goes_as_its_pdf(og_a):
    """A DLU document made without the structured data (an older one, an imported one) keeps the N1 body."""
    from tests.interop.conftest import document_pret

    document = document_pret(og_a, personne(og_a))
    assert cda_dlu.contexte(document) is None
    with tenant_context(og_a.organisme.pk), document.fichier.open("rb") as f:
        xml = construire_cda(document, f.read(), sejour=document.usager.sejours.get())
    assert b"nonXMLBody" in xml and b"1.2.250.1.213.1.1.1.22" not in xml
