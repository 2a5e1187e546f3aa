"""RNIV transitions, the QUAL-only matricule rule, identitovigilance."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dui.tenancy import tenant_context
from usagers import identite, services
from usagers.models import StatutIdentite, TransitionIdentite, TypeDocument, Usager
from usagers.selectors import doublons_probables

pytestmark = pytest.mark.django_db

P, R, V, Q = "PROV", "RECUP", "VALI", "QUAL"
INS = "295109912611193"
OID = "1.2.250.1.213.1.4.10"


def test_transition_tables_are_exactly_the_rniv_matrix():
    assert {s: identite.statut_apres_insi(s) for s in (P, R, V, Q)} == {P: R, R: R, V: Q, Q: Q}
    for doc in TypeDocument.values:
        assert {s: identite.statut_apres_document(s, doc) for s in (P, R, V, Q)} == {P: V, R: Q, V: V, Q: Q}
    for statut in (P, R, V, Q):
        assert identite.statut_apres_modification_trait(statut) == P
    for refuse in ("permis_conduire", "carte_vitale", ""):
        with pytest.raises(identite.TransitionRefusee):
            identite.statut_apres_document(P, refuse)


def _statut(tenant, usager):
    with tenant_context(tenant.organisme.pk):
        return Usager.objects.get(pk=usager.pk).statut_identite


def _traits(usager):
    return {
        "nom_naissance": usager.nom_naissance,
        "prenoms_naissance": usager.prenoms_naissance,
        "premier_prenom": usager.premier_prenom,
        "date_naissance": usager.date_naissance,
        "sexe": usager.sexe,
        "lieu_naissance_insee": usager.lieu_naissance_insee,
    }


def test_document_then_insi_qualifies_and_every_step_is_traced(og_a, usager_a):
    agent = og_a["agent_administratif"]
    with tenant_context(og_a.organisme.pk):
        assert services.do_verifier_document(agent, usager_a, TypeDocument.CNI) == V
        assert (
            services.do_enregistrer_ins(agent, usager_a, matricule=INS, oid=OID, traits=_traits(usager_a))
            == Q
        )
        transitions = list(
            TransitionIdentite.objects.filter(usager=usager_a)
            .order_by("horodatage", "id")
            .values_list("de", "vers", "moyen", "type_document", "auteur_id")
        )
    assert transitions == [(P, V, "document", "cni", agent.pk), (V, Q, "insi", "", agent.pk)]


def test_insi_then_document_qualifies(og_a, usager_a):
    agent = og_a["agent_administratif"]
    with tenant_context(og_a.organisme.pk):
        assert (
            services.do_enregistrer_ins(agent, usager_a, matricule=INS, oid=OID, traits=_traits(usager_a))
            == R
        )
        assert services.do_verifier_document(agent, usager_a, TypeDocument.PASSEPORT) == Q


def test_insi_traits_that_differ_replace_local_ones_and_do_not_qualify(og_a, usager_a):
    agent = og_a["agent_administratif"]
    with tenant_context(og_a.organisme.pk):
        services.do_verifier_document(agent, usager_a, TypeDocument.CNI)
        traits = {**_traits(usager_a), "prenoms_naissance": ["Hélène", "Marie", "Louise"]}
        assert services.do_enregistrer_ins(agent, usager_a, matricule=INS, oid=OID, traits=traits) == R
        assert Usager.objects.get(pk=usager_a.pk).prenoms_naissance == ["Hélène", "Marie", "Louise"]


def test_changing_a_strict_trait_drops_back_to_provisional_and_drops_the_ins(og_a, usager_a):
    agent = og_a["agent_administratif"]
    with tenant_context(og_a.organisme.pk):
        services.do_verifier_document(agent, usager_a, TypeDocument.CNI)
        services.do_enregistrer_ins(agent, usager_a, matricule=INS, oid=OID, traits=_traits(usager_a))
        assert services.do_modifier_traits(agent, usager_a, lieu_naissance_insee="69123") == P
        usager = Usager.objects.get(pk=usager_a.pk)
        assert usager.matricule_ins == "" and identite.matricule_partageable(usager) is None
        # Same value again: nothing changes, no transition.
        avant = TransitionIdentite.objects.count()
        assert services.do_modifier_traits(agent, usager, lieu_naissance_insee="69123") == P
        assert TransitionIdentite.objects.count() == avant


def test_refused_transitions(og_a, usager_a):
    agent = og_a["agent_administratif"]
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError, match="haut niveau de confiance"):
            services.do_verifier_document(agent, usager_a, "permis_conduire")
        assert _statut(og_a, usager_a) == P
        # A recovered identity needs a matricule: the database refuses RECUP without one.
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            Usager.objects.filter(pk=usager_a.pk).update(statut_identite=R)
    # An educator may read but not change the identity.
    with tenant_context(og_a.organisme.pk), pytest.raises(PermissionDenied):
        services.do_verifier_document(og_a["educateur"], usager_a, TypeDocument.CNI)


def test_matricule_only_leaves_when_qualified(og_a, usager_a, client_de):
    agent = og_a["agent_administratif"]
    url = f"/usagers/{usager_a.public_id}/"
    with tenant_context(og_a.organisme.pk):
        services.do_enregistrer_ins(agent, usager_a, matricule=INS, oid=OID, traits=_traits(usager_a))
        usager = Usager.objects.get(pk=usager_a.pk)
        assert usager.statut_identite == R and identite.matricule_partageable(usager) is None
    client = client_de(agent)
    assert INS not in client.get(url).content.decode()
    with tenant_context(og_a.organisme.pk):
        services.do_verifier_document(agent, usager, TypeDocument.CNI)
        assert identite.matricule_partageable(Usager.objects.get(pk=usager_a.pk)) == INS
    assert f"INS qualifié {INS}" in client.get(url).content.decode()


def test_duplicates_ignore_accents_case_and_hyphens_within_the_organisme(og_a, usager_a, usager_b):
    candidat = Usager(
        nom_naissance="LEFEVRE DUPONT",
        premier_prenom="helene",
        prenoms_naissance=["helene"],
        date_naissance=datetime.date(1938, 4, 12),
        sexe="F",
        lieu_naissance_insee="75056",
    )
    with tenant_context(og_a.organisme.pk):
        assert list(doublons_probables(og_a.organisme.pk, candidat)) == [usager_a]  # not B's look-alike
        candidat.date_naissance = datetime.date(1938, 4, 13)
        assert not doublons_probables(og_a.organisme.pk, candidat).exists()


def test_future_birth_date_and_bad_insee_code_are_refused(og_a):
    usager = Usager(
        organisme=og_a.organisme,
        nom_naissance="Martin",
        premier_prenom="Paul",
        prenoms_naissance=["Paul"],
        date_naissance=datetime.date(2999, 1, 1),
        sexe="M",
        lieu_naissance_insee="7505",
    )
    with pytest.raises(ValidationError) as exc:
        usager.full_clean()
    assert "date_naissance" in exc.value.message_dict and "lieu_naissance_insee" in exc.value.message_dict
    assert StatutIdentite.PROVISOIRE == usager.statut_identite


def test_correcting_the_identity_from_the_form(og_a, usager_a, client_de):
    agent = og_a["agent_administratif"]
    with tenant_context(og_a.organisme.pk):
        services.do_verifier_document(agent, usager_a, TypeDocument.CNI)
    url = f"/usagers/{usager_a.public_id}/identite/corriger/"
    client = client_de(agent)
    base = {
        "nom_naissance": "Lefèvre-Dupont",
        "prenoms_naissance": "Hélène Marie",
        "premier_prenom": "Hélène",
        "date_naissance": "1938-04-12",
        "sexe": "F",
        "lieu_naissance_insee": "75056",
        "prenom_utilise": "",
    }
    # A usage name only: status kept.
    assert client.post(url, {**base, "nom_usage": "Martin"}).status_code == 302
    assert _statut(og_a, usager_a) == V
    # A strict trait: back to provisional, with a warning.
    r = client.post(url, {**base, "nom_usage": "Martin", "date_naissance": "1938-04-21"}, follow=True)
    assert "redevient provisoire" in r.content.decode()
    assert _statut(og_a, usager_a) == P
    # Bad input keeps what was typed.
    r = client.post(url, {**base, "lieu_naissance_insee": "123"})
    assert (
        "code officiel géographique" in r.content.decode() and 'value="Lefèvre-Dupont"' in r.content.decode()
    )
    assert client_de(og_a["educateur"]).get(url).status_code == 404
