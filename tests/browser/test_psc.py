"""A professional logs in with Pro Santé Connect on a tablet (the local provider stands in for the e-CPS
app), lands on the home page of their organisme, and logs out of the DUI and of PSC."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dui.tenancy import auth_lookup
from habilitations.models import Professionnel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_with_psc_on_a_tablet_lands_on_the_right_organisme(
    live_server, og_a, og_b, fournisseur_psc, page
):
    with auth_lookup():  # the provider's Jean Dubois is organisme B's doctor
        Professionnel.objects.filter(pk=og_b["medecin"].pk).update(rpps="10101010101")
    page.goto(f"{live_server.url}/")
    assert "/connexion/" in page.url
    bouton_psc = page.get_by_role("link", name="Se connecter avec Pro Santé Connect")
    assert bouton_psc.bounding_box()["height"] >= 44
    bouton_psc.click()
    page.wait_for_url(f"{fournisseur_psc.url}/**")
    page.get_by_label("Jean Dubois", exact=False).check()
    page.get_by_role("button", name="Valider avec e-CPS (test)").click()
    page.wait_for_url(f"{live_server.url}/")
    carte = page.get_by_test_id("etablissement")
    expect(carte.first).to_contain_text("EHPAD B")
    assert "EHPAD A" not in page.locator("main").inner_text()
    assert page.erreurs_console == []
    page.screenshot(path="test-results/psc-accueil-tablette.png", full_page=True)
    # Logout: the DUI, then PSC (its end-session endpoint), then back to the login page.
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server.url}/connexion/**")
    expect(page.locator("body")).to_contain_text("Vous êtes déconnecté(e) du DUI et de Pro Santé Connect.")
    assert len(fournisseur_psc.deconnexions) == 1
    assert page.erreurs_console == []


def test_cancelling_at_psc_comes_back_with_a_french_message(live_server, og_a, fournisseur_psc, page):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_role("link", name="Se connecter avec Pro Santé Connect").click()
    page.wait_for_url(f"{fournisseur_psc.url}/**")
    page.get_by_role("button", name="Annuler").click()
    page.wait_for_url(f"{live_server.url}/connexion/psc/retour/**")
    expect(page.get_by_test_id("psc-erreur")).to_contain_text("Connexion Pro Santé Connect annulée.")
