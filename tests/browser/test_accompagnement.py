"""On a tablet: a nurse fills an AGGIR grid with the adverbs, sees the GIR computed as she goes, saves it;
an educator builds a projet personnalisé up to the person's agreement."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from accompagnement import aggir
from tests.browser.conftest import se_connecter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fill_an_aggir_grid_on_a_tablet_and_see_the_gir(live_server, og_a, page):
    from tests.usagers.conftest import creer_usager

    usager = creer_usager(
        og_a, nom_naissance="Garnier", premier_prenom="Yvonne", prenoms_naissance=["Yvonne"]
    )
    se_connecter(page, live_server.url, og_a["infirmier"])
    page.goto(f"{live_server.url}/usagers/{usager.public_id}/")
    # the dossier's sections, then the tab (issue 23, item 5)
    page.get_by_role("navigation", name="Sections du dossier").get_by_role(
        "link", name="Accompagnement"
    ).click()
    page.get_by_role("navigation", name="Accompagnement").get_by_role("link", name="Évaluations").click()
    page.get_by_role("link", name="Nouvelle évaluation AGGIR").click()
    page.wait_for_url("**/aggir/")
    apercu = page.get_by_test_id("gir-apercu")
    # Autonomous for everything but: cohérence/communication done with no adverb ("Aucun"), toilette du bas
    # only spontaneously, transfers not at all.
    for item in aggir.items_ordonnes():
        ligne = page.locator(f"tr[data-item='{item}']")
        if item in ("coherence.communication", "transferts"):
            ligne.locator("label.pastille.aucun").tap()
        elif item == "toilette.bas":
            ligne.locator("label.pastille").filter(has_text="S").first.tap()
        else:
            for adverbe in "STCH":
                ligne.locator("label.pastille").filter(has_text=adverbe).first.tap()
        if item == "coherence.communication":
            expect(apercu).to_contain_text("Encore 16 activités sur 17")
    # by hand from the decree's table (shared/docs/DOMAIN.md): COH C, TOI B, TRA C, the rest A; group A
    # 2000 + 16 + 800 = 2816 < 3390, group B 1500 + 16 + 800 = 2316 ≥ 2016 → rang 4 → GIR 2
    attendu_gir = 2
    expect(apercu).to_contain_text(f"GIR {attendu_gir}")
    assert "Cohérence C" in apercu.locator("xpath=..").inner_text()
    # "Aucun" and an adverb exclude each other on the same line.
    ligne = page.locator("tr[data-item='transferts']")
    ligne.locator("label.pastille").filter(has_text="S").first.tap()
    assert not ligne.locator("input[name='aucun_transferts']").is_checked()
    ligne.locator("label.pastille.aucun").tap()
    assert not ligne.locator("input[value='S']").is_checked()
    page.screenshot(path="test-results/aggir-tablette.png", full_page=True)
    page.get_by_role("button", name="Enregistrer l'évaluation").click()
    page.wait_for_url("**/accompagnement/aggir/*/")
    expect(page.get_by_test_id("gir")).to_contain_text(f"GIR {attendu_gir}")
    page.get_by_role("link", name="Évaluations").click()
    expect(page.get_by_test_id("aggir")).to_have_count(1)
    assert page.erreurs_console == []


def test_build_a_projet_personnalise_up_to_the_agreement(live_server, og_a, page):
    from tests.usagers.conftest import creer_usager

    usager = creer_usager(og_a, nom_naissance="Moreau", premier_prenom="Jean", prenoms_naissance=["Jean"])
    se_connecter(page, live_server.url, og_a["educateur"])
    page.goto(f"{live_server.url}/accompagnement/dossier/{usager.public_id}/projet/")
    page.get_by_role("button", name="Créer le projet").click()
    page.wait_for_url("**/accompagnement/projet/*/")
    page.get_by_text("Ajouter une attente").click()
    page.get_by_label("Exprimée par").select_option("usager")
    page.get_by_label("Attente, avec ses mots").fill("Je veux continuer à jardiner")
    page.get_by_role("button", name="Ajouter l'attente").click()
    expect(page.get_by_test_id("attente")).to_have_count(1)
    page.get_by_role("button", name="Terminer le recueil des attentes").click()
    expect(page.get_by_test_id("statut-projet")).to_have_text("Co-construction")
    page.get_by_text("Ajouter un objectif").click()
    page.get_by_label("Objectif", exact=True).fill("Entretenir le carré potager deux fois par semaine")
    page.get_by_label("Référent").select_option(index=1)
    page.get_by_label("Échéance").fill((datetime.date.today() + datetime.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Ajouter l'objectif").click()
    expect(page.get_by_test_id("objectif")).to_have_count(1)
    avis = page.locator("section#avis")
    avis.get_by_label("Accord").check()
    avis.get_by_label("Exprimée par").select_option("usager")
    avis.get_by_label("Comment elle a été recueillie").select_option("oral")
    avis.get_by_role("button", name="Enregistrer l'avis").click()
    expect(page.get_by_test_id("statut-projet")).to_have_text("Validé — mise en œuvre")
    page.screenshot(path="test-results/projet-tablette.png", full_page=True)
    assert page.erreurs_console == []
