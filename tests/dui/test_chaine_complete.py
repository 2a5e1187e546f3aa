"""Requests through the whole chain as in production: each request commits its own transaction (no test
transaction around them carries the tenant setting from one request to the next), and the professionals
of A and B take turns on the same database connection. Each app's main pages answer A and refuse B; a
write by A is committed, seen by A's next request and never by B's."""

from __future__ import annotations

import pytest

from tests.conftest import Tenant
from tests.usagers.conftest import creer_usager
from tests.usagers.test_administratif import PROCHE

pytestmark = pytest.mark.django_db(transaction=True)


def _pages(t: Tenant, usager) -> list[tuple[str, str]]:
    """(role, URL) of each app's main page for this person or this organisme."""
    u = usager.public_id
    return [
        ("infirmier", "/"),
        ("agent_administratif", f"/usagers/{u}/"),
        ("agent_administratif", f"/usagers/{u}/entourage/"),
        ("agent_administratif", "/admission/"),
        ("educateur", f"/accompagnement/dossier/{u}/projet/"),
        ("infirmier", f"/accompagnement/dossier/{u}/evaluations/"),
        ("infirmier", f"/soins/dossier/{u}/"),
        ("infirmier", f"/soins/unite/{t.unite.public_id}/releve/"),
        ("infirmier", f"/medicaments/dossier/{u}/"),
        ("infirmier", f"/documents/dossier/{u}/"),
        ("infirmier", "/echanges/"),
        ("directeur", f"/usagers/occupation/{t.ehpad.public_id}/"),
    ]


def test_each_app_answers_its_tenant_and_refuses_the_other_through_the_whole_chain(og_a, og_b, client_de):
    a = creer_usager(og_a, nom_naissance="Chaine", premier_prenom="Alice", prenoms_naissance=["Alice"])
    creer_usager(og_b, nom_naissance="Chaine", premier_prenom="Bruno", prenoms_naissance=["Bruno"])
    for role, url in _pages(og_a, a):
        client_a, client_b = client_de(og_a[role]), client_de(og_b[role])
        assert client_a.get(url).status_code == 200, url
        reponse_b = client_b.get(url)  # right after A, on the same connection
        if "/dossier/" in url or "/unite/" in url or "/occupation/" in url or url.startswith("/usagers/"):
            assert reponse_b.status_code == 404, url
        else:  # a list page: B's own, without anything of A
            assert reponse_b.status_code == 200 and "ALICE" not in reponse_b.content.decode().upper(), url
        assert client_a.get(url).status_code == 200, url  # and A again after B
    # search: each sees their own person only, in turns
    for _ in range(2):
        assert (
            "Alice"
            in client_de(og_a["agent_administratif"]).post("/usagers/", {"q": "chaine"}).content.decode()
        )
        corps_b = client_de(og_b["agent_administratif"]).post("/usagers/", {"q": "chaine"}).content.decode()
        assert "Bruno" in corps_b and "Alice" not in corps_b


def test_a_write_is_committed_for_its_tenant_only(og_a, og_b, client_de):
    a = creer_usager(og_a, nom_naissance="Ecrit", premier_prenom="Alice", prenoms_naissance=["Alice"])
    url = f"/usagers/{a.public_id}/entourage/"
    agent_a, agent_b = client_de(og_a["agent_administratif"]), client_de(og_b["agent_administratif"])
    assert agent_a.post(url, {**PROCHE, "proche-nom": "Engagé"}).status_code == 302
    assert agent_b.post(url, {**PROCHE, "proche-nom": "Intrus"}).status_code == 404
    corps = agent_a.get(url).content.decode()  # a new request, a new transaction: the row was committed
    assert "ENGAGÉ" in corps.upper() and "INTRUS" not in corps.upper()
    assert agent_b.get(url).status_code == 404
