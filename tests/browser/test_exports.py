"""On a tablet: the admission agent exports the waiting list from its page, follows its preparation on « Mes
exports » and downloads the spreadsheet."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from admission.models import DemandeAdmission
from dui.tenancy import tenant_context
from tests.browser.conftest import se_connecter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_exporter_la_liste_d_attente(live_server, og_a, page):
    with tenant_context(og_a.organisme.pk):
        DemandeAdmission.objects.create(
            organisme=og_a.organisme, etablissement=og_a.ehpad, nom_naissance="Valette", prenoms_naissance=["Odile"],
            date_naissance=datetime.date(1939, 5, 2), sexe="F", lieu_naissance_insee="75056", origine="directe",
        )  # fmt: skip
    se_connecter(page, live_server.url, og_a["agent_administratif"])
    page.goto(f"{live_server.url}/admission/")
    page.get_by_role("button", name="Exporter la liste d'attente (CSV, XLSX)").tap()
    expect(page.get_by_role("heading", name="Mes exports")).to_be_visible()
    ligne = page.get_by_test_id("export-liste").first
    expect(ligne).to_contain_text("1 ligne")
    with page.expect_download() as telechargement:
        ligne.get_by_role("link", name="Tableur (XLSX)").tap()
    classeur = load_workbook(io.BytesIO(open(telechargement.value.path(), "rb").read()))
    valeurs = [c for rangee in classeur.active.iter_rows(values_only=True) for c in rangee]
    assert "Valette" in valeurs and "Odile" in valeurs
    assert page.erreurs_console == []
