"""The shared care tablet on a tablet (issue 23, item 7): the administrator enrols it, a nurse logs in fully
at the start of her shift and chooses her PIN, hands the tablet over, takes it back with her name and PIN,
finds it locked after five idle minutes, and three wrong PINs close her shift on it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import se_connecter
from tests.conftest import PASSWORD, code_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIN = "2580"


def test_tablette_partagee_pin_et_verrouillage(live_server, og_a, page):
    base = live_server.url
    page.clock.install()
    # the administrator enrols this browser as a tablet of the EHPAD
    se_connecter(page, base, og_a.admin)
    page.get_by_role("link", name="Tablettes partagées").click()
    page.get_by_label("Établissement").select_option(label="EHPAD A")
    page.get_by_label("Nom de la tablette").fill("Chariot 1er étage")
    page.get_by_role("button", name="Enrôler ce navigateur comme tablette partagée").click()
    expect(page.locator(".messages")).to_contain_text("est la tablette partagée « Chariot 1er étage »")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/")
    expect(page.get_by_test_id("tablette")).to_contain_text("Tablette partagée « Chariot 1er étage »")

    # the nurse starts her shift: full login, then her PIN
    infirmiere = og_a["infirmier"]
    page.get_by_label("Adresse e-mail").fill(infirmiere.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/second-facteur/")
    page.get_by_label("Code à 6 chiffres ou code de secours").fill(code_totp(infirmiere))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/compte/code-pin/**")
    page.get_by_label("Nouveau code PIN").fill("1234")
    page.get_by_label("Confirmez le code PIN").fill("1234")
    page.get_by_role("button", name="Enregistrer le code PIN").click()
    expect(page.locator("#contenu")).to_contain_text("Une suite de chiffres")
    page.get_by_label("Nouveau code PIN").fill(PIN)
    page.get_by_label("Confirmez le code PIN").fill(PIN)
    page.get_by_role("button", name="Enregistrer le code PIN").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("button", name="Terminer mon poste")).to_be_visible()

    # she hands the tablet over: one tap; her name and PIN take it back
    page.get_by_role("button", name="Changer d'utilisateur").click()
    page.wait_for_url("**/tablette/")
    nom = page.get_by_role("link", name=re.compile(infirmiere.nom))
    expect(nom).to_be_visible()
    assert nom.bounding_box()["height"] >= 44
    nom.click()
    page.get_by_label("Votre code PIN").fill("9999")
    page.get_by_role("button", name="Reprendre la tablette").click()
    expect(page.locator("#contenu")).to_contain_text("Code PIN incorrect. Il vous reste 2 essais.")
    page.get_by_label("Votre code PIN").fill(PIN)
    page.get_by_role("button", name="Reprendre la tablette").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("link", name=infirmiere.get_full_name())).to_be_visible()

    # left idle five minutes, the tablet locks back to its picker; her shift stays open
    page.clock.fast_forward("05:01")
    page.wait_for_url("**/tablette/")
    expect(page.locator(".messages")).to_contain_text("Tablette verrouillée après 5 minutes sans activité")
    expect(page.get_by_role("link", name=re.compile(infirmiere.nom))).to_be_visible()

    # three wrong PINs close her shift on the tablet: a full login is needed
    page.get_by_role("link", name=re.compile(infirmiere.nom)).click()
    for essai in ("1111", "2222", "3333"):
        page.get_by_label("Votre code PIN").fill(essai)
        page.get_by_role("button", name="Reprendre la tablette").click()
        if essai != "3333":
            expect(page.locator("#contenu")).to_contain_text("Code PIN incorrect.")
    page.wait_for_url("**/tablette/")
    expect(page.locator(".messages")).to_contain_text("Code PIN erroné 3 fois")
    expect(page.locator("#contenu")).to_contain_text("Personne n'est en poste sur cette tablette.")
    assert page.erreurs_console == []
