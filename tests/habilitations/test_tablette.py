"""Shared care tablets (issue 23, item 7; decision 0021): enrolment by the organisme's administrator, a
full login opens the professional's shift on the tablet, their PIN takes it back, three wrong PINs close it,
idleness locks it, « Terminer mon poste » and revocation end it; nothing crosses tenants or tablets."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from dui.tenancy import auth_lookup, tenant_context
from habilitations import postes
from habilitations.models import (
    CodePIN,
    EvenementAuthentification,
    Habilitation,
    MethodeAuth,
    MotifFermeturePresence,
    PostePartage,
    PresencePoste,
    TypeEvenementAuth,
)
from tests.conftest import PASSWORD, code_totp, connecter, csrf_token

pytestmark = pytest.mark.django_db

PIN = "2580"


def _tablette(tenant, libelle: str = "Chariot 1er étage", etablissement=None) -> tuple[PostePartage, str]:
    with tenant_context(tenant.organisme.pk):
        return postes.enroler(tenant.admin, etablissement or tenant.ehpad, libelle)


def _navigateur(jeton: str | None) -> Client:
    client = Client()
    if jeton:
        client.cookies[postes.COOKIE] = jeton
    return client


def _pin(user, pin: str = PIN) -> None:
    postes.definir_pin(user, pin)


def _presence(user) -> PresencePoste | None:
    with auth_lookup():
        return PresencePoste.objects.filter(professionnel=user, fermee_le__isnull=True).first()


def _reprendre(client: Client, presence: PresencePoste, pin: str):
    token = csrf_token(client, "/tablette/")
    return client.post(
        f"/tablette/reprendre/{presence.public_id}/", {"pin": pin, "csrfmiddlewaretoken": token}
    )


def _verrouiller(client: Client):
    token = client.cookies["csrftoken"].value
    return client.post("/tablette/verrouiller/", {"csrfmiddlewaretoken": token})


# --- Enrolment -----------------------------------------------------------------------------------------


def test_l_administrateur_enrole_son_navigateur_et_seule_l_empreinte_est_gardee(og_a):
    admin = connecter(Client(), og_a.admin)
    r = admin.get("/administration/tablettes/")
    assert r.status_code == 200 and "Enrôler ce navigateur" in r.content.decode()
    r = admin.post(
        "/administration/tablettes/",
        {"etablissement": og_a.ehpad.pk, "libelle": "Chariot 1er étage"},
        follow=True,
    )
    assert "est la tablette partagée « Chariot 1er étage » de EHPAD A" in r.content.decode()
    jeton = admin.cookies[postes.COOKIE]
    assert jeton["httponly"] and jeton["samesite"] == "Lax" and int(jeton["max-age"]) >= 300 * 86400
    with tenant_context(og_a.organisme.pk):
        poste = PostePartage.objects.get()
    assert poste.empreinte_jeton != jeton.value and len(poste.empreinte_jeton) == 64
    assert poste.etablissement_id == og_a.ehpad.pk and poste.enrole_par_id == og_a.admin.pk
    # the same name twice in one ESMS: a French error, nothing lost
    autre = admin
    del autre.cookies[postes.COOKIE]
    r = autre.post(
        "/administration/tablettes/", {"etablissement": og_a.ehpad.pk, "libelle": "Chariot 1er étage"}
    )
    assert "Une tablette de cet établissement porte déjà ce nom." in r.content.decode()
    assert 'value="Chariot 1er étage"' in r.content.decode()
    r = autre.post("/administration/tablettes/", {"etablissement": "", "libelle": ""})
    assert r.status_code == 200 and "Ce champ est obligatoire." in r.content.decode()


def test_seul_l_administrateur_de_l_organisme_gere_les_tablettes(og_a, og_b, client_de):
    poste, _ = _tablette(og_a)
    assert client_de(og_a["infirmier"]).get("/administration/tablettes/").status_code == 404
    assert client_de(og_a["directeur"]).get("/administration/tablettes/").status_code == 404
    # B's administrator sees none of A's tablets and cannot revoke them, nor enrol one in A's EHPAD
    admin_b = client_de(og_b.admin)
    r = admin_b.get("/administration/tablettes/")
    assert r.status_code == 200 and "Chariot 1er étage" not in r.content.decode()
    assert admin_b.post(f"/administration/tablettes/{poste.public_id}/revoquer/").status_code == 404
    r = admin_b.post("/administration/tablettes/", {"etablissement": og_a.ehpad.pk, "libelle": "Intrus"})
    assert "Sélectionnez un choix valide" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert PostePartage.objects.get().revoque_le is None
    with tenant_context(og_b.organisme.pk):
        assert not PostePartage.objects.exists()


# --- The shift: full login, PIN, lock ------------------------------------------------------------------


def test_connexion_complete_ouvre_le_poste_et_demande_un_pin(og_a):
    _, jeton = _tablette(og_a)
    user = og_a["infirmier"]
    client = _navigateur(jeton)
    assert "Tablette partagée « Chariot 1er étage »" in client.get("/connexion/").content.decode()
    token = csrf_token(client)
    client.post("/connexion/", {"email": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token})

    r = client.post("/connexion/second-facteur/", {"code": code_totp(user), "csrfmiddlewaretoken": token})
    assert r.status_code == 302 and r["Location"].startswith("/compte/code-pin/?suivant=")
    presence = _presence(user)
    assert presence is not None and presence.methode == MethodeAuth.LOCALE
    assert presence.expire_le > presence.ouverte_le
    # a guessable PIN is refused in French, the form keeps nothing of it
    for mauvais, message in (
        ("1234", "Une suite de chiffres"),
        ("0000", "un seul chiffre répété"),
        ("12a4", "Le code PIN se compose de 4 à 8 chiffres."),
        ("123", "Le code PIN se compose de 4 à 8 chiffres."),
    ):
        r = client.post(
            r["Location"] if r.status_code == 302 else "/compte/code-pin/",
            {"pin": mauvais, "confirmation": mauvais},
        )
        assert r.status_code == 200 and message in r.content.decode(), mauvais
    r = client.post("/compte/code-pin/", {"pin": PIN, "confirmation": "2581"})
    assert "Les deux codes ne sont pas identiques." in r.content.decode()
    r = client.post("/compte/code-pin/?suivant=/", {"pin": PIN, "confirmation": PIN})
    assert r.status_code == 302 and r["Location"] == "/"
    with auth_lookup():
        empreinte = CodePIN.objects.get(professionnel=user).empreinte
    assert empreinte != PIN and check_password(PIN, empreinte)  # hashed like a password
    # on the tablet, the header offers to hand it over and to end one's shift
    page = client.get("/").content.decode()
    assert "Changer d&#x27;utilisateur" in page and "Terminer mon poste" in page


def test_sans_tablette_la_connexion_n_ouvre_aucun_poste(og_a):
    user = og_a["infirmier"]
    client = connecter(Client(), user)
    assert _presence(user) is None
    # nothing to lock off a tablet; and the picker is no page of a session
    assert _verrouiller(client).status_code == 404
    assert "Changer d&#x27;utilisateur" not in client.get("/").content.decode()
    r = Client().post("/tablette/verrouiller/")
    assert r.status_code in (302, 403)  # no session: the login page (or CSRF first)


def test_le_pin_reprend_la_tablette_dans_le_poste(og_a):
    _, jeton = _tablette(og_a)
    infirmier, aide = og_a["infirmier"], og_a["aide_soignant"]
    _pin(infirmier)
    _pin(aide, "8642")
    tablette_client = connecter(_navigateur(jeton), infirmier)
    r = _verrouiller(tablette_client)
    assert r.status_code == 302 and r["Location"] == "/tablette/"
    assert tablette_client.get("/").status_code == 302  # locked: no session
    connecter(tablette_client, aide)
    _verrouiller(tablette_client)
    page = tablette_client.get("/tablette/").content.decode()
    assert infirmier.nom in page and aide.nom in page
    presence = _presence(infirmier)
    debut = presence.ouverte_le.timestamp()
    # a wrong PIN, then the right one: the tablet is the nurse's again, the failures forgotten
    r = _reprendre(tablette_client, presence, "9999")
    assert r.status_code == 200 and "Code PIN incorrect. Il vous reste 2 essais." in r.content.decode()
    r = _reprendre(tablette_client, presence, PIN)
    assert r.status_code == 302 and r["Location"] == "/"
    r = tablette_client.get("/")
    assert r.status_code == 200 and r.wsgi_request.user == infirmier
    assert tablette_client.session["dui_methode_auth"] == MethodeAuth.PIN
    assert tablette_client.session["dui_debut_session"] == debut  # the shift's full login bounds the session
    assert _presence(infirmier).echecs_pin == 0
    with auth_lookup():
        evenements = list(
            EvenementAuthentification.objects.filter(professionnel=infirmier)
            .order_by("horodatage")
            .values_list("type_evenement", "methode")
        )
    assert evenements == [
        (TypeEvenementAuth.SUCCES, MethodeAuth.LOCALE),
        (TypeEvenementAuth.VERROUILLAGE, MethodeAuth.LOCALE),
        (TypeEvenementAuth.ECHEC_PIN, MethodeAuth.PIN),
        (TypeEvenementAuth.SUCCES, MethodeAuth.PIN),
    ]
    # a PIN session cannot change the PIN
    r = tablette_client.post("/compte/code-pin/", {"pin": "7531", "confirmation": "7531"})
    assert r.status_code == 403 and "un code PIN ne peut pas en changer un autre" in r.content.decode()


def test_trois_pin_errones_ferment_le_poste(og_a, settings):
    _, jeton = _tablette(og_a)
    user = og_a["infirmier"]
    _pin(user)
    client = connecter(_navigateur(jeton), user)
    _verrouiller(client)
    presence = _presence(user)
    _reprendre(client, presence, "1111")
    r = _reprendre(client, presence, "2222")
    assert "Il vous reste un essai." in r.content.decode()
    r = _reprendre(client, presence, "3333")
    assert r.status_code == 302 and r["Location"] == "/tablette/"
    page = client.get("/tablette/").content.decode()
    assert "Code PIN erroné 3 fois" in page and "Personne n'est en poste" in page
    with auth_lookup():
        fermee = PresencePoste.objects.get(pk=presence.pk)
    assert fermee.fermee_le is not None and fermee.motif_fermeture == MotifFermeturePresence.ESSAIS_PIN
    # even the right PIN no longer opens anything: a full login is needed
    r = _reprendre(client, presence, PIN)
    assert r.status_code == 302 and r["Location"] == "/tablette/"
    assert client.get("/").status_code == 302


def test_reprendre_exige_la_tablette_du_poste(og_a, og_b):
    """The credential is the tablet's cookie: without it 404; another tablet (of A or of B) cannot take back
    a shift opened elsewhere; a professional of B logging in on A's tablet opens no shift there."""
    _, jeton = _tablette(og_a)
    _, jeton_2 = _tablette(og_a, "Chariot 2e étage")
    _, jeton_b = _tablette(og_b, "Chariot B")
    user = og_a["infirmier"]
    _pin(user)
    _verrouiller(connecter(_navigateur(jeton), user))
    presence = _presence(user)
    assert _reprendre(Client(), presence, PIN).status_code == 404
    assert Client().get("/tablette/").status_code == 404
    for autre in (jeton_2, jeton_b):
        client = _navigateur(autre)
        assert user.nom not in client.get("/tablette/").content.decode()
        r = _reprendre(client, presence, PIN)
        assert r.status_code == 302 and r["Location"] == "/tablette/"
        assert client.get("/").status_code == 302
    assert _presence(user).echecs_pin == 0  # nothing was even tried
    intrus = og_b["infirmier"]
    _pin(intrus)
    connecter(_navigateur(jeton), intrus)
    assert _presence(intrus) is None
    assert intrus.nom not in _navigateur(jeton).get("/tablette/").content.decode()


def test_pas_de_poste_sans_habilitation_dans_l_etablissement_de_la_tablette(og_a):
    _, jeton = _tablette(og_a, "Tablette MAS", etablissement=og_a.mas)
    user = og_a["infirmier"]  # habilitated in the EHPAD only
    connecter(_navigateur(jeton), user)
    assert _presence(user) is None
    with tenant_context(og_a.organisme.pk):
        assert Habilitation.objects.filter(professionnel=user, etablissement=og_a.mas).count() == 0


def test_terminer_mon_poste_ferme_la_reprise(og_a):
    _, jeton = _tablette(og_a)
    user = og_a["infirmier"]
    _pin(user)
    client = connecter(_navigateur(jeton), user)
    presence = _presence(user)
    r = client.post("/deconnexion/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert r.status_code == 302
    with auth_lookup():
        assert (
            PresencePoste.objects.get(pk=presence.pk).motif_fermeture == MotifFermeturePresence.FIN_DE_POSTE
        )
    assert user.nom not in client.get("/tablette/").content.decode()


def test_inactivite_verrouille_la_tablette_sans_fermer_le_poste(og_a, settings):
    _, jeton = _tablette(og_a)
    user = og_a["infirmier"]
    _pin(user)
    client = connecter(_navigateur(jeton), user)
    assert f'data-inactivite="{settings.DUI_POSTE_INACTIVITE_MINUTES}"' in client.get("/").content.decode()
    session = client.session
    session["dui_derniere_activite"] = time.time() - settings.DUI_POSTE_INACTIVITE_MINUTES * 60 - 5
    session.save()
    r = client.get("/", follow=True)
    assert r.redirect_chain[-1][0] == "/tablette/"
    assert "Tablette verrouillée après 5 minutes sans activité" in r.content.decode()
    assert _presence(user) is not None  # the shift stays open: the PIN takes the tablet back
    # the page's own timer posts « inactivité » to the logout form: on a tablet, that locks too
    _reprendre(client, _presence(user), PIN)
    r = client.post(
        "/deconnexion/", {"motif": "inactivite", "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )
    assert r["Location"] == "/tablette/" and _presence(user) is not None
    # off a tablet, the usual 30 minutes apply
    ailleurs = connecter(Client(), og_a["medecin"])
    assert 'data-inactivite="30"' in ailleurs.get("/").content.decode()


def test_revoquer_la_tablette_ferme_ses_postes_et_ses_sessions(og_a, client_de):
    poste, jeton = _tablette(og_a)
    user = og_a["infirmier"]
    _pin(user)
    tablette_client = connecter(_navigateur(jeton), user)
    assert tablette_client.get("/").status_code == 200
    r = client_de(og_a.admin).post(f"/administration/tablettes/{poste.public_id}/revoquer/")
    assert r.status_code == 302
    r = tablette_client.get("/", follow=True)
    assert "Votre poste sur cette tablette est fermé" in r.content.decode()
    assert r.wsgi_request.user.is_anonymous
    assert _navigateur(jeton).get("/tablette/").status_code == 404  # the token no longer opens anything
    with auth_lookup():
        assert (
            PresencePoste.objects.get(professionnel=user).motif_fermeture == MotifFermeturePresence.REVOCATION
        )


def test_une_session_de_tablette_copiee_ailleurs_ne_sert_a_rien(og_a):
    _, jeton = _tablette(og_a)
    user = og_a["infirmier"]
    _pin(user)
    tablette_client = connecter(_navigateur(jeton), user)
    copie = Client()
    copie.cookies["sessionid"] = tablette_client.cookies["sessionid"].value
    r = copie.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/connexion/")


def test_pin_refuse_quand_pro_sante_connect_devient_exige(og_a):
    from habilitations.models import NiveauPSC, PolitiquePSC

    _, jeton = _tablette(og_a)
    user = og_a["infirmier"]
    _pin(user)
    client = connecter(_navigateur(jeton), user)
    _verrouiller(client)
    with tenant_context(og_a.organisme.pk):
        PolitiquePSC.objects.create(organisme=og_a.organisme, exigences={"infirmier": NiveauPSC.REQUISE})
    r = _reprendre(client, _presence(user), PIN)
    assert r.status_code == 200 and "Votre organisme exige Pro Santé Connect" in r.content.decode()


def test_une_session_de_tablette_coute_une_requete_de_plus(og_a):
    """The check of the shift on every request of a tablet's session is one query, under the request's tenant."""
    from tests.utils import nombre_de_requetes

    _, jeton = _tablette(og_a)
    user = og_a["infirmier"]
    _pin(user)
    client = connecter(_navigateur(jeton), user)
    client.get("/")
    sur_tablette = nombre_de_requetes(client, "/")
    session = client.session
    del session[postes.SESSION_PRESENCE]
    session.save()
    client.get("/")
    assert sur_tablette == nombre_de_requetes(client, "/") + 1
