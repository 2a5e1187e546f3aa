"""On a tablet: the director opens the dashboard from the menu, chooses the first quarter of 2025, reads the
EHPAD's figures, prepares the 2025 activity report and downloads it, then records a coupe Pathos (a mistyped validation date first: refused, nothing lost)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import se_connecter
from tests.pilotage.test_indicateurs import peupler

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tableau_de_bord_puis_coupe_pathos(live_server, og_a, page):
    peupler(og_a)
    se_connecter(page, live_server.url, og_a["directeur"])
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Pilotage").tap()
    page.get_by_label("Du", exact=True).fill("2025-01-01")
    page.get_by_label("Au", exact=True).fill("2025-03-31")
    page.get_by_role("button", name="Afficher").tap()
    ehpad = page.get_by_test_id("esms").filter(has_text="EHPAD A")
    expect(ehpad).to_contain_text("14,9 %")
    expect(page.get_by_test_id("mois")).to_have_count(3)
    # the chart is drawn (not an empty box) under the production CSP, with its table as text alternative
    graphique = page.get_by_role("img", name="Taux d'occupation par mois")
    expect(graphique).to_have_attribute("aria-describedby", "table-occupation")
    image = Image.open(io.BytesIO(graphique.screenshot()))
    assert len(set(image.convert("RGB").getdata())) > 2  # bars, axes and labels on the white background
    assert page.erreurs_console == []
    ehpad.get_by_role("link", name="EHPAD A").tap()
    expect(page.get_by_test_id("taux")).to_contain_text("14,9 %")
    expect(page.get_by_test_id("gmps")).to_contain_text("1218")
    page.get_by_label("Année").select_option("2025")
    page.get_by_role("button", name="Préparer le rapport").tap()
    expect(page.get_by_test_id("rapport").first).to_contain_text("Prêt")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Rapport (PDF)").first.tap()
    assert telechargement.value.suggested_filename == "rapport-activite-EHPAD-A-2025.pdf"
    page.get_by_role("link", name="Coupes Pathos et GMPS").tap()
    page.get_by_label("Date de la coupe").fill("2026-03-10")
    page.get_by_label("PMP validé").fill("205")
    page.get_by_label("GMP validé").fill("712")
    page.get_by_label("Validée le").fill("2026-03-01")
    page.get_by_label("Validée par").fill("Dr Bernard, ARS Bretagne")
    page.get_by_role("button", name="Enregistrer la coupe").tap()
    expect(page.locator(".erreur").first).to_contain_text("La validation ne peut pas précéder la coupe.")
    expect(page.get_by_label("Validée par")).to_have_value("Dr Bernard, ARS Bretagne")
    page.get_by_label("Validée le").fill("2026-04-02")
    page.get_by_role("button", name="Enregistrer la coupe").tap()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("GMPS 1243")
    expect(page.get_by_test_id("coupe")).to_have_count(2)
    expect(page.locator("svg[role=img]")).to_be_visible()
    assert page.erreurs_console == []
