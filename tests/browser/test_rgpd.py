"""Issue 15 on a tablet: a nurse opens a dossier outside her habilitations in an emergency (break-the-glass),
and the DPO produces and downloads a person's right-of-access export."""

from __future__ import annotations

import datetime
import json
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import se_connecter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_break_the_glass_on_a_dossier_from_the_search_page(live_server, og_a, page):
    from tests.usagers.conftest import creer_usager

    creer_usager(
        og_a,
        og_a.mas,
        nom_naissance="Garnier",
        premier_prenom="Paul",
        prenoms_naissance=["Paul"],
        date_naissance=datetime.date(1941, 6, 2),
    )
    se_connecter(page, live_server.url, og_a["infirmier"])
    page.get_by_role("link", name="Usagers").click()
    page.get_by_label("Rechercher un usager").press_sequentially("garnier", delay=20)
    expect(page.locator("#resultats")).not_to_contain_text("GARNIER")  # outside her habilitations
    page.get_by_test_id("lien-bris-de-glace").click()
    page.get_by_label("Nom de naissance", exact=True).fill("Garnier")
    page.get_by_label("Premier prénom de naissance").fill("Paul")
    page.get_by_label("Date de naissance").fill("1941-06-02")
    page.get_by_label("Motif de l'accès exceptionnel").fill("trop court")
    page.get_by_role("button", name="Ouvrir l'accès exceptionnel").click()
    expect(page.locator("body")).to_contain_text("au moins 20 caractères")
    assert page.get_by_label("Nom de naissance", exact=True).input_value() == "Garnier"  # nothing lost
    page.get_by_label("Motif de l'accès exceptionnel").fill(
        "Chute de nuit, transféré dans notre unité en urgence."
    )
    page.get_by_role("button", name="Ouvrir l'accès exceptionnel").click()
    page.wait_for_url("**/usagers/*/")
    expect(page.get_by_role("alert").filter(has_text="Accès exceptionnel en cours")).to_be_visible()
    assert page.erreurs_console == []


def test_the_dpo_prepares_and_downloads_a_right_of_access_export(live_server, og_a, page, tmp_path):
    from tests.usagers.conftest import creer_usager

    creer_usager(
        og_a,
        nom_naissance="Lefèvre",
        premier_prenom="Hélène",
        prenoms_naissance=["Hélène"],
        date_naissance=datetime.date(1938, 4, 12),
    )
    se_connecter(page, live_server.url, og_a.dpo)
    page.get_by_role("link", name="Droit d'accès").click()
    page.get_by_label("Nom de naissance", exact=True).fill("LEFEVRE")
    page.get_by_label("Premier prénom de naissance").fill("helene")
    page.get_by_label("Date de naissance").fill("1938-04-12")
    page.get_by_role("button", name="Préparer l'export").click()
    expect(page.locator("body")).to_contain_text("Indiquez la demande de la personne")
    page.get_by_label("Demande de la personne (date, référence du courrier ou du formulaire)").fill(
        "Courrier du 2 novembre 2026"
    )
    page.get_by_role("button", name="Préparer l'export").click()
    expect(page.get_by_test_id("demande").first).to_contain_text("Prêt")
    with page.expect_download() as telechargement:
        page.get_by_role("button", name="Télécharger").click()
    chemin = tmp_path / "export.zip"
    telechargement.value.save_as(chemin)
    with zipfile.ZipFile(chemin) as zf:
        donnees = json.loads(zf.read("donnees.json"))
    assert "usagers.usager" in donnees["sections"] and "Lefèvre" in json.dumps(donnees, ensure_ascii=False)
    page.reload()
    expect(page.get_by_test_id("demande").first).to_contain_text("Téléchargé le")
    assert page.erreurs_console == []


def test_the_dpo_narrows_a_journal_too_long_to_page_through(live_server, og_a, og_b, page, monkeypatch):
    """Issue 16: the journal's pages count up to a ceiling (here 3 rows); beyond it the page says so, and the
    professional filter (sorted by name, thousands of options at scale) narrows it."""
    import dui.pagination
    from dui.models import JournalAcces, TypeAcces
    from dui.tenancy import tenant_context

    monkeypatch.setattr(dui.pagination, "PLAFOND", 3)
    for og, qui, n in ((og_a, og_a["infirmier"], 3), (og_a, og_a["medecin"], 1), (og_b, og_b["medecin"], 5)):
        with tenant_context(og.organisme.pk):
            for i in range(n):
                JournalAcces.objects.create(
                    organisme=og.organisme,
                    professionnel=qui,
                    type_acces=TypeAcces.LECTURE,
                    objet_type="dui.etablissement",
                    libelle=f"Fiche consultée {i} par {qui.nom}",
                )
    se_connecter(page, live_server.url, og_a.dpo)
    page.get_by_role("link", name="Journal des accès").click()
    expect(page.get_by_test_id("au-dela")).to_contain_text("Plus de 3 accès correspondent")
    choix = page.get_by_label("Professionnel")
    assert str(og_b["medecin"].public_id) not in choix.inner_html()  # never the other organisme's
    choix.select_option(str(og_a["medecin"].public_id))
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**/journal/?*")
    expect(page.get_by_test_id("au-dela")).to_have_count(0)
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text(f"par {og_a['medecin'].nom}")
    assert page.get_by_label("Professionnel").input_value() == str(og_a["medecin"].public_id)
    assert page.erreurs_console == []
