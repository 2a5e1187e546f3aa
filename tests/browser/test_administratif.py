"""The admission agent prepares last month's presence record of the EHPAD from the home page, sees it ready
(the worker ran) and downloads the spreadsheet."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import se_connecter
from tests.soins.conftest import creer_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_preparer_et_telecharger_le_releve_de_presence(live_server, og_a, page):
    creer_resident(og_a, nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"])
    mois = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    se_connecter(page, live_server.url, og_a["agent_administratif"])
    page.get_by_role("link", name="Présence pour la facturation").first.tap()
    expect(page.get_by_label("Mois")).to_have_value(f"{mois:%Y-%m}")
    page.get_by_role("button", name="Préparer le relevé").tap()
    ligne = page.get_by_test_id("export").first
    expect(ligne).to_contain_text("1 séjour", timeout=30_000)
    with page.expect_download() as attente:
        ligne.get_by_role("link", name="Tableur (XLSX)").tap()
    telechargement = attente.value
    assert telechargement.suggested_filename.endswith(f"{mois:%Y-%m}.xlsx")
    from openpyxl import load_workbook

    feuille = load_workbook(io.BytesIO(open(telechargement.path(), "rb").read())).active
    noms = [r[0].value for r in feuille.iter_rows(min_row=4)]
    assert any("MARCHAND" in str(n).upper() for n in noms)
    # bad input keeps the page and says why
    page.get_by_label("Seuil d'absence (heures)").fill("50")
    page.get_by_role("button", name="Enregistrer le seuil").tap()
    expect(page.get_by_role("alert").first).to_contain_text("jours entiers")
