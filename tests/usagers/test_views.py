"""Search, dossier page and creation: habilitations, other tenant, bad input, query counts."""

from __future__ import annotations

import datetime

import pytest

from dui.models import JournalAcces, TypeAcces
from dui.tenancy import tenant_context
from tests.usagers.conftest import creer_usager
from tests.utils import requetes_comptees
from usagers.models import Sejour, TransitionIdentite, Usager

pytestmark = pytest.mark.django_db


def _noms(client, q, **extra):
    body = client.post("/usagers/", {"q": q}, **extra).content.decode()
    return body


@pytest.mark.parametrize(
    "q", ["lefevre", "LEFÈVRE-DUPONT", "lefevre dupont", "lefebre", "helene", "12/04/1938"]
)
def test_search_is_accent_case_hyphen_and_typo_tolerant(og_a, usager_a, client_de, q):
    body = _noms(client_de(og_a["infirmier"]), q, HTTP_HX_REQUEST="true")
    assert "LEFÈVRE-DUPONT" in body, q


def test_search_by_matricule(og_a, usager_a, client_de):
    with tenant_context(og_a.organisme.pk):
        Usager.objects.filter(pk=usager_a.pk).update(matricule_ins="295109912611193", statut_identite="RECUP")
    assert "LEFÈVRE-DUPONT" in _noms(client_de(og_a["infirmier"]), "2 95 10 99 126 111 93")


def test_search_stays_within_habilitations_and_tenant(og_a, og_b, usager_a, usager_b, client_de):
    # B's look-alike is never found from A, and vice versa.
    body = _noms(client_de(og_a["infirmier"]), "lefevre")
    assert body.count('data-testid="resultat"') == 1
    body = _noms(client_de(og_b["infirmier"]), "lefevre")
    assert body.count('data-testid="resultat"') == 1 and "LEFEVRE DUPONT" in body
    # A usager of A's MAS is not found by A's EHPAD nurse (no habilitation in the MAS)...
    creer_usager(og_a, og_a.mas, nom_naissance="Masson", premier_prenom="Luc", prenoms_naissance=["Luc"])
    assert "MASSON" not in _noms(client_de(og_a["infirmier"]), "masson")
    # ...nor by a pharmacist, who has no "administratif" category.
    assert 'data-testid="resultat"' not in _noms(client_de(og_a["pharmacien"]), "lefevre")


def test_dossier_page_gated_journaled_and_isolated(og_a, og_b, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/"
    r = client_de(og_a["educateur"]).get(url)
    assert r.status_code == 200 and "LEFÈVRE-DUPONT" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        entree = JournalAcces.objects.get(type_acces=TypeAcces.LECTURE, objet_id=usager_a.public_id)
        assert entree.professionnel == og_a["educateur"] and entree.etablissement == og_a.ehpad
    assert client_de(og_a["pharmacien"]).get(url).status_code == 404
    assert client_de(og_b["directeur"]).get(url).status_code == 404
    assert client_de(og_b.admin).get(url).status_code == 404


def test_one_record_across_esms_follows_its_sejours(og_a, usager_a, client_de):
    """A transfer to the MAS keeps the dossier; the MAS team then sees it."""
    url = f"/usagers/{usager_a.public_id}/"
    with tenant_context(og_a.organisme.pk):
        from tests.factories import HabilitationFactory

        chef_mas = og_a["chef_service"]
        HabilitationFactory(
            professionnel=chef_mas,
            etablissement=og_a.mas,
            role="chef_service",
            debut=datetime.date(2025, 1, 1),
        )
        Sejour.objects.filter(usager=usager_a).update(date_sortie=datetime.date(2026, 1, 31))
        Sejour.objects.create(
            organisme=og_a.organisme,
            usager=usager_a,
            etablissement=og_a.mas,
            mode_accueil="permanent",
            date_entree=datetime.date(2026, 2, 1),
        )
    body = client_de(og_a["infirmier"]).get(url).content.decode()
    assert "MAS A" in body and "EHPAD A" in body


def test_document_check_from_the_page(og_a, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/identite/document/"
    assert client_de(og_a["educateur"]).post(url, {"type_document": "cni"}).status_code == 404
    client = client_de(og_a["agent_administratif"])
    r = client.post(url, {"type_document": "permis"}, follow=True)
    assert "Choisissez le document" in r.content.decode()
    r = client.post(url, {"type_document": "cni"}, follow=True)
    assert "identité validée" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert TransitionIdentite.objects.filter(usager=usager_a, vers="VALI", type_document="cni").exists()


NOUVEAU = {
    "nom_naissance": "Lefevre Dupont",
    "prenoms_naissance": "Helene Marie",
    "premier_prenom": "",
    "date_naissance": "1938-04-12",
    "sexe": "F",
    "lieu_naissance_insee": "75056",
    "nom_usage": "",
    "prenom_utilise": "",
    "mode_accueil": "permanent",
    "date_entree": "2026-11-02",
}


def test_creation_warns_of_a_probable_duplicate_and_keeps_the_input(og_a, usager_a, client_de):
    client = client_de(og_a["agent_administratif"])
    data = {**NOUVEAU, "etablissement": str(og_a.ehpad.public_id)}
    r = client.post("/usagers/nouveau/", data)
    body = r.content.decode()
    assert r.status_code == 200 and 'data-testid="doublons"' in body and "LEFÈVRE-DUPONT" in body
    assert 'value="Lefevre Dupont"' in body and 'value="Helene Marie"' in body
    with tenant_context(og_a.organisme.pk):
        assert Usager.objects.count() == 1
    r = client.post("/usagers/nouveau/", {**data, "confirmer_doublon": "on"})
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        nouveau = Usager.objects.exclude(pk=usager_a.pk).get()
        assert nouveau.premier_prenom == "Helene" and nouveau.prenoms_naissance == ["Helene", "Marie"]
        assert nouveau.sejours.get().etablissement == og_a.ehpad
        assert "écarté" in nouveau.transitions.get().commentaire


def test_creation_bad_input_and_rights(og_a, og_b, client_de):
    client = client_de(og_a["agent_administratif"])
    r = client.post(
        "/usagers/nouveau/",
        {
            **NOUVEAU,
            "etablissement": str(og_a.mas.public_id),
            "date_naissance": "2999-01-01",
            "lieu_naissance_insee": "abc",
        },
    )
    body = r.content.decode()
    assert "futur" in body and "code officiel géographique" in body
    assert "Sélectionnez un choix valide" in body  # no habilitation in the MAS: not a choice
    r = client.post("/usagers/nouveau/", {**NOUVEAU, "etablissement": str(og_b.ehpad.public_id)})
    assert "Sélectionnez un choix valide" in r.content.decode()
    assert client_de(og_a["educateur"]).get("/usagers/nouveau/").status_code == 404


def test_query_counts_do_not_grow(og_a, usager_a, client_de):
    client = client_de(og_a["infirmier"])

    def count(url, **extra):
        with requetes_comptees() as ctx:
            if url == "recherche":
                assert client.post("/usagers/", {"q": "lefevre"}, **extra).status_code == 200
            else:
                assert client.get(url, **extra).status_code == 200
        return len(ctx.captured_queries)

    dossier = f"/usagers/{usager_a.public_id}/"
    # a first search asks once per process whether pg_trgm is installed: not counted, whatever ran before
    count("recherche", HTTP_HX_REQUEST="true")
    avant_dossier, avant_recherche = count(dossier), count("recherche", HTTP_HX_REQUEST="true")
    with tenant_context(og_a.organisme.pk):
        for i in range(8):
            Sejour.objects.create(
                organisme=og_a.organisme,
                usager=usager_a,
                etablissement=og_a.ehpad,
                mode_accueil="temporaire",
                date_entree=datetime.date(2020, 1, 1 + i),
                date_sortie=datetime.date(2020, 1, 10 + i),
            )
    for i in range(6):
        creer_usager(og_a, nom_naissance=f"Lefevre{i}", premier_prenom="Anne", prenoms_naissance=["Anne"])
    assert count(dossier) == avant_dossier
    assert count("recherche", HTTP_HX_REQUEST="true") == avant_recherche


def test_photo_upload_is_checked_and_served_behind_habilitations(og_a, og_b, usager_a, client_de, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    url = f"/usagers/{usager_a.public_id}/photo/changer/"
    agent = client_de(og_a["agent_administratif"])
    faux = SimpleUploadedFile("photo.jpg", b"pas une image", content_type="image/jpeg")
    assert "pas une image lisible" in agent.post(url, {"photo": faux}, follow=True).content.decode()
    tampon = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 120, 80)).save(tampon, "JPEG")
    photo = SimpleUploadedFile("photo.jpg", tampon.getvalue(), content_type="image/jpeg")
    assert agent.post(url, {"photo": photo}).status_code == 302
    page = agent.get(f"/usagers/{usager_a.public_id}/").content.decode()
    assert f'src="/usagers/{usager_a.public_id}/photo/"' in page
    r = agent.get(f"/usagers/{usager_a.public_id}/photo/")
    assert r.status_code == 200 and b"".join(r.streaming_content)[:3] == b"\xff\xd8\xff"
    assert (
        client_de(og_b["agent_administratif"]).get(f"/usagers/{usager_a.public_id}/photo/").status_code == 404
    )
    assert client_de(og_a["pharmacien"]).get(f"/usagers/{usager_a.public_id}/photo/").status_code == 404
    assert client_de(og_a["educateur"]).post(url, {"photo": photo}).status_code == 404


def test_search_lists_the_closest_name_first(og_a, client_de):
    # Alphabetically "Lamartine" comes first; by resemblance "Martin" does.
    creer_usager(og_a, nom_naissance="Lamartine", premier_prenom="Ana", prenoms_naissance=["Ana"])
    creer_usager(og_a, nom_naissance="Martin", premier_prenom="Luc", prenoms_naissance=["Luc"])
    body = (
        client_de(og_a["infirmier"])
        .post("/usagers/", {"q": "martin"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "LAMARTINE" in body and body.index("MARTIN</strong>") < body.index("LAMARTINE")
