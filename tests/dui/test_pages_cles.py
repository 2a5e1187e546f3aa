"""Query counts of the key pages of the load script (bench/load.py) that no app test pins already, pinned
exactly at their values after issue 16, with a small and a grown record: the same count, and never more than
15 (the floor page: session, transaction, tenant, professional — issue 16 took it from 9 queries to 5).

Pinned elsewhere: the dossier's administrative tabs (tests/usagers/test_requetes_onglets.py), the
accompagnement tabs (tests/accompagnement/test_requetes_onglets.py), the relève, the day plan and the round of
constantes (tests/soins/test_views.py), the exchanges pages (tests/interop/test_views.py) and the DPO's pages
(tests/rgpd/test_requetes.py). Counts are those of a first request of the professional in the process
(``nombre_de_requetes``); the next ones read the kept rights and make two queries fewer."""

from __future__ import annotations

import datetime

import pytest

from dui.tenancy import tenant_context
from tests.factories import SejourFactory, UsagerFactory
from tests.utils import nombre_de_requetes, requetes_comptees

pytestmark = pytest.mark.django_db

# floor, home, waiting list, dossier (identity), search (posted); the home page's agenda rubric (issue 17:
# today's events of the professional and tomorrow's to prepare) is one query
# accueil 13 (issue 18): the rights to renew (one query) and the contracts to hand or sign (one query, over
# every ESMS where the professional writes the administrative record)
PINNED = {"plancher": 5, "accueil": 15, "liste d'attente": 11, "dossier": 14, "recherche": 11}


def _personnes(tenant, n: int, debut: int) -> list:
    with tenant_context(tenant.organisme.pk):
        usagers = []
        for i in range(debut, debut + n):
            usager = UsagerFactory(organisme=tenant.organisme, nom_naissance=f"MARTIN{i}")
            SejourFactory(usager=usager, etablissement=tenant.ehpad, date_entree=datetime.date(2024, 1, 1))
            usagers.append(usager)
    return usagers


def _recherche(client) -> int:
    with requetes_comptees() as ctx:
        reponse = client.post("/usagers/", {"q": "martin"}, HTTP_HX_REQUEST="true")
    assert reponse.status_code == 200
    return len(ctx.captured_queries)


def _comptes(client, usager) -> dict[str, int]:
    return {
        "plancher": nombre_de_requetes(client, "/sante/"),
        "accueil": nombre_de_requetes(client, "/"),
        "liste d'attente": nombre_de_requetes(client, "/admission/"),
        "dossier": nombre_de_requetes(client, f"/usagers/{usager.public_id}/"),
        "recherche": _recherche(client),
    }


def test_key_pages_query_counts_are_pinned_and_do_not_grow(og_a, client_de):
    client = client_de(og_a["directeur"])
    [premier] = _personnes(og_a, 1, 0)
    for _ in range(2):  # warm-up: the session's first writes
        _comptes(client, premier)
    avant = _comptes(client, premier)
    _personnes(og_a, 12, 1)
    assert _comptes(client, premier) == avant
    assert avant == PINNED
    assert max(avant.values()) <= 15
