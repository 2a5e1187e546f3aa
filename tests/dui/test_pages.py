"""Core pages: home, établissement page with its access journal, journal page, break-the-glass flow."""

from __future__ import annotations

import pytest

from dui.models import JournalAcces, TypeAcces
from dui.tenancy import tenant_context
from habilitations.models import BrisDeGlace
from tests.factories import EtablissementFactory, HabilitationFactory, UniteFactory
from tests.utils import requetes_comptees

pytestmark = pytest.mark.django_db


def test_home_lists_the_users_etablissements_and_roles(og_a, client_de):
    body = client_de(og_a["medecin"]).get("/").content.decode()
    assert "EHPAD A" in body and "Médecin" in body and "MAS A" not in body
    assert "Médical" in body
    body = client_de(og_a["educateur"]).get("/").content.decode()
    assert "Médical" not in body  # the educator's categories do not include medical data


def test_home_query_count_does_not_grow_with_etablissements(og_a, client_de):
    user = og_a["directeur"]
    client = client_de(user)

    def count():
        with requetes_comptees() as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    premier = count()
    with tenant_context(og_a.organisme.pk):
        for _ in range(5):
            etab = EtablissementFactory(organisme=og_a.organisme)
            UniteFactory(etablissement=etab)
            UniteFactory(etablissement=etab)
            HabilitationFactory(professionnel=user, etablissement=etab, role="directeur")
    assert count() == premier
    assert premier <= 17  # 16 + the reminders of the PP bilans (accompagnement)


def test_etablissement_page_is_journaled_and_needs_a_habilitation(og_a, client_de):
    url = f"/etablissements/{og_a.ehpad.public_id}/"
    assert client_de(og_a["aide_soignant"]).get(url).status_code == 200
    with tenant_context(og_a.organisme.pk):
        entree = JournalAcces.objects.get(type_acces=TypeAcces.LECTURE)
        assert entree.professionnel == og_a["aide_soignant"] and entree.objet_id == og_a.ehpad.public_id
    # Same organisme, no habilitation in the MAS: 404 (no existence oracle).
    assert client_de(og_a["medecin"]).get(f"/etablissements/{og_a.mas.public_id}/").status_code == 404
    # The pharmacist has no "administratif" category: 404 even in their ESMS.
    assert client_de(og_a["pharmacien"]).get(url).status_code == 404


def test_journal_page_filters_and_refuses_non_dpo(og_a, og_b, client_de):
    client_de(og_a["aide_soignant"]).get(f"/etablissements/{og_a.ehpad.public_id}/")
    client_de(og_a["infirmier"]).get(f"/etablissements/{og_a.ehpad.public_id}/")
    dpo = client_de(og_a.dpo)
    body = dpo.get("/journal/").content.decode()
    assert body.count("Fiche établissement EHPAD A") == 2
    body = dpo.get(f"/journal/?professionnel={og_a['infirmier'].public_id}").content.decode()
    assert body.count("Fiche établissement EHPAD A") == 1
    assert f'<option value="{og_a["infirmier"].public_id}" selected>' in body  # kept after filtering
    assert str(og_b["infirmier"].public_id) not in body  # the filter lists this organisme's professionals
    body = dpo.get("/journal/?objet_id=pas-un-uuid&du=2026-02-10&au=2026-01-01").content.decode()
    assert "Identifiant invalide" in body and "La date de fin précède" in body
    assert client_de(og_a["directeur"]).get("/journal/").status_code == 404


def test_break_the_glass_flow_banner_and_review(og_a, client_de):
    infirmier = client_de(og_a["infirmier"])
    url = f"/acces-exceptionnel/etablissement/{og_a.mas.public_id}/"
    assert infirmier.get(f"/etablissements/{og_a.mas.public_id}/").status_code == 404
    r = infirmier.post(url, {"motif": "urgence"})
    assert r.status_code == 200 and "au moins 20 caractères" in r.content.decode()
    assert "urgence</textarea>" in r.content.decode()  # typed text kept
    r = infirmier.post(url, {"motif": "Résident du MAS hospitalisé en urgence, besoin des contacts"})
    assert r.status_code == 302
    page = infirmier.get(f"/etablissements/{og_a.mas.public_id}/").content.decode()
    assert "Accès exceptionnel en cours" in page and "MAS A" in page
    # The director of the ESMS reviews it; the nurse cannot review anything.
    assert infirmier.get("/acces-exceptionnels/revue/").status_code == 404
    with tenant_context(og_a.organisme.pk):
        HabilitationFactory(professionnel=og_a["directeur"], etablissement=og_a.mas, role="directeur")
        bdg = BrisDeGlace.objects.get()
    directeur = client_de(og_a["directeur"])
    body = directeur.get("/acces-exceptionnels/revue/").content.decode()
    assert "besoin des contacts" in body
    r = directeur.post(
        f"/acces-exceptionnels/{bdg.public_id}/revue/", {"avis": "justifie", "commentaire": "OK"}
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        bdg.refresh_from_db()
        assert bdg.revu_par == og_a["directeur"] and bdg.avis_revue == "justifie"
    # The DPO sees it too.
    assert "besoin des contacts" in client_de(og_a.dpo).get("/acces-exceptionnels/revue/").content.decode()


def test_security_headers(og_a, client_de):
    r = client_de(og_a["medecin"]).get("/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r["X-Frame-Options"] == "DENY" and r["Cache-Control"] == "no-store"
    assert "htmx.min.js" in r.content.decode()


def test_connexion_journal_shows_only_this_organismes_events(og_a, og_b, client_de):
    from django.test import Client

    Client().post("/connexion/", {"email": og_a["medecin"].email, "password": "faux"})
    Client().post("/connexion/", {"email": og_b["medecin"].email, "password": "faux"})
    body = client_de(og_a.dpo).get("/journal/connexions/?type=echec_mdp").content.decode()
    assert og_a["medecin"].email in body and og_b["medecin"].email not in body
    assert "Mot de passe refusé" in body
    assert client_de(og_a["medecin"]).get("/journal/connexions/").status_code == 404
