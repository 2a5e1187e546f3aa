"""The space of the persons and relatives: invitation, account, second factor, lockout, timeouts; what an
account reaches (its own person, the rubriques opened, nothing else: another person of the same ESMS,
another organisme, a professional URL); revocation at once; the rules of consent and protection measures."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dui.tenancy import auth_lookup, tenant_context
from relation import portail, services
from relation.models import AccesPortail, Invitation, StatutAcces
from tests import balayage
from tests.conftest import PASSWORD
from tests.relation.conftest import (
    compte_de,
    connecter_portail,
    creer_compte,
    dernier_code,
    espace_dans,
    espace_de_claire,
    inviter,
    lien_de_l_invitation,
    proche,
    texte,
    tutelle,
)
from tests.soins.conftest import creer_resident
from tests.utils import named_routes

pytestmark = pytest.mark.django_db


def test_invitation_compte_totp_puis_connexion(og_a, client_de):
    """The educator invites the daughter from the dossier tab; the link creates the account (a weak password
    is refused in French, nothing typed is lost), a TOTP is enrolled, the space opens on the person."""
    usager = creer_resident(
        og_a, nom_naissance="Lefort", premier_prenom="Jeanne", prenoms_naissance=["Jeanne"]
    )
    claire = proche(og_a, usager)
    educ = client_de(og_a["educateur"])
    url = reverse("relation:inviter", args=[usager.public_id])
    r = educ.post(url, {"qualite": "proche", "proche": claire.public_id, "etablissement": og_a.ehpad.public_id,
                        "email": "claire@exemple.test", "voir_projet": "on", "messagerie": "on"})  # fmt: skip
    assert r.status_code == 200 and "Indiquez quand la personne a donné son accord" in texte(r)
    assert 'value="claire@exemple.test"' in texte(r)
    r = educ.post(url, {"qualite": "proche", "proche": claire.public_id, "etablissement": og_a.ehpad.public_id,
                        "email": "claire@exemple.test", "voir_projet": "on", "messagerie": "on",
                        "accord_personne_le": timezone.localdate().isoformat(), "accord_modalite": "à l'entretien"})  # fmt: skip
    assert r.status_code == 302
    invitation = mail.outbox[-1]
    assert invitation.to == ["claire@exemple.test"] and "expire le" in invitation.body
    lien = lien_de_l_invitation("claire@exemple.test")
    client = Client()
    r = client.post(lien, {"prenom": "Claire", "nom": "Martin", "password": "court", "password2": "court"})
    page = texte(r)
    assert r.status_code == 200 and "12 caractères" in page and 'value="Claire"' in page
    r = client.post(lien, {"prenom": "Claire", "nom": "Martin", "password": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302 and r.url == "/espace/securite/"
    assert client.get("/espace/").status_code == 302  # no space before the second factor
    client.post("/espace/securite/", {"second_facteur": "totp"})
    compte = compte_de("claire@exemple.test")
    import pyotp

    assert client.post("/espace/securite/", {"code": "000000"}).status_code == 200
    r = client.post("/espace/securite/", {"code": pyotp.TOTP(compte.secret_clair).now()})
    assert r.status_code == 302
    r = client.get("/espace/", follow=True)
    assert "Jeanne" in texte(r) and "Lire le projet" not in texte(r)  # no PP yet
    with tenant_context(og_a.organisme.pk):
        acces = AccesPortail.objects.get(usager=usager)
        assert acces.statut == StatutAcces.ACTIF and acces.compte_id == compte.pk
        assert acces.history.count() >= 2  # granted, then opened by the account: traced
    # the history says who granted it
    with tenant_context(og_a.organisme.pk):
        assert acces.history.earliest().history_user_id == og_a["educateur"].pk


def test_lien_d_invitation_expire_ou_reutilise(og_a):
    usager = creer_resident(og_a)
    claire = proche(og_a, usager)
    inviter(og_a, usager, "c1@exemple.test", le_proche=claire)
    lien = lien_de_l_invitation("c1@exemple.test")
    with auth_lookup():
        Invitation.objects.update(expire_le=timezone.now() - datetime.timedelta(minutes=1))
    r = Client().get(lien)
    assert r.status_code == 410 and "a expiré le" in texte(r)
    with tenant_context(og_a.organisme.pk):
        acces = AccesPortail.objects.get(usager=usager)
        services.do_renvoyer_invitation(og_a["educateur"], acces)
    r = Client().get(lien)
    assert r.status_code == 410 and "remplacée par une plus récente" in texte(r)
    nouveau = lien_de_l_invitation("c1@exemple.test")
    assert nouveau != lien
    creer_compte("c1@exemple.test")
    r = Client().get(nouveau)
    assert r.status_code == 410 and "a déjà servi" in texte(r)
    r = Client().get("/espace/invitation/nimporte-quoi/")
    assert r.status_code == 410 and "n'est pas valable" in texte(r)


def test_accord_mesure_et_refus_de_la_personne(og_a):
    usager = creer_resident(og_a)
    fille, fils = proche(og_a, usager), proche(og_a, usager, prenom="Paul", representant_legal=True)
    with tenant_context(og_a.organisme.pk), pytest.raises(Exception) as erreur:
        services.do_inviter(og_a["educateur"], usager, og_a.ehpad, qualite="proche", proche=fille,
                            email="f@exemple.test")  # fmt: skip
    assert "accord" in str(erreur.value)
    # a representative needs a measure of representation in force
    with tenant_context(og_a.organisme.pk), pytest.raises(Exception) as erreur:
        services.do_inviter(og_a["educateur"], usager, og_a.ehpad, qualite="representant", proche=fils,
                            email="p@exemple.test")  # fmt: skip
    assert "Aucune mesure de représentation" in str(erreur.value)
    mesure = tutelle(og_a, usager)
    inviter(og_a, usager, "p@exemple.test", qualite="representant", le_proche=fils)
    paul = creer_compte("p@exemple.test", prenom="Paul")
    with tenant_context(og_a.organisme.pk):
        acces_paul = AccesPortail.objects.get(proche=fils)
    assert paul.get(f"/espace/{acces_paul.public_id}/").status_code == 200
    # the measure ends: the representative sees nothing, at once
    with tenant_context(og_a.organisme.pk):
        type(mesure).objects.filter(pk=mesure.pk).update(
            date_fin=timezone.localdate() - datetime.timedelta(days=1)
        )
    assert paul.get(f"/espace/{acces_paul.public_id}/").status_code == 404
    # the person refuses her daughter: no access can be opened, a pending invitation dies
    inviter(og_a, usager, "f@exemple.test", le_proche=fille)
    lien = lien_de_l_invitation("f@exemple.test")
    with tenant_context(og_a.organisme.pk):
        services.do_enregistrer_refus(og_a["educateur"], usager, og_a.ehpad, fille, "« Je ne veux pas »")
        with pytest.raises(Exception) as erreur:
            inviter(og_a, usager, "f2@exemple.test", le_proche=fille)
    assert "a refusé" in str(erreur.value)
    assert Client().get(lien).status_code == 410


def test_retrait_immediat_et_rubriques(og_a, client_de):
    usager, acces, claire = espace_de_claire(og_a, voir_documents=False)
    base = f"/espace/{acces.public_id}/"
    assert claire.get(base).status_code == 200
    assert claire.get(base + "documents/").status_code == 404  # rubrique not opened
    r = client_de(og_a["educateur"]).post(
        reverse("relation:acces", args=[acces.public_id]),
        {"action": "retirer", "motif": "Demande de la personne"},
    )
    assert r.status_code == 302
    assert claire.get(base).status_code == 404
    assert claire.get(base + "messages/").status_code == 404
    assert "Aucun espace ne vous est ouvert" in texte(claire.get("/espace/"))


def test_balayage_de_l_espace(og_a, og_b, base_bdpm, codes_serafin, client_de):
    """Every route of the space: A's daughter gets through on her mother's objects; the relative of another
    person of the same ESMS, a relative of the other organisme and A's professionals do not."""
    assert {nom for nom, params in named_routes() if nom.startswith("relation:portail_") and params} == set(
        balayage.PORTAIL
    ) | {"relation:portail_invitation"}
    objets = balayage.objets(og_a, "SECRET-A")
    proprietaire = connecter_portail(objets["compte_portail"].email)
    _voisin_usager, _acces, voisin = espace_de_claire(og_a)  # the daughter of another resident of the EHPAD
    _u_b, _a_b, de_b = espace_de_claire(og_b)
    _u_mas, _a_mas, de_la_mas = espace_dans(og_a, og_a.mas, "proche.mas@exemple.test")  # another ESMS of A
    pro = client_de(og_a["educateur"])
    problemes = []
    for nom, kwargs in balayage.PORTAIL.items():
        url = reverse(nom, kwargs=kwargs(objets))
        r = proprietaire.get(url)
        if r.status_code != 200:
            problemes.append(f"{nom} : la fille reçoit {r.status_code}")
        for qui, client in (("voisine", voisin), ("autre ESMS", de_la_mas), ("autre organisme", de_b)):
            if (s := client.get(url).status_code) != 404:
                problemes.append(f"{nom} : {qui} reçoit {s}")
            if (
                s := client.post(url, {"texte": "x", "objet": "x", "decision": "accord"}).status_code
            ) not in (404, 405):
                problemes.append(f"{nom} : {qui} reçoit {s} en POST")
        r = pro.get(url)
        if r.status_code != 302 or r.url != "/espace/connexion/":
            problemes.append(f"{nom} : un professionnel reçoit {r.status_code}")
    assert problemes == []


def test_aucune_url_professionnelle_pour_un_compte_de_l_espace(og_a):
    usager, acces, claire = espace_de_claire(og_a)
    for url in ("/", "/usagers/", f"/usagers/{usager.public_id}/", f"/relation/dossier/{usager.public_id}/",
                f"/relation/etablissement/{og_a.ehpad.public_id}/messages/", "/compte/"):  # fmt: skip
        r = claire.get(url)
        assert r.status_code == 302 and r.url.startswith("/connexion/"), (url, r.status_code)
    # the junk of the lookup path: never a 500
    for url in ("/espace/pas-un-uuid/", f"/espace/{acces.public_id}/messages/pas-un-uuid/"):
        assert claire.get(url).status_code == 404


def test_verrouillage(og_a, settings):
    usager, acces, _claire = espace_de_claire(og_a)
    email = f"claire.martin.{og_a.organisme.pk}@exemple.test"
    client = Client()
    for _ in range(settings.DUI_LOCKOUT_ATTEMPTS):
        r = client.post("/espace/connexion/", {"email": email, "password": "mauvais"})
        assert "Adresse ou mot de passe incorrect" in texte(r)
    r = client.post("/espace/connexion/", {"email": email, "password": PASSWORD})
    assert r.status_code == 200 and "bloqué" in texte(r)
    # an unknown address gets the same answer as a wrong password
    r = Client().post("/espace/connexion/", {"email": "personne@exemple.test", "password": "x"})
    assert "Adresse ou mot de passe incorrect" in texte(r)


def test_inactivite(og_a, settings):
    """After the inactivity delay the next request goes back to the login, with a French message."""
    _usager, acces, claire = espace_de_claire(og_a)
    session = claire.session
    session[portail.ACTIVITE] = time.time() - settings.DUI_INACTIVITY_MINUTES * 60 - 5
    session.save()
    r = claire.get(f"/espace/{acces.public_id}/", follow=True)
    assert "minutes d'inactivité" in texte(r)
    assert claire.get(f"/espace/{acces.public_id}/").status_code == 302


def test_code_par_courriel_a_usage_unique(og_a):
    _usager, _acces, _claire = espace_de_claire(og_a)
    email = f"claire.martin.{og_a.organisme.pk}@exemple.test"
    client = Client()
    client.post("/espace/connexion/", {"email": email, "password": PASSWORD})
    code = dernier_code(email)
    faux = "111111" if code != "111111" else "222222"
    r = client.post("/espace/connexion/code/", {"code": faux})
    assert r.status_code == 200 and "Code incorrect" in texte(r)
    assert client.post("/espace/connexion/code/", {"code": code}).status_code == 302
    autre = Client()
    autre.post("/espace/connexion/", {"email": email, "password": PASSWORD})
    if dernier_code(email) != code:  # one chance in a million that the new code is the same
        r = autre.post("/espace/connexion/code/", {"code": code})
        assert r.status_code == 200 and "Code incorrect" in texte(r)


def test_une_session_professionnelle_et_l_espace_ne_se_melangent_pas(og_a, client_de):
    usager, acces, _claire = espace_de_claire(og_a)
    pro = client_de(og_a["educateur"])
    r = pro.get(f"/espace/{acces.public_id}/")
    assert r.status_code == 302 and r.url == "/espace/connexion/"
    # logging into the space from a professional's browser ends the professional's session
    email = f"claire.martin.{og_a.organisme.pk}@exemple.test"
    pro.post("/espace/connexion/", {"email": email, "password": PASSWORD})
    pro.post("/espace/connexion/code/", {"code": dernier_code(email)})
    assert pro.get(f"/espace/{acces.public_id}/").status_code == 200
    assert pro.get("/").status_code == 302
