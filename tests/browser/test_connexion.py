"""A professional logs in with the second factor on a tablet and reaches their home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import se_connecter
from tests.conftest import PASSWORD, code_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_with_totp_reaches_home_on_a_tablet(live_server, og_a, page):
    user = og_a["infirmier"]
    page.goto(f"{live_server.url}/")
    assert "/connexion/" in page.url
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/connexion/second-facteur/")
    page.get_by_label("Code à 6 chiffres ou code de secours").fill(code_totp(user))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server.url}/")
    carte = page.get_by_test_id("etablissement")
    assert carte.count() == 1
    assert "EHPAD A" in carte.inner_text()
    assert "Infirmier" in carte.inner_text()
    # Tablet: the main navigation targets are at least 44 px high.
    bouton = page.get_by_role("button", name="Se déconnecter")
    assert bouton.bounding_box()["height"] >= 44
    # Strict CSP and vendored assets: no console error (htmx loaded, no blocked inline code).
    assert page.evaluate("typeof htmx") == "object"
    assert page.erreurs_console == []
    page.screenshot(path="test-results/accueil-tablette.png", full_page=True)
    # Logout.
    bouton.click()
    page.wait_for_url("**/connexion/")
    expect(page.locator("body")).to_contain_text("Vous êtes déconnecté")


def test_wrong_code_shows_a_french_error(live_server, og_a, page):
    user = og_a["educateur"]
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/second-facteur/")
    page.get_by_label("Code à 6 chiffres ou code de secours").fill(
        "000000" if code_totp(user) != "000000" else "111111"
    )
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("body")).to_contain_text("Code incorrect ou déjà utilisé.")


def test_idle_tablet_leaves_the_record_screen_after_the_timeout(live_server, og_a, page):
    page.clock.install()
    se_connecter(page, live_server.url, og_a["aide_soignant"])
    page.clock.fast_forward("29:00")
    assert page.url == f"{live_server.url}/"
    page.clock.fast_forward("02:00")
    page.wait_for_url("**/connexion/")
    expect(page.locator("body")).to_contain_text("fermée après 30 minutes d'inactivité")
    assert "EHPAD A" not in page.content()
    page.goto(f"{live_server.url}/")
    assert "/connexion/" in page.url  # the server session is closed too
