"""Administration UI: platform and OG administrators, with bad input and missing rights."""

from __future__ import annotations

import datetime
import re

import pyotp
import pytest
from django.utils import timezone

from dui.models import Etablissement, OrganismeGestionnaire, Unite
from dui.tenancy import auth_lookup, tenant_context
from habilitations import policy
from habilitations.models import Habilitation, Professionnel
from tests.factories import DispositifFactory

pytestmark = pytest.mark.django_db

NOUVEL_ETAB = {
    "nom": "FAM Les Glycines",
    "finess_geographique": "750123456",
    "categorie": "FAM",
    "capacite": "30",
    "adresse": "",
    "telephone": "",
    "actif": "on",
}


def test_platform_admin_creates_an_organisme_and_its_first_admin(client_de):
    with auth_lookup():
        plateforme = Professionnel.objects.create_platform_admin(
            "plateforme@dui.test", "Un-mot-de-passe-solide-42", nom="Admin", prenom="Plateforme"
        )
        DispositifFactory(professionnel=plateforme, organisme=None)
    client = client_de(plateforme)
    assert client.get("/").status_code == 302  # redirected to the organismes page
    r = client.post(
        "/administration/organismes/nouveau/",
        {
            "raison_sociale": "Association Nouvelle",
            "finess_juridique": "33000001X",
            "siren": "12",
            "admin_email": "admin@nouvelle.test",
            "admin_prenom": "A",
            "admin_nom": "B",
            "admin_mot_de_passe": "court",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200 and "FINESS" in body and "SIREN compte 9 chiffres" in body
    assert 'value="Association Nouvelle"' in body  # nothing typed is lost
    r = client.post(
        "/administration/organismes/nouveau/",
        {
            "raison_sociale": "Association Nouvelle",
            "finess_juridique": "330000017",
            "siren": "",
            "admin_email": "admin@nouvelle.test",
            "admin_prenom": "A",
            "admin_nom": "B",
            "admin_mot_de_passe": "court",
        },
    )
    assert r.status_code == 200 and "trop court" in r.content.decode()
    assert not OrganismeGestionnaire.objects.filter(finess_juridique="330000017").exists()
    r = client.post(
        "/administration/organismes/nouveau/",
        {
            "raison_sociale": "Association Nouvelle",
            "finess_juridique": "330000017",
            "siren": "",
            "admin_email": "admin@nouvelle.test",
            "admin_prenom": "A",
            "admin_nom": "B",
            "admin_mot_de_passe": "Tisane-verveine-au-jardin-7",
        },
    )
    assert r.status_code == 302
    og = OrganismeGestionnaire.objects.get(finess_juridique="330000017")
    with tenant_context(og.pk):
        admin = Professionnel.objects.get(email="admin@nouvelle.test")
        assert admin.est_admin_organisme and admin.organisme == og
    # A platform admin sees no tenant data.
    assert client.get("/administration/etablissements/").status_code == 404
    assert client.get("/journal/").status_code == 404


def test_og_pages_are_404_for_non_admins(og_a, client_de):
    client = client_de(og_a["directeur"])
    for url in (
        "/administration/etablissements/",
        "/administration/professionnels/",
        "/administration/professionnels/nouveau/",
        "/administration/organismes/",
        f"/administration/professionnels/{og_a['medecin'].public_id}/",
    ):
        assert client.get(url).status_code == 404, url


def test_create_etablissement_with_bad_then_good_input(og_a, og_b, client_de):
    client = client_de(og_a.admin)
    r = client.post(
        "/administration/etablissements/nouveau/", {**NOUVEL_ETAB, "finess_geographique": "75-12"}
    )
    body = r.content.decode()
    assert r.status_code == 200 and "9 caractères" in body and 'value="FAM Les Glycines"' in body
    r = client.post(
        "/administration/etablissements/nouveau/",
        {**NOUVEL_ETAB, "finess_geographique": og_b.ehpad.finess_geographique},
    )
    assert r.status_code == 200 and "déjà enregistré" in r.content.decode()
    r = client.post("/administration/etablissements/nouveau/", NOUVEL_ETAB)
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        etab = Etablissement.objects.get(nom="FAM Les Glycines")
        assert etab.organisme == og_a.organisme
        assert etab.history.first().history_user == og_a.admin  # history records the acting user
    r = client.post(
        f"/administration/etablissements/{etab.public_id}/unites/", {"nom": "Aile Ouest", "active": "on"}
    )
    assert r.status_code == 302
    r = client.post(
        f"/administration/etablissements/{etab.public_id}/unites/", {"nom": "Aile Ouest", "active": "on"}
    )
    assert r.status_code == 200 and "porte déjà ce nom" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert Unite.objects.filter(etablissement=etab).count() == 1


def test_create_professional_then_habilitation_then_end_it(og_a, og_b, client_de):
    client = client_de(og_a.admin)
    data = {
        "email": "nouvelle@a.test",
        "nom": "Durand",
        "prenom": "Anne",
        "profession": "infirmier",
        "rpps": "123",
        "mot_de_passe": "Tisane-verveine-au-jardin-7",
    }
    r = client.post("/administration/professionnels/nouveau/", data)
    assert r.status_code == 200 and "11 chiffres" in r.content.decode()
    r = client.post(
        "/administration/professionnels/nouveau/", {**data, "rpps": "", "email": og_b["medecin"].email}
    )
    assert r.status_code == 200 and "existe déjà" in r.content.decode()
    r = client.post("/administration/professionnels/nouveau/", {**data, "rpps": "10101010109"})
    assert r.status_code == 200 and 'data-testid="code-enrolement"' in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        pro = Professionnel.objects.get(email="nouvelle@a.test")
    url = f"/administration/professionnels/{pro.public_id}/habilitations/"
    debut = timezone.localdate().isoformat()
    r = client.post(url, {"etablissement": str(og_b.ehpad.public_id), "role": "infirmier", "debut": debut})
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        assert not Habilitation.objects.filter(professionnel=pro).exists()  # B's ESMS is not a valid choice
    r = client.post(
        url,
        {
            "etablissement": str(og_a.mas.public_id),
            "role": "infirmier",
            "debut": debut,
            "fin": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        },
    )
    with tenant_context(og_a.organisme.pk):
        assert not Habilitation.objects.filter(professionnel=pro).exists()
    client.post(url, {"etablissement": str(og_a.mas.public_id), "role": "infirmier", "debut": debut})
    with tenant_context(og_a.organisme.pk):
        hab = Habilitation.objects.get(professionnel=pro)
        assert policy.can(pro, "soins.modifier", og_a.mas)
    assert client.post(f"/administration/habilitations/{hab.public_id}/terminer/").status_code == 302
    with tenant_context(og_a.organisme.pk):
        hab.refresh_from_db()
        assert hab.fin == timezone.localdate()


def test_exception_added_from_the_ui_denies_access(og_a, client_de):
    client = client_de(og_a.admin)
    medecin = og_a["medecin"]
    r = client.post(
        f"/administration/professionnels/{medecin.public_id}/exceptions/",
        {"etablissement": str(og_a.ehpad.public_id), "categorie": "medical", "nature": "refuser"},
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        policy.oublier(medecin)
        assert not policy.can(medecin, "medical.voir", og_a.ehpad)
    page = client.get(f"/administration/professionnels/{medecin.public_id}/").content.decode()
    assert "Refus d&#x27;accès : médical" in page or "Refus d'accès : médical" in page


def test_admin_cannot_deactivate_themselves(og_a, client_de):
    client = client_de(og_a.admin)
    client.post(
        f"/administration/professionnels/{og_a.admin.public_id}/activation/", {"action": "desactiver"}
    )
    assert client.get("/").status_code == 200


def test_new_account_must_choose_its_own_password(og_a, client_de):
    from django.test import Client

    admin = client_de(og_a.admin)
    r = admin.post(
        "/administration/professionnels/nouveau/",
        {
            "email": "recrue@a.test",
            "nom": "Recrue",
            "prenom": "Rita",
            "profession": "aes",
            "mot_de_passe": "Provisoire-donne-par-admin-1",
        },
    )
    assert r.status_code == 200
    code = re.search(r'data-testid="code-enrolement">([0-9A-F-]+)<', r.content.decode()).group(1)
    with tenant_context(og_a.organisme.pk):
        assert Professionnel.objects.get(email="recrue@a.test").mot_de_passe_temporaire_expire_le
    client = Client()
    client.post("/connexion/", {"email": "recrue@a.test", "password": "Provisoire-donne-par-admin-1"})
    assert client.post("/connexion/enrolement/", {"code": code}).status_code == 302
    page = client.get("/connexion/enrolement/").content.decode()
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert client.post("/connexion/enrolement/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/compte/"
    r = client.post(
        "/compte/",
        {
            "actuel": "Provisoire-donne-par-admin-1",
            "nouveau": "Provisoire-donne-par-admin-1",
            "confirmation": "Provisoire-donne-par-admin-1",
        },
    )
    assert "doit différer" in r.content.decode()
    r = client.post(
        "/compte/",
        {
            "actuel": "Provisoire-donne-par-admin-1",
            "nouveau": "Camomille-du-soir-2026",
            "confirmation": "Camomille-du-soir-2026",
        },
    )
    assert r.status_code == 302
    assert client.get("/").status_code == 200
    # the administrator's password was for one session: it no longer opens one (issue 15, item 8)
    r = Client().post("/connexion/", {"email": "recrue@a.test", "password": "Provisoire-donne-par-admin-1"})
    assert r.status_code == 200


def test_admin_resets_a_lost_second_factor_and_a_password(og_a, client_de):
    from django.test import Client

    from dui.models import JournalAcces
    from habilitations.models import DispositifTOTP
    from tests.conftest import PASSWORD

    admin = client_de(og_a.admin)
    pro = og_a["aide_soignant"]
    url = f"/administration/professionnels/{pro.public_id}/reinitialiser/"
    r = admin.post(url, {"quoi": "second_facteur"})
    assert r.status_code == 200
    code = re.search(r'data-testid="code-enrolement">([0-9A-F-]+)<', r.content.decode()).group(1)
    with auth_lookup():
        assert not DispositifTOTP.objects.get(professionnel=pro).confirme
    client = Client()
    r = client.post("/connexion/", {"email": pro.email, "password": PASSWORD})
    assert r["Location"] == "/connexion/enrolement/"
    # the password alone does not enrol a new phone: the administrator's one-time code is needed
    assert 'data-testid="secret"' not in client.get("/connexion/enrolement/").content.decode()
    assert "incorrect" in client.post("/connexion/enrolement/", {"code": "AAAA-BBBB-CCCC"}).content.decode()
    assert client.post("/connexion/enrolement/", {"code": code.lower()}).status_code == 302
    assert 'data-testid="secret"' in client.get("/connexion/enrolement/").content.decode()
    autre = Client()  # single use: another session cannot use it again
    autre.post("/connexion/", {"email": pro.email, "password": PASSWORD})
    assert "incorrect" in autre.post("/connexion/enrolement/", {"code": code}).content.decode()
    r = admin.post(url, {"quoi": "mot_de_passe", "temporaire": "azerty"}, follow=True)
    assert "Mot de passe refusé" in r.content.decode()
    admin.post(url, {"quoi": "mot_de_passe", "temporaire": "Provisoire-tres-long-2026"})
    with tenant_context(og_a.organisme.pk):
        # code issued, second factor reset, temporary password
        assert JournalAcces.objects.filter(type_acces="administration", objet_id=pro.public_id).count() == 3
        assert Professionnel.objects.get(pk=pro.pk).doit_changer_mot_de_passe
