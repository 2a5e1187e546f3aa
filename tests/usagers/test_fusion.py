"""Merging two dossiers of the same person keeps everything and the history."""

from __future__ import annotations

import datetime

import pytest

from dui.tenancy import tenant_context
from tests.usagers.conftest import creer_usager
from usagers.models import Proche, Sejour, TransitionIdentite, Usager

pytestmark = pytest.mark.django_db


@pytest.fixture
def doublon_a(og_a):
    return creer_usager(
        og_a,
        og_a.ehpad,
        nom_naissance="LEFEVRE DUPONT",
        premier_prenom="Helene",
        prenoms_naissance=["Helene"],
        date_naissance=datetime.date(1938, 4, 12),
    )


def _proche(tenant, usager, nom, **roles):
    with tenant_context(tenant.organisme.pk):
        return Proche.objects.create(
            organisme=tenant.organisme, usager=usager, nom=nom, lien="enfant", telephone="0600000000", **roles
        )


def test_merge_moves_everything_and_keeps_history(og_a, usager_a, doublon_a, client_de):
    _proche(og_a, usager_a, "Confiance1", personne_confiance=True, a_prevenir=True, ordre_appel=1)
    _proche(og_a, doublon_a, "Confiance2", personne_confiance=True, a_prevenir=True, ordre_appel=1)
    client = client_de(og_a["agent_administratif"])
    page = client.get(f"/usagers/{usager_a.public_id}/").content.decode()
    assert 'data-testid="doublons"' in page and "LEFEVRE DUPONT" in page
    url = f"/usagers/{usager_a.public_id}/identite/fusion/"
    r = client.post(url, {"doublon": str(doublon_a.public_id)}, follow=True)
    assert "confirmez" in r.content.decode()
    r = client.post(url, {"doublon": str(doublon_a.public_id), "confirmation": "oui"}, follow=True)
    assert "a été fusionné" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        doublon = Usager.objects.get(pk=doublon_a.pk)
        assert doublon.fusionne_dans_id == usager_a.pk
        assert Sejour.objects.filter(usager=usager_a).count() == 2
        proches = {p.nom: p for p in Proche.objects.filter(usager=usager_a)}
        assert proches["Confiance1"].personne_confiance and not proches["Confiance2"].personne_confiance
        assert (proches["Confiance1"].ordre_appel, proches["Confiance2"].ordre_appel) == (1, 2)
        fusion = TransitionIdentite.objects.get(usager=usager_a, moyen="fusion")
        assert str(doublon_a.public_id) in fusion.commentaire
        assert doublon.history.count() >= 2  # the duplicate's own history is kept
    # The duplicate no longer opens nor shows in search.
    assert client.get(f"/usagers/{doublon_a.public_id}/").status_code == 404
    assert client.post("/usagers/", {"q": "lefevre"}).content.decode().count('data-testid="resultat"') == 1


def test_merge_needs_rights_on_both_and_stays_in_the_tenant(og_a, og_b, usager_a, usager_b, client_de):
    url = f"/usagers/{usager_a.public_id}/identite/fusion/"
    # B's look-alike cannot be merged from A.
    client = client_de(og_a["agent_administratif"])
    r = client.post(url, {"doublon": str(usager_b.public_id), "confirmation": "oui"}, follow=True)
    assert "Choisissez le dossier doublon" in r.content.decode()
    with tenant_context(og_b.organisme.pk):
        assert Usager.objects.get(pk=usager_b.pk).fusionne_dans_id is None
    # A duplicate in an ESMS where the agent has no habilitation is neither proposed nor mergeable.
    ailleurs = creer_usager(
        og_a,
        og_a.mas,
        nom_naissance="Lefevre-Dupont",
        premier_prenom="Helene",
        prenoms_naissance=["Helene"],
        date_naissance=datetime.date(1938, 4, 12),
    )
    assert str(ailleurs.public_id) not in client.get(f"/usagers/{usager_a.public_id}/").content.decode()
    client.post(url, {"doublon": str(ailleurs.public_id), "confirmation": "oui"})
    with tenant_context(og_a.organisme.pk):
        assert Usager.objects.get(pk=ailleurs.pk).fusionne_dans_id is None
    # An educator cannot merge.
    assert client_de(og_a["educateur"]).post(url, {"doublon": "x", "confirmation": "oui"}).status_code == 404
