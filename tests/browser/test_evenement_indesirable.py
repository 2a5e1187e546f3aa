"""On a tablet: an aide-soignante declares a fall from the menu; the chef de service analyses it (gravity, EIGS),
adds a corrective action, records the ARS declaration, marks the action done and closes the event."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dui.tenancy import tenant_context
from relation.models import EvenementIndesirable
from tests.browser.conftest import se_connecter
from tests.soins.conftest import creer_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_un_evenement_de_la_declaration_a_la_cloture(live_server, og_a, navigateur, page):
    creer_resident(og_a, nom_naissance="Lefort", premier_prenom="Jeanne", prenoms_naissance=["Jeanne"])
    base = live_server.url
    se_connecter(page, base, og_a["aide_soignant"])
    page.get_by_role("link", name="Signaler un événement indésirable").tap()
    page.get_by_label("Survenu le").fill("2030-11-30T07:15")  # mistyped year: refused, nothing lost
    page.get_by_label("Lieu").fill("Salle de bains, chambre 12")
    page.get_by_label("Nature").select_option(label="Chute")
    page.get_by_label("Ce qui s'est passé").fill("Mme Lefort a glissé en sortant de la douche.")
    page.get_by_label("Mesures prises immédiatement").fill("Relevée à deux, infirmière et médecin prévenus.")
    page.get_by_role("button", name="Déclarer").tap()
    expect(page.locator(".errorlist").first).to_contain_text("ne peut pas être daté dans le futur")
    expect(page.get_by_label("Ce qui s'est passé")).to_have_value(
        "Mme Lefort a glissé en sortant de la douche."
    )
    page.get_by_label("Survenu le").fill("2026-11-30T07:15")
    page.get_by_role("button", name="Déclarer").tap()
    expect(page.get_by_test_id("statut-ei")).to_have_text("Déclaré")
    url = page.url
    page.get_by_role("button", name="Se déconnecter").tap()

    contexte = navigateur.new_context(viewport={"width": 820, "height": 1180}, locale="fr-FR", has_touch=True)
    tablette = contexte.new_page()
    se_connecter(tablette, base, og_a["chef_service"])
    tablette.goto(f"{base}/relation/etablissement/{og_a.ehpad.public_id}/qualite/")
    tablette.get_by_test_id("evenement").get_by_role("link").tap()
    tablette.get_by_label("Gravité").select_option("4")
    tablette.get_by_label("Causes identifiées").fill("Tapis antidérapant absent.")
    tablette.get_by_label("Événement indésirable grave associé aux soins (EIGS)").check()
    tablette.get_by_role("button", name="Enregistrer l'analyse").tap()
    expect(tablette.get_by_test_id("statut-ei")).to_have_text("En analyse")
    tablette.get_by_text("Ajouter une action corrective").tap()
    tablette.get_by_label("Action corrective").fill("Tapis antidérapants dans toutes les douches")
    tablette.get_by_label("Responsable").select_option(index=1)
    tablette.get_by_label("Échéance").fill("2027-01-15")
    tablette.get_by_role("button", name="Ajouter l'action").tap()
    expect(tablette.get_by_test_id("statut-ei")).to_have_text("Actions correctives en cours")
    tablette.get_by_text("Clore l'événement").tap()
    tablette.get_by_label("Bilan").fill("Douches équipées.")
    tablette.get_by_role("button", name="Clore").tap()
    expect(tablette.locator(".errorlist").first).to_contain_text("se déclare à l'ARS avant la clôture")
    tablette.get_by_text("Enregistrer la déclaration à l'ARS").tap()
    tablette.get_by_label("Déclaré à l'ARS le").fill("2026-12-01")
    tablette.get_by_role("button", name="Enregistrer", exact=True).tap()
    tablette.get_by_role("button", name="Marquer réalisée").tap()
    tablette.get_by_text("Clore l'événement").tap()
    tablette.get_by_label("Bilan").fill("Douches équipées, déclaration ARS faite.")
    tablette.get_by_role("button", name="Clore").tap()
    expect(tablette.get_by_test_id("statut-ei")).to_have_text("Clos")
    tablette.screenshot(path="test-results/evenement-indesirable-clos.png", full_page=True)
    assert tablette.url == url
    with tenant_context(og_a.organisme.pk):
        ei = EvenementIndesirable.objects.get()
        assert ei.statut == "clos" and ei.declare_ars_le and ei.gravite == 4 and ei.actions.get().realisee_le
    contexte.close()
