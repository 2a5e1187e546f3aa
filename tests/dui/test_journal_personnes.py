"""Defect 7 of issue 15: pages that show several persons journal each of them; search, photo, INSi
result, waiting list and exchanges list are journaled; refusals are logged; no personal data in URLs."""

from __future__ import annotations

import pytest

from dui.models import JournalAcces, TypeAcces
from dui.tenancy import tenant_context
from tests.soins.conftest import creer_resident

pytestmark = pytest.mark.django_db


def _vus(tenant, personne, type_acces=TypeAcces.LECTURE):
    with tenant_context(tenant.organisme.pk):
        return list(
            JournalAcces.objects.filter(objet_id=personne.public_id, type_acces=type_acces).values_list(
                "libelle", "chemin"
            )
        )


@pytest.fixture
def deux_residents(og_a):
    return [
        creer_resident(
            og_a, chambre=str(10 + i), nom_naissance=nom, premier_prenom="Anne", prenoms_naissance=["Anne"]
        )
        for i, nom in enumerate(("Perrin", "Roussel"))
    ]


@pytest.mark.parametrize(
    ("role", "chemin", "libelle"),
    [
        ("infirmier", "/soins/unite/{unite}/releve/", "Relève"),
        ("aide_soignant", "/soins/unite/{unite}/journee/", "Plan de soins"),
        ("infirmier", "/medicaments/unite/{unite}/tournee/", "Tournée des médicaments"),
        ("infirmier", "/medicaments/unite/{unite}/piluliers/", "Piluliers"),
    ],
)
def test_unit_pages_journal_each_person_shown(og_a, og_b, deux_residents, client_de, role, chemin, libelle):
    url = chemin.format(unite=og_a.unite.public_id)
    assert client_de(og_a[role]).get(url).status_code == 200
    for personne in deux_residents:
        assert [x for x, _c in _vus(og_a, personne) if x.startswith(libelle)], (url, personne)
    # the other organisme cannot open the unit, and its refusal is journaled on its side only
    assert client_de(og_b[role]).get(url).status_code == 404
    with tenant_context(og_b.organisme.pk):
        assert JournalAcces.objects.filter(type_acces=TypeAcces.REFUS, chemin=url).count() == 1
    with tenant_context(og_a.organisme.pk):
        assert not JournalAcces.objects.filter(type_acces=TypeAcces.REFUS).exists()


def test_search_is_posted_and_journals_each_result(og_a, deux_residents, client_de):
    client = client_de(og_a["infirmier"])
    body = client.get("/usagers/?q=perrin").content.decode()
    assert 'data-testid="resultat"' not in body  # a query string searches nothing
    body = client.post("/usagers/", {"q": "perrin"}, HTTP_HX_REQUEST="true").content.decode()
    assert "PERRIN" in body and "ROUSSEL" not in body
    assert [c for _l, c in _vus(og_a, deux_residents[0], TypeAcces.RECHERCHE)] == ["/usagers/"]
    assert _vus(og_a, deux_residents[1], TypeAcces.RECHERCHE) == []
    # no query string in any journal row
    with tenant_context(og_a.organisme.pk):
        assert not JournalAcces.objects.filter(chemin__contains="?").exists()


def test_photo_and_insi_result_are_journaled(og_a, deux_residents, client_de):
    from django.core.files.base import ContentFile

    from usagers.models import AppelInsi, Usager

    personne = deux_residents[0]
    with tenant_context(og_a.organisme.pk):
        personne.photo.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 32), save=False)
        Usager.objects.filter(pk=personne.pk).update(photo=personne.photo.name)
        appel = AppelInsi.objects.create(
            organisme=og_a.organisme,
            usager=personne,
            demandeur=og_a["agent_administratif"],
            statut="en_attente",
        )
    client = client_de(og_a["agent_administratif"])
    assert client.get(f"/usagers/{personne.public_id}/photo/").status_code == 200
    assert client.get(f"/usagers/{personne.public_id}/identite/insi/{appel.public_id}/").status_code == 200
    libelles = [x for x, _c in _vus(og_a, personne)]
    assert any(x.startswith("Photo de") for x in libelles)
    assert any(x.startswith("Résultat de l'appel INSi") for x in libelles)


def test_waiting_list_and_exchanges_list_journal_what_they_show(og_a, client_de):
    from tests.admission.test_admission import _creer

    demande = _creer(client_de(og_a["agent_administratif"]), og_a)
    assert client_de(og_a["directeur"]).get("/admission/").status_code == 200
    assert [x for x, _c in _vus(og_a, demande) if x.startswith("Liste d'attente")]
    # the exchanges list journals the person of each exchange shown
    from interop import services
    from tests.interop.conftest import document_pret, personne

    usager = personne(og_a)
    with tenant_context(og_a.organisme.pk):
        services.do_demander_envoi_mssante(
            og_a["medecin"], document_pret(og_a, usager), "dr.riviere@medecin.mssante.fr"
        )
    assert client_de(og_a["infirmier"]).get("/echanges/").status_code == 200
    assert [x for x, _c in _vus(og_a, usager) if x.startswith("Liste des échanges")]


def test_a_refused_dossier_is_journaled(og_a, deux_residents, client_de):
    personne = deux_residents[0]
    client = client_de(og_a.admin)  # no habilitation: the dossier is refused
    assert client.get(f"/soins/dossier/{personne.public_id}/transmissions/").status_code == 404
    with tenant_context(og_a.organisme.pk):
        refus = JournalAcces.objects.get(type_acces=TypeAcces.REFUS)
    assert refus.professionnel_id == og_a.admin.pk and str(personne.public_id) in refus.chemin
