"""The dashboards and the coupes Pathos through the real views: who sees what, bad input, isolation."""

from __future__ import annotations

import datetime
import html

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dui.tenancy import tenant_context
from pilotage.models import CoupePathos
from tests.factories import HabilitationFactory
from tests.pilotage.test_indicateurs import peupler

PERIODE = {"du": "2025-01-01", "au": "2025-03-31"}
PINNED = 26  # the dashboard and the ESMS page, together, savepoints included


def test_the_director_sees_the_organisme_and_each_esms(og_a, og_b, client_de):
    peupler(og_a)
    peupler(og_b)
    with tenant_context(og_a.organisme.pk):  # the director of both ESMS of A
        HabilitationFactory(
            professionnel=og_a["directeur"],
            etablissement=og_a.mas,
            role="directeur",
            debut=datetime.date(2024, 1, 1),
        )
    client = client_de(og_a["directeur"])
    r = client.get("/pilotage/", PERIODE)
    assert r.status_code == 200
    page = html.unescape(r.content.decode())
    assert "EHPAD A" in page and "14,9 %" in page  # French decimals
    assert "MAS A" in page and "Ensemble" in page and "16,6 %" in page  # 224 days / (15 places × 90 days)
    assert "EHPAD B" not in page and "MAS B" not in page
    r = client.get(f"/pilotage/esms/{og_a.ehpad.public_id}/", PERIODE)
    page = html.unescape(r.content.decode())
    assert r.status_code == 200
    assert "1218" in page  # validated GMPS: 700 + 2,59 × 200
    assert "Centre hospitalier : 1" in page and "Fin du séjour temporaire : 1" in page
    assert "Pilotage" in page  # the menu
    # the other organisme's ESMS: as if it did not exist
    assert client.get(f"/pilotage/esms/{og_b.ehpad.public_id}/", PERIODE).status_code == 404
    assert client.get(f"/pilotage/esms/{og_b.ehpad.public_id}/coupes-pathos/").status_code == 404


def test_a_chef_de_service_sees_only_his_esms(og_a, client_de):
    """The chef de service of the EHPAD (pilotage.voir there only): the MAS of his organisme is not his."""
    peupler(og_a)
    client = client_de(og_a["chef_service"])
    page = html.unescape(client.get("/pilotage/", PERIODE).content.decode())
    assert "EHPAD A" in page and "MAS A" not in page and "Ensemble" not in page
    assert client.get(f"/pilotage/esms/{og_a.ehpad.public_id}/", PERIODE).status_code == 200
    assert client.get(f"/pilotage/esms/{og_a.mas.public_id}/", PERIODE).status_code == 404


def test_without_pilotage_nothing_opens(og_a, client_de):
    peupler(og_a)
    client = client_de(og_a["infirmier"])
    assert client.get("/pilotage/").status_code == 404
    assert client.get(f"/pilotage/esms/{og_a.ehpad.public_id}/").status_code == 404
    assert client.get(f"/pilotage/esms/{og_a.ehpad.public_id}/coupes-pathos/").status_code == 404
    assert b"/pilotage/" not in client.get("/").content


def test_a_wrong_period_says_so_in_french_and_shows_the_current_year(og_a, client_de):
    client = client_de(og_a["directeur"])
    r = client.get("/pilotage/", {"du": "2025-03-31", "au": "2025-01-01"})
    assert r.status_code == 200
    assert "La fin de la période ne peut pas précéder son début." in html.unescape(r.content.decode())
    r = client.get("/pilotage/", {"du": "2020-01-01", "au": "2025-01-01"})
    assert "La période ne peut pas dépasser trois ans." in html.unescape(r.content.decode())
    r = client.get("/pilotage/", {"du": "n'importe quoi", "au": ""})
    assert r.status_code == 200 and "Saisissez une date valide." in html.unescape(r.content.decode())


def test_record_a_coupe_and_bad_input_loses_nothing(og_a, client_de):
    client = client_de(og_a["directeur"])
    url = f"/pilotage/esms/{og_a.ehpad.public_id}/coupes-pathos/"
    donnees = {
        "date_coupe": "2026-03-10",
        "pmp": "205",
        "gmp": "712",
        "valide_le": "2026-03-01",  # before the coupe
        "valide_par": "Dr Bernard, ARS Bretagne",
    }
    r = client.post(url, donnees)
    page = html.unescape(r.content.decode())
    assert r.status_code == 200
    assert "La validation ne peut pas précéder la coupe." in page
    assert 'value="Dr Bernard, ARS Bretagne"' in page and 'value="205"' in page
    r = client.post(url, {**donnees, "pmp": "", "gmp": "1200"})
    page = html.unescape(r.content.decode())
    assert "Ce champ est obligatoire." in page and "Le GMP ne dépasse pas 1000 points" in page
    with tenant_context(og_a.organisme.pk):
        assert not CoupePathos.objects.exists()
    r = client.post(url, {**donnees, "valide_le": "2026-04-02"})
    assert r.status_code == 302
    page = html.unescape(client.get(url).content.decode())
    assert "GMPS 1243" in page  # 712 + 2,59 × 205 = 1242.95
    r = client.post(url, {**donnees, "valide_le": "2026-04-02"})  # the same coupe twice
    assert "Une coupe Pathos est déjà enregistrée à cette date pour cet ESMS." in html.unescape(
        r.content.decode()
    )
    with tenant_context(og_a.organisme.pk):
        coupe = CoupePathos.objects.get()
        assert (coupe.gmps, coupe.enregistree_par, coupe.history.count()) == (1243, og_a["directeur"], 1)


def test_reading_is_not_recording(og_a, client_de):
    """The médecin coordonnateur reads the coupes (pilotage.voir) but does not record them."""
    client = client_de(og_a["medecin_coordonnateur"])
    url = f"/pilotage/esms/{og_a.ehpad.public_id}/coupes-pathos/"
    r = client.get(url)
    assert r.status_code == 200 and b"Enregistrer la coupe" not in r.content
    donnees = {
        "date_coupe": "2026-03-10",
        "pmp": "205",
        "gmp": "712",
        "valide_le": "2026-04-02",
        "valide_par": "X",
    }
    assert client.post(url, donnees).status_code == 404
    with tenant_context(og_a.organisme.pk):
        assert not CoupePathos.objects.exists()


def test_coupes_only_for_an_ehpad(og_a, client_de):
    client = client_de(og_a["directeur"])
    assert client.get(f"/pilotage/esms/{og_a.mas.public_id}/coupes-pathos/").status_code == 404


def test_the_pages_queries_do_not_grow_with_the_data(og_a, client_de):
    client = client_de(og_a["directeur"])
    peupler(og_a)
    client.get("/pilotage/", PERIODE)  # the habilitation decisions, kept for the session from then on
    comptes = []
    for autres in (0, 6):
        if autres:
            with tenant_context(og_a.organisme.pk):
                peupler_plus(og_a, autres)
        with CaptureQueriesContext(connection) as requetes:
            assert client.get("/pilotage/", PERIODE).status_code == 200
            assert client.get(f"/pilotage/esms/{og_a.ehpad.public_id}/", PERIODE).status_code == 200
        comptes.append(len(requetes))
    assert comptes == [PINNED, PINNED]


def peupler_plus(tenant, nombre):
    from tests.pilotage.test_indicateurs import _sejour

    for _ in range(nombre):
        _sejour(tenant.ehpad, date_entree=datetime.date(2025, 2, 1), provenance=f"Hôpital {_}")
        _sejour(tenant.mas, date_entree=datetime.date(2025, 2, 1))
