"""The permission matrix, object-level exceptions and break-the-glass."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from dui.models import Etablissement, JournalAcces, TypeAcces
from dui.tenancy import tenant_context
from habilitations import policy
from habilitations.models import BrisDeGlace
from habilitations.roles import MATRICE, Categorie, Role, actions_du_role, roles_ayant
from tests.factories import HabilitationFactory

pytestmark = pytest.mark.django_db

EQUIPE_DE_SOINS_MEDICALE = {Role.MEDECIN, Role.MEDECIN_COORDONNATEUR, Role.INFIRMIER, Role.PHARMACIEN}


def test_medical_category_is_reserved_to_the_care_team():
    assert set(roles_ayant("medical.voir")) == EQUIPE_DE_SOINS_MEDICALE
    for role in (
        Role.EDUCATEUR,
        Role.AGENT_ADMINISTRATIF,
        Role.DIRECTEUR,
        Role.PSYCHOLOGUE,
        Role.TRAVAILLEUR_SOCIAL,
        Role.AIDE_SOIGNANT,
        Role.CHEF_SERVICE,
    ):
        assert "medical.voir" not in actions_du_role(role)


def test_modifier_implies_voir_and_every_role_is_declared():
    assert set(MATRICE) == set(Role)
    for role in Role:
        actions = actions_du_role(role)
        for action in actions:
            categorie, niveau = action.split(".")
            assert categorie in Categorie.values
            if niveau == "modifier":
                assert f"{categorie}.voir" in actions


# docs/decisions/0008-matrice-des-droits.md, copied literally (not recomputed from roles.MATRICE): columns
# administratif, social, soins, médical, médicaments, documents, coordination, pilotage, administration.
MATRICE_ECRITE = {
    "directeur": "M V V - - M M M V",
    "chef_service": "V M V - - M M V -",
    "medecin_coordonnateur": "V V M M M M M V -",
    "medecin": "V V M M M M M - -",
    "infirmier": "V V M V M M M - -",
    "aide_soignant": "V - M - V V M - -",
    "pharmacien": "- - V V M - - - -",
    "psychologue": "V M V - - M M - -",
    "educateur": "V M - - - M M - -",
    "travailleur_social": "M M - - - M M - -",
    "agent_administratif": "M - - - - M M - -",
}
COLONNES = [
    "administratif",
    "social",
    "soins",
    "medical",
    "medicaments",
    "documents",
    "coordination",
    "pilotage",
    "administration",
]


def _ecrit(role: str, action: str) -> bool:
    categorie, niveau = action.split(".")
    case = dict(zip(COLONNES, MATRICE_ECRITE[role].split(), strict=True))[categorie]
    return case == "M" or (case == "V" and niveau == "voir")


@pytest.mark.parametrize("role", list(Role))
def test_can_and_scope_agree_with_the_matrix(og_a, role):
    user = og_a[role.value]
    assert set(MATRICE_ECRITE) == {r.value for r in Role}
    with tenant_context(og_a.organisme.pk):
        for categorie in Categorie:
            for niveau in ("voir", "modifier"):
                action = f"{categorie.value}.{niveau}"
                attendu = _ecrit(role.value, action)
                assert policy.can(user, action, og_a.ehpad) is attendu, action
                assert (
                    policy.scope(user, action, Etablissement.objects.all()).filter(pk=og_a.ehpad.pk).exists()
                    is attendu
                ), action
                # No habilitation in the MAS: nothing there.
                assert policy.can(user, action, og_a.mas) is False
                assert (
                    not policy.scope(user, action, Etablissement.objects.all())
                    .filter(pk=og_a.mas.pk)
                    .exists()
                )


def test_other_tenant_is_never_allowed(og_a, og_b):
    medecin_b = og_b["medecin"]
    assert policy.can(medecin_b, "medical.voir", og_a.ehpad) is False
    with tenant_context(og_b.organisme.pk):
        assert (
            not policy.scope(medecin_b, "medical.voir", Etablissement.objects.all())
            .filter(organisme=og_a.organisme)
            .exists()
        )


def test_expired_or_future_habilitation_gives_nothing(og_a):
    today = timezone.localdate()
    with tenant_context(og_a.organisme.pk):
        edu = og_a["educateur"]
        HabilitationFactory(
            professionnel=edu,
            etablissement=og_a.mas,
            role=Role.EDUCATEUR,
            debut=today - datetime.timedelta(days=60),
            fin=today - datetime.timedelta(days=1),
        )
        HabilitationFactory(
            professionnel=edu,
            etablissement=og_a.mas,
            role=Role.MEDECIN,
            debut=today + datetime.timedelta(days=1),
        )
        assert policy.can(edu, "social.voir", og_a.mas) is False
        assert policy.can(edu, "medical.voir", og_a.mas) is False
        HabilitationFactory(
            professionnel=edu, etablissement=og_a.mas, role=Role.EDUCATEUR, debut=today, fin=today
        )
        policy.oublier(edu)
        assert policy.can(edu, "social.voir", og_a.mas) is True


def test_deny_exception_wins_over_the_role(og_a):
    medecin = og_a["medecin"]
    with tenant_context(og_a.organisme.pk):
        assert policy.can(medecin, "medical.voir", og_a.ehpad)
        assign_perm("refuser_medical", medecin, og_a.ehpad)
        policy.oublier(medecin)
        assert policy.can(medecin, "medical.voir", og_a.ehpad) is False
        assert policy.can(medecin, "medical.modifier", og_a.ehpad) is False
        assert policy.can(medecin, "soins.voir", og_a.ehpad) is True
        assert not policy.scope(medecin, "medical.voir", Etablissement.objects.all()).exists()
        # The DENY on the ESMS also covers what is inside it (a unit).
        from dui.models import Unite

        assert policy.can(medecin, "medical.voir", og_a.unite) is False
        assert not policy.scope(medecin, "medical.voir", Unite.objects.all()).exists()


def test_deny_wins_over_grant_and_break_the_glass(og_a, rf):
    edu = og_a["educateur"]
    with tenant_context(og_a.organisme.pk):
        assign_perm("accorder_medical", edu, og_a.ehpad)
        policy.oublier(edu)
        assert policy.can(edu, "medical.voir", og_a.ehpad) is True
        assign_perm("refuser_medical", edu, og_a.ehpad)
        policy.oublier(edu)
        assert policy.can(edu, "medical.voir", og_a.ehpad) is False
        assert not policy.scope(edu, "medical.voir", Etablissement.objects.all()).exists()


def test_grant_exception_opens_a_category_without_habilitation(og_a):
    edu = og_a["educateur"]
    with tenant_context(og_a.organisme.pk):
        assert policy.can(edu, "social.voir", og_a.mas) is False
        assign_perm("accorder_social", edu, og_a.mas)
        policy.oublier(edu)
        assert policy.can(edu, "social.voir", og_a.mas) is True
        assert policy.can(edu, "medical.voir", og_a.mas) is False
        assert list(policy.scope(edu, "social.voir", Etablissement.objects.filter(pk=og_a.mas.pk))) == [
            og_a.mas
        ]


def _request(rf, user):
    request = rf.post("/")
    request.user = user
    return request


def test_break_the_glass_grants_consultation_expires_and_is_journaled(og_a, rf):
    from django.core.exceptions import ValidationError

    from habilitations.services import do_ouvrir_bris_de_glace

    infirmier = og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        assert policy.can(infirmier, "medical.voir", og_a.mas) is False
        with pytest.raises(ValidationError):
            do_ouvrir_bris_de_glace(_request(rf, infirmier), og_a.mas, "trop court")
        bdg = do_ouvrir_bris_de_glace(
            _request(rf, infirmier), og_a.mas, "Chute nocturne d'un résident, infirmière d'astreinte seule"
        )
        assert policy.can(infirmier, "medical.voir", og_a.mas) is True
        assert policy.can(infirmier, "medical.modifier", og_a.mas) is False
        assert policy.can(infirmier, "administration.voir", og_a.mas) is False
        assert (
            policy.scope(infirmier, "medical.voir", Etablissement.objects.all())
            .filter(pk=og_a.mas.pk)
            .exists()
        )
        journal = JournalAcces.objects.get(type_acces=TypeAcces.BRIS_DE_GLACE)
        assert journal.professionnel == infirmier and journal.objet_id == og_a.mas.public_id
        # Expiry: the access closes by itself.
        BrisDeGlace.objects.filter(pk=bdg.pk).update(
            debut=timezone.now() - datetime.timedelta(hours=5),
            expire_le=timezone.now() - datetime.timedelta(minutes=1),
        )
        policy.oublier(infirmier)  # a later request: decisions are cached per request only
        assert policy.can(infirmier, "medical.voir", og_a.mas) is False
        assert (
            not policy.scope(infirmier, "medical.voir", Etablissement.objects.all())
            .filter(pk=og_a.mas.pk)
            .exists()
        )


def test_break_the_glass_motif_is_also_enforced_by_the_database(og_a):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), tenant_context(og_a.organisme.pk):
        BrisDeGlace.objects.create(
            organisme=og_a.organisme,
            professionnel=og_a["infirmier"],
            etablissement=og_a.mas,
            objet_type="dui.etablissement",
            objet_id=og_a.mas.public_id,
            objet_libelle="MAS",
            motif="urgence",
            expire_le=timezone.now() + datetime.timedelta(hours=1),
        )


def test_og_admin_has_administration_everywhere_but_no_care_data(og_a):
    with tenant_context(og_a.organisme.pk):
        assert policy.can(og_a.admin, "administration.modifier", og_a.mas)
        assert not policy.can(og_a.admin, "medical.voir", og_a.mas)
        assert not policy.can(og_a.admin, "soins.voir", og_a.ehpad)


def test_unknown_action_is_a_programming_error(og_a):
    with pytest.raises(ValueError):
        policy.can(og_a["medecin"], "medical.supprimer", og_a.ehpad)
