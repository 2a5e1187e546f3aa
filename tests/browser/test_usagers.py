"""A nurse searches a usager as she types, on a tablet, and opens the dossier."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import se_connecter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_open_the_dossier_and_edit_the_entourage(live_server, og_a, page):
    from tests.usagers.conftest import creer_usager

    creer_usager(og_a, nom_naissance="Lefèvre-Dupont", premier_prenom="Hélène", prenoms_naissance=["Hélène"])
    creer_usager(og_a, nom_naissance="Martin", premier_prenom="Paul", prenoms_naissance=["Paul"])
    se_connecter(page, live_server.url, og_a["travailleur_social"])
    page.get_by_role("link", name="Usagers").click()
    page.get_by_label("Rechercher un usager").press_sequentially("lef", delay=30)
    resultats = page.get_by_test_id("resultat")
    expect(resultats).to_have_count(1)
    assert "LEFÈVRE-DUPONT" in resultats.first.inner_text()
    resultats.first.click()
    page.wait_for_url("**/usagers/*/")
    expect(page.get_by_test_id("statut")).to_have_text("Identité provisoire")
    expect(page.locator("body")).to_contain_text("EHPAD A")
    assert page.erreurs_console == []
    page.screenshot(path="test-results/dossier-tablette.png", full_page=True)
    # Entourage: a personne à prévenir without a call order is refused, nothing typed is lost.
    page.get_by_role("link", name="Entourage et protection").click()
    page.get_by_label("Nom", exact=True).fill("Dupont")
    page.get_by_label("Prénom").fill("Claire")
    page.get_by_label("Lien").select_option("enfant")
    page.get_by_label("Téléphone", exact=True).fill("06 12 34 56 78")
    page.get_by_label("Personne à prévenir").check()
    page.get_by_role("button", name="Enregistrer le proche").click()
    expect(page.locator("body")).to_contain_text("Indiquez l'ordre d'appel")
    assert page.get_by_label("Téléphone", exact=True).input_value() == "06 12 34 56 78"
    page.get_by_label("Ordre d'appel").fill("1")
    page.get_by_role("button", name="Enregistrer le proche").click()
    proche = page.get_by_test_id("proche")
    expect(proche).to_have_count(1)
    assert "À prévenir n° 1" in proche.inner_text() and "DUPONT" in proche.inner_text()
    page.screenshot(path="test-results/entourage-tablette.png", full_page=True)


@pytest.mark.parametrize("largeur", [1024, 820])
def test_the_dossier_sections_fit_one_row_and_the_identity_card_holds_its_content(
    live_server, og_a, page, largeur
):
    """Issue 23, item 5: on a 1024 px tablet (and in portrait) the nurse's dossier shows its sections on one
    row, the current one's tabs below; the identity card holds its photo and a long name without clipping."""
    from tests.usagers.conftest import creer_usager

    usager = creer_usager(
        og_a,
        nom_naissance="De La Roche-Vasseur-Montgolfier",
        premier_prenom="Marie-Antoinette",
        prenoms_naissance=["Marie-Antoinette", "Françoise"],
    )
    page.set_viewport_size({"width": largeur, "height": 768})
    se_connecter(page, live_server.url, og_a["infirmier"])
    page.goto(f"{live_server.url}/usagers/{usager.public_id}/")
    sections = page.get_by_role("navigation", name="Sections du dossier").get_by_role("link")
    expect(sections).to_have_count(5)
    hauts = {round(sections.nth(i).bounding_box()["y"]) for i in range(5)}
    assert len(hauts) == 1, f"les sections tiennent sur une ligne à {largeur} px : {hauts}"
    nav = page.get_by_role("navigation", name="Sections du dossier")
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth"), "aucune section cachée hors de l'écran"
    sous = page.get_by_role("navigation", name="Identité").get_by_role("link")
    expect(sous.first).to_have_text("Identité")
    # the tabs of another section, one tap away
    nav.get_by_role("link", name="Soins").click()
    expect(
        page.get_by_role("navigation", name="Soins").get_by_role("link", name="Constantes")
    ).to_be_visible()
    carte = page.get_by_role("region", name="Identité")
    assert carte.evaluate("c => c.scrollWidth <= c.clientWidth"), "le bandeau ne coupe rien"
    expect(carte.get_by_role("heading", level=1)).to_contain_text("MONTGOLFIER")
    page.screenshot(path=f"test-results/dossier-sections-{largeur}.png")
