"""FHIR TDDUI export: every bundle parses with fhir.resources (R4B), the INS only when QUAL, the content of
the dossier, sending to a FHIR endpoint through the outbox."""

from __future__ import annotations

import datetime
import json
import os
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from accompagnement import services as accompagnement
from accompagnement.models import Action, Besoin, EvaluationAggir
from dui.tenancy import tenant_context
from interop import codes, services
from interop.fhir import construire_bundle
from interop.models import StatutEnvoi
from tests.accompagnement.conftest import projet_en_co_construction, valider
from tests.interop.conftest import MATRICULE, personne
from usagers.models import Consentement, Proche


@pytest.fixture(autouse=True)
def _tenant(og_a):
    with tenant_context(og_a.organisme.pk):
        yield


def dossier_complet(og, serafin: bool = False):
    """A person with a validated projet personnalisé (needs, objectives, an action), an AGGIR evaluation, a
    relative, consents; ``serafin``: also a SERAFIN-PH need and an action that is a SERAFIN-PH prestation."""
    usager = personne(og)
    pp = projet_en_co_construction(og, usager, objectifs=2)
    educ = og["educateur"]
    besoin = accompagnement.do_ajouter_besoin(
        educ, pp, Besoin(categorie_libre="Vie sociale", description="Sortir")
    )
    objectif = pp.objectifs.first()
    accompagnement.do_ajouter_action(
        educ,
        pp,
        Action(
            objectif=objectif, libelle="Atelier jardin", intervenant="Animatrice", frequence="chaque mardi"
        ),
    )
    if serafin:
        from accompagnement.models import CodeSerafin

        accompagnement.do_ajouter_besoin(
            educ, pp, Besoin(code_serafin=CodeSerafin.objects.get(jeu="J285", code="1.2.1.3"))
        )
        accompagnement.do_ajouter_action(
            educ,
            pp,
            Action(
                objectif=objectif,
                libelle="Kinésithérapie",
                intervenant="Kiné libéral",
                prestation=CodeSerafin.objects.get(jeu="J284", code="2.2.1"),
            ),
        )
    valider(og, pp, echeance=datetime.date.today() + datetime.timedelta(days=300))
    EvaluationAggir.objects.create(
        organisme=og.organisme,
        usager=usager,
        etablissement=og.ehpad,
        date_evaluation=datetime.date(2026, 3, 1),
        evaluateur=og["infirmier"],
        mode="direct",
        reponses={},
        codes={"coherence": "B", "orientation": "A"},
        gir=3,
        rang=7,
    )
    Proche.objects.create(
        organisme=og.organisme,
        usager=usager,
        nom="Dupont",
        prenom="Claire",
        lien="enfant",
        telephone="06 12 34 56 78",
        personne_confiance=True,
        a_prevenir=True,
        ordre_appel=1,
    )
    # the agenda: a planned appointment, and a past activity the person attended
    from coordination import services as coordination
    from coordination.forms import instant

    demain = timezone.localdate() + datetime.timedelta(days=1)
    hier = timezone.localdate() - datetime.timedelta(days=1)
    coordination.do_planifier(
        og["infirmier"], og.ehpad, genre="rdv_externe", titre="Consultation cardiologie", usager=usager,
        debut=instant(demain, datetime.time(10)), fin=instant(demain, datetime.time(11)),
    )  # fmt: skip
    atelier = coordination.do_planifier(
        educ, og.ehpad, genre="activite", titre="Atelier mémoire", participants=[usager],
        debut=instant(hier, datetime.time(14)), fin=instant(hier, datetime.time(15)),
    )  # fmt: skip
    coordination.do_changer_statut(educ, atelier, "fait", compte_rendu="Très participative.")
    coordination.do_noter_presence(educ, atelier.participations.get(), "present")
    for objet in ("dmp", "partage"):  # the DMP answer is not an agreement with the ESMS: not exported
        Consentement.objects.create(
            organisme=og.organisme,
            usager=usager,
            type_consentement=objet,
            reponse="accepte",
            exprime_par="usager",
            date_recueil=datetime.date(2026, 1, 5),
            recueilli_par=educ,
        )
    return usager, besoin


def test_bundle_of_a_full_dossier_parses_and_holds_the_record(og_a):
    usager, besoin = dossier_complet(og_a)
    bundle = construire_bundle(
        usager,
        og_a.ehpad,
        identifiant="urn:uuid:00000000-0000-4000-8000-000000000001",
        lecteur=og_a["medecin_coordonnateur"],
    )
    modele = Bundle.model_validate(bundle)
    assert modele.type == "transaction"
    types = [e.resource.get_resource_type() for e in modele.entry]
    # the séjour, and the two events of the agenda
    assert types.count("Patient") == 1 and types.count("Encounter") == 3 and types.count("Organization") == 1
    assert types.count("CarePlan") == 1 and types.count("Task") == 1 and types.count("ServiceRequest") == 1
    assert types.count("Goal") == 3  # an attente and two objectifs
    assert types.count("QuestionnaireResponse") == 1 and types.count("RelatedPerson") == 1
    # the sharing agreement, and the person's and the structure's agreements on the projet personnalisé
    assert types.count("Consent") == 3 and "Practitioner" in types
    par_type = {e.resource.get_resource_type(): e.resource for e in reversed(modele.entry)}
    patient = par_type["Patient"]
    assert [(i.system, i.value) for i in patient.identifier if i.use == "official"] == [
        ("urn:oid:1.2.250.1.213.1.4.10", MATRICULE)
    ]
    assert patient.meta.profile[0].endswith("tddui-patient-ins")
    plan = par_type["CarePlan"]
    assert plan.status == "active" and len(plan.goal) == 3 and len(plan.activity) == 1
    assert (plan.category[0].coding[0].code, plan.category[0].coding[0].system.rsplit("/", 1)[1]) == (
        "PP",
        "tre-r390-type-projet-personnalise",
    )
    pieces = {i.extension[0].valueCodeableConcept.coding[0].code: i.reference for i in plan.supportingInfo}
    assert set(pieces) == {"accordUsager", "accordStructure"}
    par_url = {e.fullUrl: e.resource for e in modele.entry}
    (structure,) = [e.fullUrl for e in modele.entry if e.resource.get_resource_type() == "Organization"]
    assert par_url[pieces["accordStructure"]].performer[0].reference == structure  # validated by the ESMS
    assert par_url[pieces["accordUsager"]].provision.type == "permit"
    rencontres = [e for e in modele.entry if e.resource.get_resource_type() == "Encounter"]
    (sejour,) = [e for e in rencontres if e.resource.meta.profile[0].endswith("tddui-encounter-sejour")]
    assert sejour.resource.period.start.isoformat() == "2025-03-01"
    evenements = {
        e.resource.extension[0].valueString: e.resource
        for e in rencontres
        if e.resource.meta.profile[0].endswith("tddui-encounter-evenement")
    }
    assert {t: e.status for t, e in evenements.items()} == {
        "Consultation cardiologie": "planned",
        "Atelier mémoire": "finished",  # done, and the person was there
    }
    assert all(e.partOf.reference == sejour.fullUrl for e in evenements.values())
    assert evenements["Atelier mémoire"].extension[1].valueString == "Très participative."
    assert evenements["Consultation cardiologie"].type[0].text == "Rendez-vous extérieur"
    reponse = par_type["QuestionnaireResponse"]
    assert reponse.item[0].answer[0].valueInteger == 3
    consents = [e.resource for e in modele.entry if e.resource.get_resource_type() == "Consent"]
    (accord,) = [c for c in consents if c.category[0].text.startswith("Partage d'informations")]
    assert accord.provision.type == "permit"
    assert [p.reference for p in accord.performer] == [plan.subject.reference]  # given by the person
    proche = par_type["RelatedPerson"]
    assert [(c.coding[0].system.rsplit("/", 1)[1], c.coding[0].code) for c in proche.relationship] == [
        ("TRE-R260-HL7RoleClass", "NOK"),  # personne de confiance, the most binding of her roles
        ("TRE-R216-HL7RoleCode", "CHILD"),
    ]
    assert (
        proche.extension[0].valueString
        == "Enfant, Personne de confiance, Personne à prévenir en cas d'urgence"
    )
    # every reference points to an entry of the bundle
    urls = {e.fullUrl for e in modele.entry}
    assert plan.subject.reference in urls and all(g.reference in urls for g in plan.goal)


def test_ins_only_when_qualified(og_a):
    usager = personne(
        og_a,
        qualifiee=False,
        statut_identite="RECUP",
        matricule_ins=MATRICULE,
        oid_ins="1.2.250.1.213.1.4.10",
    )
    bundle = construire_bundle(
        usager,
        og_a.ehpad,
        identifiant="urn:uuid:00000000-0000-4000-8000-000000000002",
        lecteur=og_a["medecin_coordonnateur"],
    )
    Bundle.model_validate(bundle)
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert MATRICULE not in str(bundle)
    assert [i["use"] for i in patient["identifier"]] == ["usual"]
    assert patient["meta"]["profile"][0].endswith("tddui-patient")


def test_export_sent_through_the_outbox(og_a, serveur_fhir):
    usager, _ = dossier_complet(og_a)
    envoi = services.do_demander_envoi_fhir(og_a["chef_service"], usager, og_a.ehpad)
    assert services.relayer()["envoye"] == 1
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ENVOYE and envoi.reponse.startswith("Accepté par l'entrepôt FHIR")
    [recu] = serveur_fhir.bundles.values()
    assert recu["identifier"]["value"] == f"urn:uuid:{envoi.public_id}"
    Bundle.model_validate(recu)


def test_export_rights_and_configuration(og_a, og_b, settings):
    usager = personne(og_a)
    for role in (
        "aide_soignant",
        "pharmacien",
        "agent_administratif",
    ):  # no social.voir or documents.modifier
        with pytest.raises(PermissionDenied):
            services.do_demander_envoi_fhir(og_a[role], usager, og_a.ehpad)
    with pytest.raises(PermissionDenied):
        services.do_demander_envoi_fhir(og_b["chef_service"], usager, og_a.ehpad)
    settings.DUI_FHIR_URL = ""
    with pytest.raises(ValidationError, match="Aucun entrepôt FHIR"):
        services.do_demander_envoi_fhir(og_a["chef_service"], usager, og_a.ehpad)


def _types(bundle) -> list[str]:
    return sorted(e["resource"]["resourceType"] for e in bundle["entry"])


def _questionnaires(bundle) -> list[str]:
    """The linkIds of the first item of each QuestionnaireResponse (``gir`` for an AGGIR evaluation)."""
    return sorted(
        e["resource"]["item"][0]["linkId"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse" and e["resource"].get("item")
    )


@pytest.mark.parametrize("role", ["educateur", "travailleur_social", "chef_service"])
def test_the_export_holds_no_aggir_for_roles_without_soins(og_a, og_b, client_de, role):
    """Defect 4 of issue 15: the FHIR export carried AGGIR evaluations (category soins) to roles without
    soins.voir. The download and the send apply the screens' content policy, category by category."""
    from habilitations import policy
    from habilitations.roles import Droit

    usager, _ = dossier_complet(og_a)
    user = og_a[role]
    peut_soins = policy.can(user, Droit.SOINS_VOIR, usager)
    r = client_de(user).get(f"/echanges/dossier/{usager.public_id}/fhir/{og_a.ehpad.public_id}/")
    if r.status_code == 404:  # the role may not export at all: nothing to check further
        assert not services.peut_exporter_fhir(user, usager, og_a.ehpad)
        return
    bundle = json.loads(r.content)
    assert ("gir" in _questionnaires(bundle)) is peut_soins
    assert "gir" not in _questionnaires(bundle) or role == "chef_service"
    assert "Patient" in _types(bundle) and "CarePlan" in _types(bundle)  # what they may read is there
    # the other organisme's users get 404
    assert (
        client_de(og_b[role])
        .get(f"/echanges/dossier/{usager.public_id}/fhir/{og_a.ehpad.public_id}/")
        .status_code
        == 404
    )


def test_the_export_of_a_nurse_holds_aggir_but_not_after_a_dossier_deny(og_a, serveur_fhir):
    from guardian.shortcuts import assign_perm

    usager, _ = dossier_complet(og_a)
    lecteur = og_a["medecin_coordonnateur"]
    ident = "urn:uuid:00000000-0000-4000-8000-000000000003"
    assert "gir" in _questionnaires(construire_bundle(usager, og_a.ehpad, identifiant=ident, lecteur=lecteur))
    with tenant_context(og_a.organisme.pk):
        assign_perm("usagers.refuser_soins", lecteur, usager)
        assign_perm("usagers.refuser_social", lecteur, usager)
    from habilitations import policy

    policy.oublier(lecteur)
    bundle = construire_bundle(usager, og_a.ehpad, identifiant=ident, lecteur=lecteur)
    assert _questionnaires(bundle) == [] and "CarePlan" not in _types(bundle)
    assert "Patient" in _types(bundle)


FR_CORE = Path(__file__).resolve().parents[3] / "shared" / "refs" / "fr-core"


def test_the_ins_type_follows_the_oid_as_fr_core_slices_it(og_a):
    """FR Core's PatientINS profile: one identifier slice per assigning authority, each with its type code. The
    table of the export is read against the profile's text, then each OID gives its type in the bundle."""
    profil = FR_CORE / "input" / "fsh" / "profiles" / "FRCorePatientINSProfile.fsh"
    if not profil.exists():
        if os.environ.get("DUI_REQUIRE_SHARED"):
            pytest.fail("FR Core absent de ../shared/refs (DUI_REQUIRE_SHARED=1).")
        pytest.skip("FR Core absent (../shared/refs)")
    texte = profil.read_text()
    tranches = dict(re.findall(r'identifier\[([A-Z-]+)\]\.system = "urn:oid:([0-9.]+)"', texte))
    assert {oid: code for code, oid in tranches.items()} == codes.TYPE_IDENTIFIANT_INS
    for code in tranches:
        assert f"identifier[{code}].type = $fr-core-v2-0203#{code}" in texte
    usager = personne(og_a)
    for n, (oid, code) in enumerate(sorted(codes.TYPE_IDENTIFIANT_INS.items())):
        with tenant_context(og_a.organisme.pk):
            type(usager).objects.filter(pk=usager.pk).update(oid_ins=oid)
            usager.refresh_from_db()
        bundle = construire_bundle(
            usager, og_a.ehpad, identifiant=f"urn:uuid:00000000-0000-4000-8000-00000000010{n}",
            lecteur=og_a["medecin_coordonnateur"],
        )  # fmt: skip
        Bundle.model_validate(bundle)
        patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
        (ins,) = [i for i in patient["identifier"] if i["system"] == f"urn:oid:{oid}"]
        usage = re.search(rf"identifier\[{code}\]\.use = #(\w+)", texte)
        assert ins["use"] == (usage.group(1) if usage else "official")  # the NIA is « temp »
        assert ins["type"]["coding"] == [{"system": codes.SYSTEME_TYPE_IDENTIFIANT, "code": code}]


def test_events_only_for_a_reader_of_the_agenda(og_a):
    """The events follow the agenda's habilitation (coordination): a reader without it exports none."""
    usager, _ = dossier_complet(og_a)

    def evenements(lecteur):
        bundle = construire_bundle(
            usager, og_a.ehpad, identifiant="urn:uuid:00000000-0000-4000-8000-000000000041", lecteur=lecteur
        )
        return [
            e
            for e in bundle["entry"]
            if e["resource"]["meta"]["profile"][0].endswith("tddui-encounter-evenement")
        ]

    assert len(evenements(og_a["medecin_coordonnateur"])) == 2
    assert evenements(og_a["pharmacien"]) == []  # no coordination right
