"""Defect 3 of issue 15: the duplicate check listed every person of the organisme born on a date to
anyone who typed "-" as the name, including persons of ESMS outside their habilitations, unjournaled."""

from __future__ import annotations

import datetime

import pytest

from dui.models import JournalAcces, TypeAcces
from dui.tenancy import tenant_context
from tests.usagers.conftest import creer_usager
from tests.usagers.test_views import NOUVEAU
from usagers.models import Usager

pytestmark = pytest.mark.django_db
NE_LE = datetime.date(2015, 3, 4)


@pytest.fixture
def enfants(og_a, og_b):
    """A child in A's MAS (outside the EHPAD staff's habilitations) and one in B, born the same day."""
    mas = creer_usager(
        og_a,
        og_a.mas,
        nom_naissance="Martin",
        premier_prenom="Léa",
        prenoms_naissance=["Léa"],
        date_naissance=NE_LE,
    )
    ehpad = creer_usager(
        og_a,
        og_a.ehpad,
        nom_naissance="Bernard",
        premier_prenom="Jules",
        prenoms_naissance=["Jules"],
        date_naissance=NE_LE,
    )
    autre = creer_usager(
        og_b,
        og_b.ehpad,
        nom_naissance="Martin",
        premier_prenom="Léa",
        prenoms_naissance=["Léa"],
        date_naissance=NE_LE,
    )
    return mas, ehpad, autre


def _creer(client, tenant, **traits):
    data = {
        **NOUVEAU,
        "etablissement": str(tenant.ehpad.public_id),
        "date_naissance": NE_LE.isoformat(),
        **traits,
    }
    return client.post("/usagers/nouveau/", data).content.decode()


def _journal(tenant, usager):
    with tenant_context(tenant.organisme.pk):
        return JournalAcces.objects.filter(
            type_acces=TypeAcces.CONTROLE_DOUBLON, objet_id=usager.public_id
        ).count()


@pytest.mark.parametrize("role", ["agent_administratif", "directeur", "travailleur_social"])
def test_a_dash_for_a_name_lists_nobody(og_a, enfants, client_de, role):
    body = _creer(client_de(og_a[role]), og_a, nom_naissance="-", prenoms_naissance="-")
    assert "MARTIN" not in body and "BERNARD" not in body and 'data-testid="doublons"' not in body
    assert "au moins une lettre" in body
    with tenant_context(og_a.organisme.pk):
        assert Usager.objects.count() == 2  # nothing created


def test_a_hit_outside_the_habilitations_says_only_that_it_exists_and_is_journaled(
    og_a, og_b, enfants, client_de
):
    mas, ehpad, autre = enfants
    body = _creer(
        client_de(og_a["agent_administratif"]), og_a, nom_naissance="MARTIN", prenoms_naissance="Lea"
    )
    assert 'data-testid="doublons-masques"' in body and "Un dossier ressemblant existe" in body
    assert "MARTIN" not in body.split('data-testid="doublons"')[1].split("</div>")[0]
    assert _journal(og_a, mas) == 1 and _journal(og_b, autre) == 0
    # a hit the user may see is shown by name, and journaled too
    body = _creer(
        client_de(og_a["agent_administratif"]), og_a, nom_naissance="Bernard", prenoms_naissance="Jules"
    )
    assert "BERNARD Jules" in body and 'data-testid="doublons-masques"' not in body
    assert _journal(og_a, ehpad) == 1


def test_a_partial_name_is_not_a_match(og_a, enfants, client_de):
    body = _creer(client_de(og_a["agent_administratif"]), og_a, nom_naissance="Mar", prenoms_naissance="L")
    assert 'data-testid="doublons' not in body


def test_the_duplicate_check_is_rate_limited(og_a, enfants, client_de, settings):
    settings.DUI_DOUBLONS_PAR_HEURE = 2
    client = client_de(og_a["agent_administratif"])
    for _ in range(2):
        assert "Un dossier ressemblant existe" in _creer(
            client, og_a, nom_naissance="Martin", prenoms_naissance="Léa"
        )
    body = _creer(client, og_a, nom_naissance="Martin", prenoms_naissance="Léa")
    assert "Trop de contrôles de doublons" in body and "Un dossier ressemblant" not in body
    # another professional is not concerned
    assert "Un dossier ressemblant existe" in _creer(
        client_de(og_a["directeur"]), og_a, nom_naissance="Martin", prenoms_naissance="Léa"
    )
