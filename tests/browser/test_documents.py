"""On a tablet: a nurse photographs the two pages of a paper prescription one after the other, files them as
one document, sees its preview, and finds it again by a word of its text (read by OCR) from the search."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from documents import services
from documents.models import Document
from dui.tenancy import tenant_context
from tests.browser.conftest import se_connecter
from tests.documents.conftest import photo, sans_outil
from tests.soins.conftest import creer_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scanner_deux_pages_sur_tablette_puis_retrouver_le_document(live_server, og_a, page, tmp_path):
    with tenant_context(og_a.organisme.pk):
        services.do_installer_plan_type(og_a.admin)
    odette = creer_resident(
        og_a, nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    pages = []
    for numero, texte in (
        (1, "ORDONNANCE\nAmoxicilline 1 g\nmatin et soir"),
        (2, "Pendant sept jours\nDr Petit"),
    ):
        chemin = tmp_path / f"IMG_{numero}.jpg"
        chemin.write_bytes(photo(texte))
        pages.append(chemin)
    se_connecter(page, live_server.url, og_a["infirmier"])
    page.goto(f"{live_server.url}/documents/dossier/{odette.public_id}/")
    page.get_by_role("link", name="Scanner un document (photos)").tap()
    # each photo taken is one page, shown in the list
    for chemin in pages:
        page.locator("input[data-photo]").set_input_files(str(chemin))
    expect(page.locator("[data-pages] li")).to_have_count(2)
    expect(page.locator("[data-pages]")).to_contain_text("page-2.jpg")
    expect(page.get_by_label("Les photos sont les pages d'un seul document (scan)")).to_be_checked()
    page.get_by_label("Type de document").select_option(label="Ordonnance extérieure")
    page.get_by_label("Titre").fill("Ordonnance du Dr Petit")
    page.get_by_label("Émetteur (autre)").fill("Dr Petit, médecin traitant")
    page.get_by_role("button", name="Enregistrer dans le dossier").tap()
    # tasks run eagerly in the tests: the preview and the OCR are made before the answer, not by a worker
    expect(page.get_by_test_id("titre-document")).to_contain_text("Ordonnance du Dr Petit", timeout=90_000)
    expect(page.locator("dl")).to_contain_text("2")  # pages
    if not sans_outil("pdftoppm"):
        expect(page.get_by_test_id("apercu")).to_be_visible()
    page.screenshot(path="test-results/documents-scan-tablette.png", full_page=True)
    with tenant_context(og_a.organisme.pk):
        document = Document.objects.get()
        assert document.pages == 2 and document.usager_id == odette.pk
    # found again from the search, by a word of the photographed text (OCR) or else by its title
    mot = "amoxicilline" if not sans_outil("tesseract") else "Petit"
    page.get_by_role("link", name="Documents", exact=True).first.tap()
    page.get_by_label("Un mot du titre, du texte ou une étiquette").fill(mot)
    page.get_by_role("button", name="Rechercher").tap()
    resultat = page.get_by_test_id("resultat")
    expect(resultat).to_have_count(1)
    expect(resultat).to_contain_text("Ordonnance du Dr Petit")
    expect(resultat).to_contain_text("Marchand".upper())
    resultat.get_by_role("link", name="Ordonnance du Dr Petit").tap()
    expect(page.get_by_test_id("titre-document")).to_contain_text("Ordonnance du Dr Petit")
