"""Administrative record: coordinates and cover, entourage, protection measures, consents."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dui.tenancy import tenant_context
from tests.utils import requetes_comptees
from usagers.models import Consentement, DossierAdministratif, MesureProtection, Proche

pytestmark = pytest.mark.django_db

PROCHE = {
    "proche": "1",
    "proche-nom": "Dupont",
    "proche-prenom": "Claire",
    "proche-lien": "enfant",
    "proche-telephone": "06 12 34 56 78",
}


def test_educator_reads_administrative_section_without_advance_directives(og_a, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/administratif/"
    with tenant_context(og_a.organisme.pk):
        DossierAdministratif.objects.create(
            organisme=og_a.organisme,
            usager=usager_a,
            commune="Lyon",
            directives_anticipees="oui",
            directives_lieu="Coffre du bureau infirmier",
        )
    body = client_de(og_a["educateur"]).get(url).content.decode()
    assert "Lyon" in body and "Coffre du bureau infirmier" not in body and "Directives anticipées" not in body
    assert "Coffre du bureau infirmier" in client_de(og_a["infirmier"]).get(url).content.decode()
    # Reading only: the educator cannot post.
    assert client_de(og_a["educateur"]).post(url, {"commune": "Paris"}).status_code == 404


def test_agent_edits_coordinates_with_validation_that_keeps_the_input(og_a, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/administratif/"
    client = client_de(og_a["agent_administratif"])
    data = {
        "adresse": "3 rue des Lilas",
        "code_postal": "6900",
        "commune": "Lyon",
        "telephone": "",
        "email": "",
        "regime": "general",
        "caisse": "CPAM du Rhône",
        "exoneration": "ald",
        "amc": "",
        "amc_adherent": "",
    }
    body = client.post(url, data).content.decode()
    assert "5 chiffres" in body and 'value="3 rue des Lilas"' in body and 'value="CPAM du Rhône"' in body
    assert client.post(url, {**data, "code_postal": "69003"}).status_code == 302
    with tenant_context(og_a.organisme.pk):
        dossier = DossierAdministratif.objects.get(usager=usager_a)
        assert dossier.exoneration == "ald" and dossier.history.count() == 1


def test_entourage_roles_and_their_rules(og_a, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/entourage/"
    client = client_de(og_a["travailleur_social"])
    assert client.post(url, {**PROCHE, "proche-personne_confiance": "on"}).status_code == 302
    # A second personne de confiance is refused, with the message and the input kept.
    r = client.post(url, {**PROCHE, "proche-nom": "Martin", "proche-personne_confiance": "on"})
    body = r.content.decode()
    assert r.status_code == 200 and "Une seule personne de confiance" in body and 'value="Martin"' in body
    # À prévenir needs a call order and a phone.
    r = client.post(url, {**PROCHE, "proche-nom": "Petit", "proche-a_prevenir": "on", "proche-telephone": ""})
    body = r.content.decode()
    assert "ordre d&#x27;appel" in body or "ordre d'appel" in body
    assert "Un téléphone est nécessaire" in body
    assert (
        client.post(
            url, {**PROCHE, "proche-nom": "Petit", "proche-a_prevenir": "on", "proche-ordre_appel": "1"}
        ).status_code
        == 302
    )
    r = client.post(
        url, {**PROCHE, "proche-nom": "Bis", "proche-a_prevenir": "on", "proche-ordre_appel": "1"}
    )
    assert "déjà attribué" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert list(Proche.objects.filter(usager=usager_a).order_by("nom").values_list("nom", flat=True)) == [
            "Dupont",
            "Petit",
        ]
        petit = Proche.objects.get(nom="Petit")
    # Edit then remove.
    edit = f"/usagers/{usager_a.public_id}/entourage/{petit.public_id}/"
    assert (
        client.post(edit, {**PROCHE, "proche-nom": "Petit-Martin", "proche-aidant": "on"}).status_code == 302
    )
    with tenant_context(og_a.organisme.pk):
        petit.refresh_from_db()
        assert (
            petit.nom == "Petit-Martin"
            and petit.aidant
            and not petit.a_prevenir
            and petit.ordre_appel is None
        )
    assert client.post(edit, {"supprimer": "1"}).status_code == 302
    with tenant_context(og_a.organisme.pk):
        assert not Proche.objects.filter(pk=petit.pk).exists()


def test_who_may_edit_the_entourage(og_a, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/entourage/"
    assert client_de(og_a["educateur"]).post(url, PROCHE).status_code == 302  # social.modifier
    assert client_de(og_a["aide_soignant"]).post(url, {**PROCHE, "proche-nom": "X"}).status_code == 404
    body = client_de(og_a["aide_soignant"]).get(url).content.decode()
    assert "DUPONT" in body and "Ajouter un proche" not in body


def test_protection_measure(og_a, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/entourage/"
    client = client_de(og_a["agent_administratif"])
    data = {
        "mesure": "1",
        "mesure-type_mesure": "curatelle_renforcee",
        "mesure-mandataire": "UDAF du Rhône",
        "mesure-date_debut": "2025-06-01",
        "mesure-date_fin": "2025-01-01",
    }
    body = client.post(url, data).content.decode()
    assert "ne peut pas précéder" in body and 'value="UDAF du Rhône"' in body
    # an end date five years ahead of today (a fixed date would make the test fail once it has passed)
    fin = (timezone.localdate() + datetime.timedelta(days=5 * 365)).isoformat()
    assert client.post(url, {**data, "mesure-date_fin": fin}).status_code == 302
    with tenant_context(og_a.organisme.pk):
        assert MesureProtection.objects.get(usager=usager_a).en_cours()


def test_consents_keep_history_and_show_the_current_answer(og_a, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/consentements/"
    client = client_de(og_a["agent_administratif"])
    base = {"type_consentement": "dmp", "exprime_par": "usager", "commentaire": ""}
    assert client.post(url, {**base, "reponse": "accepte", "date_recueil": "2026-01-10"}).status_code == 302
    assert client.post(url, {**base, "reponse": "refuse", "date_recueil": "2026-03-02"}).status_code == 302
    body = client.get(url).content.decode()
    assert "Refusé / opposé (la personne, le 02/03/2026" in body
    with tenant_context(og_a.organisme.pk):
        assert Consentement.objects.filter(usager=usager_a).count() == 2
        assert set(Consentement.objects.values_list("recueilli_par", flat=True)) == {
            og_a["agent_administratif"].pk
        }
    assert (
        client_de(og_a["educateur"])
        .post(url, {**base, "reponse": "accepte", "date_recueil": "2026-03-03"})
        .status_code
        == 404
    )


def test_entourage_page_query_count(og_a, usager_a, client_de):
    client = client_de(og_a["agent_administratif"])
    url = f"/usagers/{usager_a.public_id}/entourage/"

    def count():
        with requetes_comptees() as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    avant = count()
    with tenant_context(og_a.organisme.pk):
        for i in range(6):
            Proche.objects.create(organisme=og_a.organisme, usager=usager_a, nom=f"P{i}", lien="famille")
            MesureProtection.objects.create(
                organisme=og_a.organisme,
                usager=usager_a,
                type_mesure="tutelle",
                mandataire="M",
                date_debut="2020-01-01",
            )
    assert count() == avant
