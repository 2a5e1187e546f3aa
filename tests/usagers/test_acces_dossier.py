"""Defect 6 of issue 15: break-the-glass on a dossier (it could only target an ESMS, which opens no
dossier) and a screen for per-dossier DENY/GRANT exceptions (they had none)."""

from __future__ import annotations

import datetime

import pytest

from dui.models import JournalAcces, TypeAcces
from dui.tenancy import tenant_context
from habilitations.models import BrisDeGlace
from tests.usagers.conftest import creer_usager

pytestmark = pytest.mark.django_db
NE_LE = datetime.date(1941, 6, 2)


@pytest.fixture
def resident_mas(og_a):
    """A resident of A's MAS: outside the habilitations of A's EHPAD staff."""
    return creer_usager(
        og_a,
        og_a.mas,
        nom_naissance="Garnier",
        premier_prenom="Paul",
        prenoms_naissance=["Paul"],
        date_naissance=NE_LE,
    )


TRAITS = {"nom_naissance": "GARNIER", "premier_prenom": "paul", "date_naissance": NE_LE.isoformat()}
MOTIF = "Chute de nuit, le résident est transféré dans notre unité en urgence."


def _journal(og, usager, type_acces):
    with tenant_context(og.organisme.pk):
        return list(
            JournalAcces.objects.filter(objet_id=usager.public_id, type_acces=type_acces).values_list(
                "libelle", flat=True
            )
        )


def test_break_the_glass_opens_a_dossier_for_reading_within_ones_roles(og_a, resident_mas, client_de):
    client = client_de(og_a["aide_soignant"])
    url = resident_mas.get_absolute_url()
    assert client.get(url).status_code == 404
    page = client.get("/usagers/acces-exceptionnel/").content.decode()
    assert "soins" in page and "médical" not in page.split("Il ouvre")[1].split("</p>")[0]
    r = client.post("/usagers/acces-exceptionnel/", {**TRAITS, "motif": MOTIF})
    assert r.status_code == 302 and r["Location"] == url
    r = client.get(url)
    assert r.status_code == 200 and "Accès exceptionnel en cours" in r.content.decode()  # the banner
    assert any(
        "Bris de glace" in libelle for libelle in _journal(og_a, resident_mas, TypeAcces.BRIS_DE_GLACE)
    )
    with tenant_context(og_a.organisme.pk):
        bdg = BrisDeGlace.objects.get(objet_id=resident_mas.public_id)
        assert bdg.etablissement == og_a.mas and bdg.revu_le is None  # to be reviewed by the MAS direction
    # reading only, and only the categories the aide-soignant's role reads: not the medical record
    from habilitations import policy
    from habilitations.roles import Droit

    user = og_a["aide_soignant"]
    policy.oublier(user)
    with tenant_context(og_a.organisme.pk):
        actions = policy.actions_sur(user, resident_mas)
    assert Droit.SOINS_VOIR in actions and Droit.SOINS_MODIFIER not in actions
    assert Droit.MEDICAL_VOIR not in actions and Droit.SOCIAL_VOIR not in actions


def test_break_the_glass_needs_exact_traits_a_motive_and_reveals_nothing(og_a, og_b, resident_mas, client_de):
    client = client_de(og_a["infirmier"])
    r = client.post("/usagers/acces-exceptionnel/", {**TRAITS, "motif": "trop court"})
    assert "au moins 20 caractères" in r.content.decode()
    r = client.post("/usagers/acces-exceptionnel/", {**TRAITS, "nom_naissance": "Garn", "motif": MOTIF})
    assert "ne correspond exactement" in r.content.decode()
    r = client.post("/usagers/acces-exceptionnel/", {"motif": MOTIF})
    assert "matricule INS, ou par son nom de naissance" in r.content.decode()
    # the other organisme's staff cannot reach A's resident, even with the exact traits
    r = client_de(og_b["infirmier"]).post("/usagers/acces-exceptionnel/", {**TRAITS, "motif": MOTIF})
    assert "ne correspond exactement" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert not BrisDeGlace.objects.filter(objet_id=resident_mas.public_id).exists()
    # a professional without any habilitation gets 404
    assert client_de(og_a.admin).get("/usagers/acces-exceptionnel/").status_code == 404


def test_the_admin_sets_and_removes_a_dossier_exception_journaled(og_a, og_b, usager_a, client_de):
    from habilitations import policy
    from habilitations.roles import Droit

    infirmier = og_a["infirmier"]

    def peut_voir_soins():
        policy.oublier(infirmier)
        with tenant_context(og_a.organisme.pk):
            return policy.can(infirmier, Droit.SOINS_VOIR, usager_a)

    assert peut_voir_soins()
    admin = client_de(og_a.admin)
    donnees = {
        "professionnel": str(infirmier.public_id),
        "nom_naissance": "Lefevre Dupont",
        "premier_prenom": "Helene",
        "date_naissance": "1938-04-12",
        "categorie": "soins",
        "nature": "refuser",
    }
    r = admin.post("/usagers/exceptions-acces/", donnees)
    assert r.status_code == 302
    assert not peut_voir_soins()
    assert client_de(infirmier).get(f"/soins/dossier/{usager_a.public_id}/transmissions/").status_code in (
        403,
        404,
    )
    page = admin.get("/usagers/exceptions-acces/").content.decode()
    assert page.count('data-testid="exception"') == 1 and "LEFÈVRE-DUPONT" in page.upper()
    assert any(
        libelle.startswith("Ajout : Exception (refus")
        for libelle in _journal(og_a, usager_a, TypeAcces.ADMINISTRATION)
    )
    # the other organisme's admin sees none of it and cannot remove it
    from usagers.models import ExceptionAccesUsager

    with tenant_context(og_a.organisme.pk):
        exception = ExceptionAccesUsager.objects.get()
    autre = client_de(og_b.admin)
    assert 'data-testid="exception"' not in autre.get("/usagers/exceptions-acces/").content.decode()
    assert autre.post(f"/usagers/exceptions-acces/{exception.pk}/retirer/").status_code == 404
    # a professional who is not the admin gets 404
    assert client_de(og_a["directeur"]).get("/usagers/exceptions-acces/").status_code == 404
    r = admin.post(f"/usagers/exceptions-acces/{exception.pk}/retirer/")
    assert r.status_code == 302
    assert peut_voir_soins()
    assert any(
        libelle.startswith("Retrait : ") for libelle in _journal(og_a, usager_a, TypeAcces.ADMINISTRATION)
    )


def test_a_bad_exception_form_keeps_the_input_and_says_why(og_a, usager_a, client_de):
    r = client_de(og_a.admin).post(
        "/usagers/exceptions-acces/",
        {
            "professionnel": str(og_a["infirmier"].public_id),
            "nom_naissance": "Inconnu",
            "premier_prenom": "X",
            "date_naissance": "1938-04-12",
            "categorie": "soins",
            "nature": "refuser",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200 and "ne correspond exactement" in body and 'value="Inconnu"' in body


def test_changes_to_habilitations_are_journaled(og_a, client_de):
    pro = og_a["educateur"]
    admin = client_de(og_a.admin)
    r = admin.post(
        f"/administration/professionnels/{pro.public_id}/habilitations/",
        {"etablissement": str(og_a.mas.public_id), "role": "educateur", "debut": "2026-01-01", "fin": ""},
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        libelles = list(
            JournalAcces.objects.filter(
                objet_id=pro.public_id, type_acces=TypeAcces.ADMINISTRATION
            ).values_list("libelle", flat=True)
        )
    assert any(x.startswith("Habilitation ajoutée pour") and "MAS A" in x for x in libelles)
