"""Playwright with Debian's Chromium (browser downloads are impossible here), headless, tablet size."""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("DUI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLETTE = {"width": 820, "height": 1180}  # iPad Air, portrait


@pytest.fixture(scope="session")
def navigateur():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("DUI_REQUIRE_BROWSER"):
            pytest.fail("Chromium est requis (DUI_REQUIRE_BROWSER=1) mais introuvable.")
        pytest.skip("Chromium absent : tests navigateur ignorés (installez le paquet Debian « chromium »).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(navigateur):
    context = navigateur.new_context(
        viewport=TABLETTE, locale="fr-FR", timezone_id="Europe/Paris", has_touch=True, is_mobile=True
    )
    page = context.new_page()
    erreurs: list[str] = []
    page.on("console", lambda msg: erreurs.append(msg.text) if msg.type == "error" else None)
    page.erreurs_console = erreurs
    yield page
    context.close()


def se_connecter(page, base: str, user) -> None:
    """Log in through the pages, as a person would: e-mail, password, then the TOTP code."""
    from tests.conftest import PASSWORD, code_totp

    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/second-facteur/")
    page.get_by_label("Code à 6 chiffres ou code de secours").fill(code_totp(user))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{base}/")
