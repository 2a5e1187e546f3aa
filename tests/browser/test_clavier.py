"""Keyboard only (issue 23, item 10): the medication round and the transmission ciblée can be done without a
pointer — every control reached with Tab in reading order, its focus ring visible, activated with Enter or
Space, and the focus kept on the item an in-page update replaced."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from dui.tenancy import tenant_context
from medicaments.models import Administration
from medicaments.selectors import creneau_de
from soins.models import Transmission
from tests.browser.conftest import se_connecter
from tests.medicaments.conftest import creer_resident, dose_due
from tests.soins.conftest import planifier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIF = """() => { const e = document.activeElement; if (!e) return null;
  const s = getComputedStyle(e);
  return {nom: (e.getAttribute('aria-label') || e.innerText || e.value || '').trim(), balise: e.tagName,
          libelle: e.labels && e.labels.length ? e.labels[0].innerText.trim() : '',
          anneau: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""


def _tabuler_jusqu_a(page, condition, maximum: int = 80) -> dict:
    """Tab until the focused element satisfies ``condition``; every element met must show its focus ring."""
    sans_anneau = []
    actif = None
    for _ in range(maximum):
        page.keyboard.press("Tab")
        actif = page.evaluate(ACTIF)
        if actif and not actif["anneau"] and actif["balise"] != "BODY":
            sans_anneau.append(actif["nom"][:40] or actif["libelle"])
        if actif and condition(actif):
            assert not sans_anneau, f"focus sans anneau visible : {sans_anneau}"
            return actif
    raise AssertionError(f"élément jamais atteint au clavier (dernier : {actif})")


def test_tournee_au_clavier(live_server, og_a, base_bdpm, page):
    odette = creer_resident(
        og_a, chambre="12", nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    dose = dose_due(og_a, odette, specialite_cis="60234100")
    jour, creneau = creneau_de(dose.prevue_le)
    se_connecter(page, live_server.url, og_a["infirmier"])
    page.goto(
        f"{live_server.url}/medicaments/unite/{og_a.unite.public_id}/tournee/?jour={jour}&creneau={creneau}"
    )
    # the skip link comes first and leads into the content
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIF)["nom"] == "Aller au contenu"
    page.keyboard.press("Enter")
    actif = _tabuler_jusqu_a(page, lambda a: a["nom"].startswith("Donné : DOLIPRANE"))
    assert "MARCHAND" in actif["nom"]
    page.keyboard.press("Enter")
    ligne = page.get_by_test_id("dose").filter(has_text="DOLIPRANE")
    expect(ligne.get_by_test_id("etat")).to_contain_text("Donné")
    # the focus stayed on the dose just recorded (not thrown back to the top of the page)
    assert ligne.evaluate("e => e.contains(document.activeElement)")
    # its undo is the next control, in one key press
    actif = _tabuler_jusqu_a(
        page, lambda a: a["nom"] == "Annuler" or a["nom"].startswith("Annuler"), maximum=5
    )
    with tenant_context(og_a.organisme.pk):
        assert Administration.objects.get(dose=dose).statut == "donne"
    assert page.erreurs_console == []


def test_transmission_ciblee_au_clavier(live_server, og_a, page):
    odette = creer_resident(
        og_a, chambre="12", nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    planifier(og_a, odette, type_soin="hydratation", heures=[datetime.time(0, 0)])
    se_connecter(page, live_server.url, og_a["aide_soignant"])
    page.goto(f"{live_server.url}/soins/unite/{og_a.unite.public_id}/journee/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip link
    _tabuler_jusqu_a(page, lambda a: a["balise"] == "SUMMARY" and "Transmission" in a["nom"])
    page.keyboard.press("Enter")  # opens the panel: its form arrives and takes the focus on its first field
    expect(page.get_by_label("Cible", exact=True)).to_be_focused()
    page.keyboard.type("Hydratation")
    _tabuler_jusqu_a(page, lambda a: a["libelle"].startswith("Données"), maximum=5)
    page.keyboard.type("Refuse de boire ce matin")
    _tabuler_jusqu_a(page, lambda a: a["libelle"].startswith("Actions"), maximum=5)
    page.keyboard.type("Eau gélifiée proposée")
    _tabuler_jusqu_a(page, lambda a: a["libelle"].startswith("Importante"), maximum=5)
    page.keyboard.press("Space")
    _tabuler_jusqu_a(page, lambda a: a["nom"] == "Enregistrer la transmission", maximum=5)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("transmission-enregistree")).to_contain_text("cible : Hydratation")
    with tenant_context(og_a.organisme.pk):
        t = Transmission.objects.get()
        assert (t.cible, t.importante) == ("Hydratation", True)
    assert page.erreurs_console == []
