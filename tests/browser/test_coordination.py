"""On a tablet: a nurse books an external consultation with its taxi from the person's agenda, then sees the
conflict message when she books a second one at the same time; an educator records attendance at the
morning's atelier in one tap per person."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coordination import services
from coordination.forms import instant
from coordination.models import Evenement, Participation
from dui.tenancy import tenant_context
from tests.browser.conftest import se_connecter
from tests.soins.conftest import creer_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _remplir_rdv(page, objet: str, jour: datetime.date, debut: str, fin: str) -> None:
    page.get_by_label("Objet").fill(objet)
    page.get_by_label("Date", exact=True).fill(f"{jour:%Y-%m-%d}")
    page.get_by_label("De", exact=True).fill(debut)
    page.get_by_label("À", exact=True).fill(fin)


def test_rendez_vous_avec_transport_conflit_puis_presences(live_server, og_a, page):
    odette = creer_resident(
        og_a, nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    demain = timezone.localdate() + datetime.timedelta(days=1)
    se_connecter(page, live_server.url, og_a["infirmier"])
    page.goto(f"{live_server.url}/agenda/dossier/{odette.public_id}/")
    page.get_by_role("link", name="Nouveau rendez-vous").tap()
    _remplir_rdv(page, "Consultation cardiologie", demain, "10:00", "11:00")
    page.get_by_label("Lieu").fill("CHU, consultations externes")
    page.locator("summary", has_text="Préparation").tap()
    page.get_by_label("À jeun").check()
    page.locator("summary", has_text="Transport").tap()
    page.get_by_label("Transport", exact=True).select_option("taxi")
    page.get_by_label("Départ").fill("09:15")
    page.get_by_label("Retour").fill("12:00")
    page.get_by_role("button", name="Planifier").tap()
    ligne = page.get_by_test_id("evenement").filter(has_text="Consultation cardiologie")
    expect(ligne).to_contain_text("Taxi 09:15→12:00")
    expect(ligne).to_contain_text("À jeun")
    # the same slot again: refused, the other booking named, what was typed kept
    page.get_by_role("link", name="Nouveau rendez-vous").tap()
    _remplir_rdv(page, "Radiographie du genou", demain, "10:30", "11:30")
    page.get_by_role("button", name="Planifier").tap()
    expect(page.get_by_role("alert").first).to_contain_text("a déjà un engagement")
    expect(page.get_by_role("alert").first).to_contain_text("« Consultation cardiologie »")
    expect(page.get_by_label("Objet")).to_have_value("Radiographie du genou")
    page.screenshot(path="test-results/agenda-conflit-tablette.png", full_page=True)
    with tenant_context(og_a.organisme.pk):
        assert Evenement.objects.count() == 1

    # the atelier of the day: one tap per person
    with tenant_context(og_a.organisme.pk):
        jour = timezone.localdate()
        atelier = services.do_planifier(
            og_a["educateur"],
            og_a.ehpad,
            genre="activite",
            titre="Atelier mémoire",
            participants=[odette],
            debut=instant(jour, datetime.time(0, 0)),
            fin=instant(jour, datetime.time(23, 0)),
        )
    page.context.clear_cookies()
    se_connecter(page, live_server.url, og_a["educateur"])
    page.goto(f"{live_server.url}{atelier.get_absolute_url()}")
    participant = page.get_by_test_id("participant").filter(has_text="Odette")
    participant.get_by_role("button", name="Présent").tap()
    expect(
        page.get_by_test_id("participant").filter(has_text="Odette").get_by_role("button", name="Présent")
    ).to_have_attribute("aria-pressed", "true")
    with tenant_context(og_a.organisme.pk):
        assert Participation.objects.get().presence == "present"
    page.screenshot(path="test-results/agenda-presences-tablette.png", full_page=True)
    assert page.erreurs_console == []
