"""``dui.pagination.PaginatorPlafonne``: the access journal's pages count its rows up to a ceiling (issue 16:
the count of the whole journal was a scan of its index at every display, 210 ms for 5 million rows)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import dui.pagination
from dui.models import JournalAcces, TypeAcces
from dui.pagination import PaginatorPlafonne
from dui.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def _journaliser(og, n: int, qui=None) -> None:
    with tenant_context(og.organisme.pk):
        for i in range(n):
            JournalAcces.objects.create(
                organisme=og.organisme,
                professionnel=qui or og["infirmier"],
                type_acces=TypeAcces.LECTURE,
                objet_type="dui.etablissement",
                libelle=f"Accès {i}",
            )


def test_the_count_stops_at_the_ceiling_and_says_more_match(og_a):
    _journaliser(og_a, 5)
    with tenant_context(og_a.organisme.pk):
        lignes = JournalAcces.objects.filter(organisme=og_a.organisme).order_by("-horodatage", "-id")
        with CaptureQueriesContext(connection) as requetes:
            pages = PaginatorPlafonne(lignes, 2, plafond=3)
            assert (pages.count, pages.num_pages, pages.au_dela) == (3, 2, True)
        [compte] = requetes.captured_queries
        assert "LIMIT 4" in compte["sql"] and "ORDER BY" not in compte["sql"]
        assert [e.libelle for e in pages.page(2)] == ["Accès 2"]  # the third newest: the last one reached
        pages = PaginatorPlafonne(lignes, 2, plafond=5)
        assert (pages.count, pages.num_pages, pages.au_dela) == (5, 3, False)  # exactly at the ceiling
        assert PaginatorPlafonne(lignes, 2).plafond == dui.pagination.PLAFOND == 10_000
        assert PaginatorPlafonne(lignes, 2, plafond=12_345).plafond_affiche == "12\u202f345"


def test_the_journal_page_says_when_more_entries_match_counting_only_its_organisme(
    og_a, og_b, client_de, monkeypatch
):
    monkeypatch.setattr(dui.pagination, "PLAFOND", 3)
    _journaliser(og_b, 10)  # the other organisme's rows never count
    _journaliser(og_a, 3)
    dpo = client_de(og_a.dpo)
    body = dpo.get("/journal/").content.decode()
    assert 'data-testid="au-dela"' not in body and body.count("Accès ") >= 3
    _journaliser(og_a, 1, qui=og_a["medecin"])
    body = dpo.get("/journal/").content.decode()
    assert 'data-testid="au-dela"' in body
    assert "Plus de 3 accès correspondent" in body and "précisez la période" in body
    # narrowed by a filter, the page has no more to say
    body = dpo.get(f"/journal/?professionnel={og_a['medecin'].public_id}").content.decode()
    assert 'data-testid="au-dela"' not in body
