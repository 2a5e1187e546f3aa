"""On a tablet at the start of a shift: an aide-soignante opens the day view of her unit, validates a care task
in one tap, notes another as not done with its reason, and writes a transmission ciblée; the nurse of the
next shift finds both in her relève and marks them read."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dui.tenancy import tenant_context
from soins.models import RealisationSoin, Transmission
from tests.browser.conftest import se_connecter
from tests.soins.conftest import creer_resident, planifier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_day_view_validate_a_task_and_write_a_transmission_then_the_releve(live_server, og_a, page):
    odette = creer_resident(
        og_a,
        chambre="12",
        nom_naissance="Marchand",
        premier_prenom="Odette",
        prenoms_naissance=["Odette"],
        date_naissance=datetime.date(1932, 6, 3),
    )
    creer_resident(
        og_a, chambre="14", nom_naissance="Perrin", premier_prenom="Jean", prenoms_naissance=["Jean"]
    )
    # at midnight, so that both tasks are already due whatever time the test runs (at 00:01 and 00:02 they were
    # not, for the first two minutes of the day)
    planifier(og_a, odette, type_soin="toilette", libelle="Toilette au lavabo", heures=[datetime.time(0, 0)])
    planifier(og_a, odette, type_soin="hydratation", heures=[datetime.time(0, 0)])
    se_connecter(page, live_server.url, og_a["aide_soignant"])
    page.get_by_role("link", name="Soins", exact=True).click()
    page.get_by_role("link", name="Plan de soins du jour").click()
    page.wait_for_url("**/journee/")
    resident = page.get_by_test_id("resident").filter(has_text="Odette")
    toilette = resident.get_by_test_id("occurrence").filter(has_text="Toilette au lavabo")
    toilette.get_by_role("button", name="Fait").tap()
    expect(toilette.get_by_test_id("etat")).to_contain_text("Fait")
    hydratation = resident.get_by_test_id("occurrence").filter(has_text="Hydratation")
    hydratation.locator("summary", has_text="Pas fait").tap()
    hydratation.get_by_label("Motif").select_option("refus")
    hydratation.get_by_role("button", name="Noter « pas fait »").tap()
    expect(hydratation.get_by_test_id("etat")).to_contain_text("Refus de la personne")
    expect(page.get_by_test_id("a-faire")).to_contain_text("0 soin à faire")  # counters follow
    # a transmission ciblée without leaving the page
    resident.locator("summary", has_text="Transmission").tap()
    resident.get_by_label("Cible", exact=True).fill("Hydratation")
    resident.get_by_label("Données", exact=True).fill("Refuse de boire ce matin, lèvres sèches")
    # text areas in the page's font, not the browser's typewriter default (issue 23, item 9)
    police = resident.get_by_label("Données", exact=True).evaluate("e => getComputedStyle(e).fontFamily")
    assert "monospace" not in police and police == page.evaluate("getComputedStyle(document.body).fontFamily")
    resident.get_by_label("Actions", exact=True).fill("Eau gélifiée proposée, infirmière prévenue")
    resident.get_by_label("Importante", exact=True).check()
    resident.get_by_role("button", name="Enregistrer la transmission").tap()
    expect(resident.get_by_test_id("transmission-enregistree")).to_contain_text("cible : Hydratation")
    page.screenshot(path="test-results/soins-journee-tablette.png", full_page=True)
    assert page.erreurs_console == []
    with tenant_context(og_a.organisme.pk):
        assert sorted(RealisationSoin.objects.values_list("statut", "auteur_id")) == [
            ("fait", og_a["aide_soignant"].pk),
            ("pas_fait", og_a["aide_soignant"].pk),
        ]
        t = Transmission.objects.get()
        assert (t.cible, t.importante, t.unite_id) == ("Hydratation", True, og_a.unite.pk)
        assert t.ecrite_le > timezone.now() - datetime.timedelta(minutes=5)

    # The nurse's relève shows the transmission and the task not done; she marks them read.
    page.context.clear_cookies()
    se_connecter(page, live_server.url, og_a["infirmier"])
    page.goto(f"{live_server.url}/soins/unite/{og_a.unite.public_id}/releve/")
    elements = page.get_by_test_id("element-releve")
    expect(elements).to_have_count(2)
    expect(page.get_by_test_id("non-lus")).to_contain_text("2 non lus")
    # one card per resident, what matters named at its top, read in one tap (issue 23, item 6)
    odette_releve = page.get_by_test_id("groupe-releve").filter(has_text="Odette")
    expect(odette_releve.get_by_test_id("motif-releve")).to_have_text(["Transmission importante", "Refus"])
    odette_releve.get_by_role("button", name="Lu : MARCHAND Odette").tap()
    expect(odette_releve.get_by_test_id("non-lus-resident")).to_have_count(0)
    expect(page.get_by_test_id("non-lus")).to_contain_text("0 non lu")  # the counter follows
    page.screenshot(path="test-results/soins-releve-tablette.png", full_page=True)
    assert page.erreurs_console == []


def test_a_mis_tapped_fait_is_undone_and_a_late_dressing_asks_first(live_server, og_a, page, settings):
    """Issue 23, item 3, on the tablet: « Fait » tapped on the wrong line is undone by its author in one tap;
    a task validated outside its window asks for a confirmation before anything is recorded."""
    settings.DUI_GARDES_HORAIRES = {"soin": {"avance": 60}, "pansement": {"avance": 60, "retard": 0}}
    odette = creer_resident(
        og_a, chambre="12", nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    planifier(og_a, odette, type_soin="toilette", libelle="Toilette au lavabo", heures=[datetime.time(0, 0)])
    planifier(og_a, odette, type_soin="pansement", libelle="Pansement talon", heures=[datetime.time(0, 0)])
    page.set_viewport_size({"width": 1024, "height": 768})
    se_connecter(page, live_server.url, og_a["aide_soignant"])
    page.goto(f"{live_server.url}/soins/unite/{og_a.unite.public_id}/journee/")
    expect(page.get_by_test_id("a-faire")).to_contain_text("2 soins à faire")
    toilette = page.get_by_test_id("occurrence").filter(has_text="Toilette au lavabo")
    toilette.get_by_role("button", name="Fait").tap()
    expect(toilette.get_by_test_id("etat")).to_contain_text("Fait")
    expect(page.get_by_test_id("a-faire")).to_contain_text("1 soin à faire")
    # the wrong line: undone in one tap, to do again
    toilette.get_by_role("button", name="Annuler « fait » : Toilette au lavabo de 00:00").tap()
    expect(toilette.get_by_test_id("annulation")).to_contain_text("Validation annulée par")
    expect(toilette.get_by_role("button", name="Fait")).to_be_visible()
    expect(page.get_by_test_id("a-faire")).to_contain_text("2 soins à faire")

    pansement = page.get_by_test_id("occurrence").filter(has_text="Pansement talon")
    pansement.get_by_role("button", name="Fait").tap()
    question = pansement.get_by_test_id("confirmation-horaire")
    expect(question).to_contain_text("de retard. Confirmez")
    with tenant_context(og_a.organisme.pk):
        assert not RealisationSoin.objects.filter(soin__type_soin="pansement").exists()
    question.get_by_role("button", name="Confirmer « fait » maintenant").tap()
    expect(pansement.get_by_test_id("etat")).to_contain_text("horaire confirmé")
    expect(page.get_by_test_id("a-faire")).to_contain_text("1 soin à faire")
    assert page.erreurs_console == []
    with tenant_context(og_a.organisme.pk):
        lignes = {r.soin.type_soin: r for r in RealisationSoin.objects.select_related("soin")}
        assert lignes["toilette"].statut == "annule"
        assert [h.statut for h in lignes["toilette"].history.order_by("history_date")] == ["fait", "annule"]
        assert lignes["pansement"].statut == "fait" and lignes["pansement"].ecart_confirme >= 0
