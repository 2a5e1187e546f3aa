"""Absences inside séjours, no overlap, and the daily occupancy computed from them."""

from __future__ import annotations

import datetime

import pytest

from dui.tenancy import tenant_context
from tests.usagers.conftest import creer_usager
from tests.utils import requetes_comptees
from usagers.models import Absence, Sejour

pytestmark = pytest.mark.django_db


def _sejour(tenant, usager):
    with tenant_context(tenant.organisme.pk):
        return Sejour.objects.get(usager=usager)


def test_declare_absences_without_overlap(og_a, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/presence/"
    sejour = _sejour(og_a, usager_a)
    client = client_de(og_a["infirmier"])  # soins.modifier
    data = {
        "absence": "1",
        "sejour": str(sejour.public_id),
        "motif": "hospitalisation",
        "debut": "2026-10-03",
        "fin": "2026-10-10",
        "commentaire": "Chute, CHU",
    }
    assert client.post(url, data).status_code == 302
    r = client.post(url, {**data, "debut": "2026-10-09", "fin": "2026-10-12", "motif": "vacances"})
    assert "chevauche" in r.content.decode() and 'value="2026-10-12"' in r.content.decode()
    r = client.post(url, {**data, "debut": "2026-10-20", "fin": "2026-10-18"})
    assert "ne peut pas précéder" in r.content.decode()
    r = client.post(url, {**data, "debut": "2024-01-01", "fin": "2024-01-02"})
    assert "pendant le séjour" in r.content.decode()
    # An open absence blocks anything after it.
    assert client.post(url, {**data, "debut": "2026-11-01", "fin": ""}).status_code == 302
    assert (
        "chevauche" in client.post(url, {**data, "debut": "2026-12-01", "fin": "2026-12-02"}).content.decode()
    )
    with tenant_context(og_a.organisme.pk):
        assert Absence.objects.filter(sejour=sejour).count() == 2
    body = client.get(url).content.decode()
    assert "Hospitalisation du 03/10/2026 au 10/10/2026 — Chute, CHU" in body
    # An educator reads it but cannot declare; another tenant gets 404.
    assert client_de(og_a["educateur"]).post(url, data).status_code == 404


def test_an_absence_only_on_a_sejour_of_an_esms_where_the_user_may_write(og_a, usager_a, client_de):
    """Issue 15, item 8: a person followed in the EHPAD and the MAS; the EHPAD nurse could declare an
    absence on the MAS séjour."""
    from dui.tenancy import tenant_context as contexte
    from usagers import services

    with contexte(og_a.organisme.pk):
        mas = Sejour.objects.create(
            organisme=og_a.organisme,
            usager=usager_a,
            etablissement=og_a.mas,
            mode_accueil="accueil_jour",
            date_entree=datetime.date(2025, 6, 1),
        )
    url = f"/usagers/{usager_a.public_id}/presence/"
    client = client_de(og_a["infirmier"])  # habilitated in the EHPAD only
    page = client.get(url).content.decode()
    assert str(mas.public_id) not in page.split('name="sejour"')[1].split("</select>")[0]
    data = {
        "absence": "1",
        "sejour": str(mas.public_id),
        "motif": "vacances",
        "debut": "2026-10-03",
        "fin": "",
    }
    r = client.post(url, data)
    assert r.status_code == 200 and "Sélectionnez un choix valide" in r.content.decode()
    with contexte(og_a.organisme.pk):
        assert not Absence.objects.filter(sejour=mas).exists()
        # the service refuses it too, whatever the form offered
        with pytest.raises(services.PermissionDenied):
            services.do_declarer_absence(
                og_a["infirmier"], Absence(sejour=mas, motif="vacances", debut=datetime.date(2026, 10, 3))
            )
    data["sejour"] = str(_sejour_ehpad(og_a, usager_a).public_id)
    assert client.post(url, data).status_code == 302


def _sejour_ehpad(tenant, usager):
    with tenant_context(tenant.organisme.pk):
        return Sejour.objects.get(usager=usager, etablissement=tenant.ehpad)


def test_daily_occupancy(og_a, client_de):
    with tenant_context(og_a.organisme.pk):
        og_a.ehpad.capacite = 4
        og_a.ehpad.save()
    u1 = creer_usager(og_a, nom_naissance="Un", premier_prenom="A", prenoms_naissance=["A"])
    u2 = creer_usager(og_a, nom_naissance="Deux", premier_prenom="B", prenoms_naissance=["B"])
    creer_usager(og_a, og_a.mas, nom_naissance="Mas", premier_prenom="C", prenoms_naissance=["C"])
    with tenant_context(og_a.organisme.pk):
        s1 = Sejour.objects.get(usager=u1)
        Absence.objects.create(
            organisme=og_a.organisme,
            sejour=s1,
            motif="hospitalisation",
            debut=datetime.date(2025, 3, 10),
            fin=datetime.date(2025, 3, 12),
        )
        s2 = Sejour.objects.get(usager=u2)
        s2.date_sortie = datetime.date(2025, 3, 20)
        s2.save()
    client = client_de(og_a["directeur"])
    url = f"/usagers/occupation/{og_a.ehpad.public_id}/?mois=2025-03"

    def jours():
        with requetes_comptees() as ctx:
            r = client.get(url)
        assert r.status_code == 200
        return r.content.decode(), len(ctx.captured_queries)

    body, requetes = jours()
    from usagers.selectors import occupation

    with tenant_context(og_a.organisme.pk):
        lignes = {
            j["jour"].day: j
            for j in occupation(og_a.ehpad, datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))
        }
    assert lignes[5]["presents"] == 2 and lignes[5]["taux"] == 50.0
    assert lignes[11]["hospitalises"] == 1 and lignes[11]["presents"] == 1
    assert lignes[21]["inscrits"] == 1 and lignes[21]["presents"] == 1
    assert lignes[1]["inscrits"] == 2  # séjours started on 1 March (the MAS one is not counted)
    assert body.count('data-testid="jour"') == 31
    # Query count does not depend on the number of séjours.
    for i in range(5):
        creer_usager(og_a, nom_naissance=f"N{i}", premier_prenom="D", prenoms_naissance=["D"])
    assert jours()[1] == requetes


def test_occupancy_needs_pilotage_and_the_tenant(og_a, og_b, client_de):
    url = f"/usagers/occupation/{og_a.ehpad.public_id}/"
    assert client_de(og_a["infirmier"]).get(url).status_code == 404
    assert client_de(og_b["directeur"]).get(url).status_code == 404
    assert client_de(og_a["directeur"]).get(url + "?mois=n-importe").status_code == 200
    assert "Occupation de l" in client_de(og_a["directeur"]).get("/").content.decode()


def test_transfer_keeps_the_dossier_and_exit_closes_the_sejour(og_a, usager_a, client_de):
    from tests.factories import HabilitationFactory

    url = f"/usagers/{usager_a.public_id}/presence/"
    agent = og_a["agent_administratif"]
    client = client_de(agent)
    # No habilitation in the MAS yet: it is not offered.
    r = client.post(
        url, {"transfert": "1", "etablissement": str(og_a.mas.public_id), "date_transfert": "2026-11-02"}
    )
    assert "Sélectionnez un choix valide" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        HabilitationFactory(
            professionnel=agent,
            etablissement=og_a.mas,
            role="agent_administratif",
            debut=datetime.date(2025, 1, 1),
        )
        Absence.objects.create(
            organisme=og_a.organisme,
            sejour=_sejour(og_a, usager_a),
            motif="vacances",
            debut=datetime.date(2026, 10, 25),
        )
    assert (
        client.post(
            url,
            {
                "transfert": "1",
                "etablissement": str(og_a.mas.public_id),
                "date_transfert": "2026-11-02",
                "chambre": "Soleil 3",
            },
        ).status_code
        == 302
    )
    with tenant_context(og_a.organisme.pk):
        ancien, nouveau = Sejour.objects.filter(usager=usager_a).order_by("date_entree")
        assert ancien.date_sortie == datetime.date(2026, 11, 1) and ancien.motif_sortie == "Transfert"
        assert (
            nouveau.etablissement == og_a.mas
            and nouveau.date_sortie is None
            and nouveau.chambre == "Soleil 3"
        )
        assert Absence.objects.get(sejour=ancien).fin == datetime.date(2026, 11, 1)  # open absence closed
    r = client.post(url, {"sortie": "1", "date_sortie": "2026-11-20", "motif_sortie": ""})
    assert "Ce champ est obligatoire" in r.content.decode()
    assert (
        client.post(
            url,
            {
                "sortie": "1",
                "date_sortie": "2026-11-20",
                "motif_sortie": "Retour à domicile",
                "destination": "Domicile, Lyon",
            },
        ).status_code
        == 302
    )
    with tenant_context(og_a.organisme.pk):
        assert not Sejour.objects.filter(usager=usager_a, date_sortie__isnull=True).exists()
    # The nurse may declare absences but not exits.
    assert (
        client_de(og_a["infirmier"])
        .post(url, {"sortie": "1", "date_sortie": "2026-11-20", "motif_sortie": "Autre"})
        .status_code
        == 404
    )
