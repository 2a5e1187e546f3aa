"""On a tablet during the medication round: the nurse opens the round of her unit, gives a dose in one tap,
scans the wrong box (blocked, with a clear alert) then records a refusal, and gives another resident's dose
after scanning the right box."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dui.tenancy import tenant_context
from medicaments.models import Administration, Specialite
from medicaments.selectors import creneau_de
from tests.browser.conftest import se_connecter
from tests.medicaments.conftest import CIP_DOLIPRANE_1000, creer_resident, dose_due

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FUROSEMIDE_40 = "60192594"
ELIQUIS = "69340279"


def test_emar_round_with_a_refusal_and_a_barcode_mismatch(live_server, og_a, base_bdpm, page):
    odette = creer_resident(
        og_a, chambre="12", nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    jean = creer_resident(
        og_a, chambre="14", nom_naissance="Perrin", premier_prenom="Jean", prenoms_naissance=["Jean"]
    )
    doliprane = dose_due(og_a, odette, specialite_cis="60234100")
    furosemide = dose_due(og_a, odette, specialite_cis=FUROSEMIDE_40)
    eliquis = dose_due(og_a, jean, specialite_cis=ELIQUIS)
    cip_eliquis = Specialite.objects.get(cis=ELIQUIS).presentations.order_by("cip13").first().cip13
    jour, creneau = creneau_de(doliprane.prevue_le)

    se_connecter(page, live_server.url, og_a["infirmier"])
    page.get_by_role("link", name="Soins", exact=True).click()
    page.get_by_role("link", name="Tournée des médicaments").click()
    page.wait_for_url("**/tournee/")
    page.goto(f"{page.url}?jour={jour}&creneau={creneau}")
    expect(page.get_by_test_id("a-valider")).to_contain_text("3 doses à valider")

    odette_carte = page.get_by_test_id("resident").filter(has_text="Odette")
    ligne_doliprane = odette_carte.get_by_test_id("dose").filter(has_text="DOLIPRANE")
    # the button says to a screen reader which dose it validates (issue 23, item 9)
    expect(ligne_doliprane.get_by_role("button", name="Donné")).to_have_accessible_name(
        re.compile(r"^Donné : DOLIPRANE 1000 mg.*, dose de \d\d:\d\d$")
    )
    ligne_doliprane.get_by_role("button", name="Donné").tap()
    expect(ligne_doliprane.get_by_test_id("etat")).to_contain_text("Donné")

    # the wrong box scanned (the keyboard-wedge scanner types the code and Enter): blocked
    ligne_furosemide = odette_carte.get_by_test_id("dose").filter(has_text="FUROSEMIDE")
    ligne_furosemide.get_by_label("Code de la boîte").fill(CIP_DOLIPRANE_1000)
    ligne_furosemide.get_by_label("Code de la boîte").press("Enter")
    expect(ligne_furosemide.get_by_test_id("erreur")).to_contain_text("Mauvais médicament")
    expect(ligne_furosemide.get_by_test_id("erreur")).to_contain_text("DOLIPRANE")
    with tenant_context(og_a.organisme.pk):
        assert not Administration.objects.filter(dose=furosemide).exists()
    # the resident refuses it
    ligne_furosemide.get_by_role("button", name="Refusé").tap()
    expect(ligne_furosemide.get_by_test_id("etat")).to_contain_text("Refusé")

    # the right box for Jean: checked and given
    ligne_eliquis = page.get_by_test_id("resident").filter(has_text="Jean").get_by_test_id("dose")
    ligne_eliquis.get_by_label("Code de la boîte").fill(cip_eliquis)
    ligne_eliquis.get_by_label("Code de la boîte").press("Enter")
    expect(ligne_eliquis.get_by_test_id("etat")).to_contain_text("boîte vérifiée")
    expect(page.get_by_test_id("a-valider")).to_contain_text("0 dose à valider")  # counters follow
    page.screenshot(path="test-results/medicaments-tournee-tablette.png", full_page=True)
    assert page.erreurs_console == []

    with tenant_context(og_a.organisme.pk):
        resultats = {
            a.dose_id: (a.statut, a.motif, a.cip13_scanne, a.auteur_id) for a in Administration.objects.all()
        }
    infirmier = og_a["infirmier"].pk
    assert resultats == {
        doliprane.pk: ("donne", "", "", infirmier),
        furosemide.pk: ("refuse", "refus", "", infirmier),
        eliquis.pk: ("donne", "", cip_eliquis, infirmier),
    }
