"""On a tablet: the admission agent draws up the contract of a new resident, records that it was handed,
and the resident signs it with a finger in the frame; the signed PDF carries its hash."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from administratif import services
from administratif.models import Contrat
from dui.tenancy import tenant_context
from tests.browser.conftest import se_connecter
from tests.factories import SejourFactory, UsagerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_faire_signer_le_contrat_sur_la_tablette(live_server, og_a, page):
    with tenant_context(og_a.organisme.pk):
        u = UsagerFactory(
            organisme=og_a.organisme,
            nom_naissance="Durand",
            premier_prenom="Alice",
            prenoms_naissance=["Alice"],
        )
        SejourFactory(
            usager=u, etablissement=og_a.ehpad, date_entree=timezone.localdate() - datetime.timedelta(days=3)
        )
        services.do_enregistrer_modele(
            og_a.admin, nom="Contrat EHPAD", genre="contrat", actif=True,
            corps="# Contrat de séjour\n\nEntre {{ etablissement }} et {{ prenom }} {{ nom }}.",
        )  # fmt: skip
    se_connecter(page, live_server.url, og_a["agent_administratif"])
    page.goto(f"{live_server.url}/administratif/dossier/{u.public_id}/contrats/")
    page.get_by_label("Modèle").select_option(label="Contrat EHPAD")
    page.get_by_role("button", name="Établir depuis le modèle").tap()
    expect(page.get_by_test_id("etat-contrat")).to_contain_text("à remettre au plus tard le")
    page.get_by_label("Remis à").first.fill("Alice Durand")
    page.get_by_role("button", name="Enregistrer la remise").tap()
    page.get_by_role("link", name="Faire signer sur la tablette").tap()
    expect(page.locator(".texte-contrat")).to_contain_text("Entre EHPAD A et Alice")
    page.get_by_label("Nom de la personne qui signe").fill("Alice Durand")
    # validating an empty frame: refused, what was typed kept
    page.get_by_role("button", name="Valider la signature").tap()
    expect(page.get_by_role("alert").first).to_contain_text("signez dans le cadre")
    expect(page.get_by_label("Nom de la personne qui signe")).to_have_value("Alice Durand")
    cadre = page.locator("canvas[data-signature-canvas]")
    cadre.scroll_into_view_if_needed()  # the page came back with the summary of errors at its top, focused
    boite = cadre.bounding_box()
    page.mouse.move(boite["x"] + 40, boite["y"] + boite["height"] * 0.7)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(boite["x"] + 40 + i * 40, boite["y"] + boite["height"] * (0.3 if i % 2 else 0.7))
    page.mouse.up()
    page.screenshot(path="test-results/contrat-signature-tablette.png", full_page=True)
    page.get_by_role("button", name="Valider la signature").tap()
    expect(page.get_by_test_id("etat-contrat")).to_contain_text("signé le", timeout=60_000)
    with tenant_context(og_a.organisme.pk):
        contrat = Contrat.objects.get()
        assert contrat.signe and len(contrat.empreinte) == 64
        assert contrat.document_signe.statut == "disponible"
