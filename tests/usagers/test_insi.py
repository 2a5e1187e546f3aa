"""INSi: the client against the local test server (same SOAP exchange), the worker task with retries,
and the screens. No mock of our own code: a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime

import pytest

from dui.tenancy import tenant_context
from tests.usagers.conftest import creer_usager
from usagers.insi.client import HttpTransport, InsiClient, InsiIndisponible
from usagers.insi.protocole import Traits
from usagers.insi.serveur_test import ServeurInsiTest
from usagers.models import AppelInsi, TransitionIdentite, Usager


@pytest.fixture
def serveur_insi(settings):
    serveur = ServeurInsiTest().demarrer()
    settings.DUI_INSI_URL = serveur.url
    settings.DUI_INSI_MAX_TENTATIVES = 3
    yield serveur
    serveur.arreter()


def _client(serveur):
    return InsiClient(HttpTransport(serveur.url, timeout=5))


def test_client_00_01_02_against_the_local_server(serveur_insi):
    client = _client(serveur_insi)
    r = client.rechercher(Traits("Lefèvre", ("Hélène",), "F", datetime.date(1938, 4, 12)))
    assert r.code == "00" and r.matricule == "238042751234501" and r.oid == "1.2.250.1.213.1.4.10"
    assert r.traits.prenoms == ("HELENE", "MARIE") and r.traits.lieu_naissance == "75056"
    assert client.rechercher(Traits("Inconnu", ("Paul",), "M", datetime.date(1950, 1, 1))).code == "01"
    assert client.rechercher(Traits("Moreau", ("Jean",), "M", datetime.date(1941, 11, 3))).code == "02"


def test_client_reports_an_unavailable_service(serveur_insi):
    serveur_insi.pannes = 1
    with pytest.raises(InsiIndisponible, match="503"):
        _client(serveur_insi).rechercher(Traits("Lefèvre", ("Hélène",), "F", datetime.date(1938, 4, 12)))
    with pytest.raises(InsiIndisponible, match="injoignable"):
        InsiClient(HttpTransport("http://127.0.0.1:9/insi", timeout=1)).rechercher(
            Traits("X", ("Y",), "F", datetime.date(1950, 1, 1))
        )


pytestmark = pytest.mark.django_db


def _lancer(client, usager, capture):
    with capture(execute=True):
        r = client.post(f"/usagers/{usager.public_id}/identite/insi/")
    assert r.status_code == 302
    return r["Location"]


def test_00_replaces_traits_and_recovers_the_ins(
    og_a, usager_a, serveur_insi, client_de, django_capture_on_commit_callbacks
):
    client = client_de(og_a["agent_administratif"])
    page = client.get(_lancer(client, usager_a, django_capture_on_commit_callbacks)).content.decode()
    assert "Identité trouvée (code 00)" in page and "provisoire → <strong>récupérée</strong>" in page
    with tenant_context(og_a.organisme.pk):
        usager = Usager.objects.get(pk=usager_a.pk)
        assert (usager.statut_identite, usager.matricule_ins, usager.nom_naissance) == (
            "RECUP",
            "238047512346075",
            "LEFEVRE-DUPONT",
        )
        assert usager.prenoms_naissance == ["HELENE", "MARIE"]
        assert TransitionIdentite.objects.filter(usager=usager, moyen="insi", vers="RECUP").exists()
        assert usager.history.first().history_user == og_a["agent_administratif"]  # actor carried by the task


def test_01_and_02_change_nothing_and_say_why(
    og_a, serveur_insi, client_de, django_capture_on_commit_callbacks
):
    client = client_de(og_a["agent_administratif"])
    inconnu = creer_usager(og_a, nom_naissance="Personne", premier_prenom="Nemo", prenoms_naissance=["Nemo"])
    moreau = creer_usager(
        og_a,
        nom_naissance="Moreau",
        premier_prenom="Jean",
        prenoms_naissance=["Jean"],
        sexe="M",
        date_naissance=datetime.date(1941, 11, 3),
        lieu_naissance_insee="69123",
    )
    page = client.get(_lancer(client, inconnu, django_capture_on_commit_callbacks)).content.decode()
    assert "Aucune identité trouvée (code 01)" in page and "Vérifiez les traits" in page
    page = client.get(_lancer(client, moreau, django_capture_on_commit_callbacks)).content.decode()
    assert "Plusieurs identités correspondent (code 02)" in page
    with tenant_context(og_a.organisme.pk):
        assert set(
            Usager.objects.filter(pk__in=[inconnu.pk, moreau.pk]).values_list("statut_identite", flat=True)
        ) == {"PROV"}


def test_server_errors_are_retried_then_answered(
    og_a, usager_a, serveur_insi, client_de, django_capture_on_commit_callbacks
):
    serveur_insi.pannes = 2
    client = client_de(og_a["agent_administratif"])
    page = client.get(_lancer(client, usager_a, django_capture_on_commit_callbacks)).content.decode()
    assert "code 00" in page
    with tenant_context(og_a.organisme.pk):
        appel = AppelInsi.objects.get()
        assert appel.tentatives == 3 and appel.statut == "termine" and appel.erreur == ""
    assert len(serveur_insi.requetes) == 1  # the two 503 never reached the search


def test_service_down_ends_in_a_visible_failure_nothing_lost_and_can_be_relaunched(
    og_a, usager_a, serveur_insi, client_de, django_capture_on_commit_callbacks
):
    serveur_insi.pannes = 10
    client = client_de(og_a["agent_administratif"])
    url = _lancer(client, usager_a, django_capture_on_commit_callbacks)
    page = client.get(url).content.decode()
    assert "n'a pas répondu" in page and "Rien n'a été modifié" in page
    with tenant_context(og_a.organisme.pk):
        appel = AppelInsi.objects.get()
        assert appel.statut == "echec" and appel.tentatives == 3 and "503" in appel.erreur
        assert Usager.objects.get(pk=usager_a.pk).statut_identite == "PROV"
    serveur_insi.pannes = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert "code 00" in client.get(url).content.decode()


def test_insi_pages_and_rights(
    og_a, og_b, usager_a, serveur_insi, client_de, django_capture_on_commit_callbacks
):
    assert (
        client_de(og_a["educateur"]).post(f"/usagers/{usager_a.public_id}/identite/insi/").status_code == 404
    )
    client = client_de(og_a["agent_administratif"])
    url = _lancer(client, usager_a, django_capture_on_commit_callbacks)
    assert client_de(og_b["agent_administratif"]).get(url).status_code == 404
    assert client_de(og_a["educateur"]).get(url).status_code == 200  # may read the result
    assert client_de(og_a["educateur"]).post(url).status_code == 404  # not relaunch
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith("<section") and "code 00" in fragment


def test_pending_page_polls_with_htmx(og_a, usager_a, client_de):
    with tenant_context(og_a.organisme.pk):
        appel = AppelInsi.objects.create(organisme=og_a.organisme, usager=usager_a, demandeur=og_a.admin)
    page = (
        client_de(og_a["agent_administratif"])
        .get(f"/usagers/{usager_a.public_id}/identite/insi/{appel.public_id}/")
        .content.decode()
    )
    assert 'hx-trigger="every 2s"' in page and "en cours" in page


def test_unconfigured_insi_fails_visibly(
    og_a, usager_a, client_de, settings, django_capture_on_commit_callbacks
):
    settings.DUI_INSI_URL = ""
    settings.DUI_INSI_MAX_TENTATIVES = 1
    client = client_de(og_a["agent_administratif"])
    page = client.get(_lancer(client, usager_a, django_capture_on_commit_callbacks)).content.decode()
    assert "pas configuré" in page and "Rien n" in page


def test_task_is_tenant_bound_and_checks_the_actors_rights(og_a, og_b, usager_a, serveur_insi):
    from django.core.exceptions import PermissionDenied

    from usagers.tasks import interroger_insi

    with tenant_context(og_a.organisme.pk):
        appel = AppelInsi.objects.create(organisme=og_a.organisme, usager=usager_a, demandeur=og_a.admin)
    # Under B's tenant, A's call does not exist.
    with pytest.raises(AppelInsi.DoesNotExist):
        interroger_insi.apply(
            args=[str(appel.public_id)],
            throw=True,
            kwargs={"organisme_id": og_b.organisme.pk, "acteur_id": og_b["agent_administratif"].pk},
        )
    # An actor without the right to modify the identity cannot have it changed by a worker either.
    with pytest.raises(PermissionDenied):
        interroger_insi.apply(
            args=[str(appel.public_id)],
            throw=True,
            kwargs={"organisme_id": og_a.organisme.pk, "acteur_id": og_a["educateur"].pk},
        )
    with tenant_context(og_a.organisme.pk):
        assert Usager.objects.get(pk=usager_a.pk).statut_identite == "PROV"
        assert AppelInsi.objects.get(pk=appel.pk).statut == "en_attente"
