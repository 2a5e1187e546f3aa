"""Authentication: second factor required, lockout, inactivity, deactivation, CSRF, journal."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from dui.tenancy import auth_lookup
from habilitations.models import DispositifTOTP, EvenementAuthentification, TypeEvenementAuth
from tests.conftest import PASSWORD, code_totp, connecter

pytestmark = pytest.mark.django_db


def _evenements(email):
    with auth_lookup():
        return list(
            EvenementAuthentification.objects.filter(email_saisi=email)
            .order_by("horodatage")
            .values_list("type_evenement", flat=True)
        )


def test_password_alone_does_not_open_a_session(og_a):
    user = og_a["infirmier"]
    client = Client()
    r = client.post("/connexion/", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/connexion/second-facteur/"
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/connexion/")


def test_login_with_totp_reaches_home_and_is_journaled(og_a):
    user = og_a["infirmier"]
    client = connecter(Client(), user)
    r = client.get("/")
    assert r.status_code == 200
    assert "EHPAD A" in r.content.decode()
    assert _evenements(user.email) == [TypeEvenementAuth.SUCCES]


def test_wrong_password_is_generic_and_journaled(og_a):
    r = Client().post("/connexion/", {"email": og_a["infirmier"].email, "password": "faux"})
    assert "Adresse e-mail ou mot de passe incorrect." in r.content.decode()
    r = Client().post("/connexion/", {"email": "inconnu@nulle-part.test", "password": "faux"})
    assert "Adresse e-mail ou mot de passe incorrect." in r.content.decode()
    assert _evenements("inconnu@nulle-part.test") == [TypeEvenementAuth.ECHEC_MOT_DE_PASSE]


def test_wrong_totp_is_refused_and_a_code_cannot_be_replayed(og_a):
    user = og_a["infirmier"]
    client = Client()
    client.post("/connexion/", {"email": user.email, "password": PASSWORD})
    r = client.post(
        "/connexion/second-facteur/", {"code": "000000" if code_totp(user) != "000000" else "111111"}
    )
    assert r.status_code == 200 and "Code incorrect" in r.content.decode()
    code = code_totp(user)
    assert client.post("/connexion/second-facteur/", {"code": code}).status_code == 302
    other = Client()
    other.post("/connexion/", {"email": user.email, "password": PASSWORD})
    r = other.post("/connexion/second-facteur/", {"code": code})
    assert r.status_code == 200, "the same TOTP code must not open a second session"


def test_recovery_code_works_once(og_a):
    from habilitations.auth import generer_codes_secours

    user = og_a["educateur"]
    codes = generer_codes_secours(user)
    client = Client()
    client.post("/connexion/", {"email": user.email, "password": PASSWORD})
    assert client.post("/connexion/second-facteur/", {"code": codes[0]}).status_code == 302
    other = Client()
    other.post("/connexion/", {"email": user.email, "password": PASSWORD})
    assert other.post("/connexion/second-facteur/", {"code": codes[0]}).status_code == 200


def test_enrolment_flow_for_a_new_account(og_a):
    import re

    import pyotp

    from habilitations.auth import emettre_code_enrolement
    from habilitations.models import DispositifTOTP

    user = og_a["educateur"]
    code = emettre_code_enrolement(user)
    with auth_lookup():
        dispositif = DispositifTOTP.objects.get(professionnel=user)
    assert dispositif.secret.startswith("fernet:") and dispositif.secret_clair not in dispositif.secret
    client = Client()
    r = client.post("/connexion/", {"email": user.email, "password": PASSWORD})
    assert r["Location"] == "/connexion/enrolement/"
    assert client.post("/connexion/enrolement/", {"code": code}).status_code == 302
    page = client.get("/connexion/enrolement/").content.decode()
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    r = client.post("/connexion/enrolement/", {"code": "12345"})
    assert r.status_code == 200 and "Code incorrect" in r.content.decode()
    r = client.post("/connexion/enrolement/", {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and r["Location"] == "/compte/codes-de-secours/"
    page = client.get("/compte/codes-de-secours/").content.decode()
    assert page.count("<li>") >= 10
    assert client.get("/").status_code == 200


def test_lockout_counts_one_account_across_addresses(og_a, settings):
    """Failures on one account from several addresses add up: the attacker cannot rotate addresses."""
    settings.DUI_LOCKOUT_ATTEMPTS = 3
    user = og_a["infirmier"]
    for i in range(3):
        Client(REMOTE_ADDR=f"203.0.113.{i + 1}").post(
            "/connexion/", {"email": user.email, "password": "mauvais"}
        )
    attaquant = Client(REMOTE_ADDR="203.0.113.50")
    r = attaquant.post("/connexion/", {"email": user.email, "password": PASSWORD})
    assert "Trop de tentatives pour ce compte" in r.content.decode()
    assert r.status_code == 200 and "_auth_user_id" not in attaquant.session
    assert TypeEvenementAuth.VERROUILLE in _evenements(user.email)
    # another account is not concerned
    assert (
        Client(REMOTE_ADDR="203.0.113.50")
        .post("/connexion/", {"email": og_a["medecin"].email, "password": PASSWORD})
        .status_code
        == 302
    )


def test_lockout_cannot_be_sidestepped_with_a_variant_of_the_email(og_a, og_b, settings):
    """Defect 2: failures were counted on the typed e-mail, while the lookup matched its variants
    (upper case, the long s « ſ » that PostgreSQL folds to « s »)."""
    settings.DUI_LOCKOUT_ATTEMPTS = 3
    user = og_a["medecin"]
    local, domaine = user.email.split("@")
    variantes = [user.email.upper(), f"{local}@{domaine.replace('s', 'ſ', 1)}", f" {user.email.title()} "]
    assert "ſ" in variantes[1]
    for variante in variantes:
        Client(REMOTE_ADDR="198.51.100.4").post("/connexion/", {"email": variante, "password": "mauvais"})
    r = Client(REMOTE_ADDR="198.51.100.5").post("/connexion/", {"email": variantes[1], "password": PASSWORD})
    assert r.status_code == 200 and "Trop de tentatives pour ce compte" in r.content.decode()
    # a professional of the other organisme keeps logging in from the same address
    autre = og_b["infirmier"]
    assert (
        Client(REMOTE_ADDR="198.51.100.4")
        .post("/connexion/", {"email": autre.email, "password": PASSWORD})
        .status_code
        == 302
    )


def test_lockout_counts_second_factor_failures_across_addresses(og_a, settings):
    settings.DUI_LOCKOUT_ATTEMPTS = 3
    user = og_a["infirmier"]
    faux = "999999" if code_totp(user) != "999999" else "888888"
    for i in range(3):
        client = Client(REMOTE_ADDR=f"192.0.2.{i + 1}")
        client.post("/connexion/", {"email": user.email, "password": PASSWORD})
        client.post("/connexion/second-facteur/", {"code": faux})
    client = Client(REMOTE_ADDR="192.0.2.99")
    r = client.post("/connexion/", {"email": user.email, "password": PASSWORD})
    assert "Trop de tentatives pour ce compte" in r.content.decode()


def test_unknown_accounts_never_lock_real_users_behind_the_proxy(og_a, og_b, settings):
    """Defect 1: behind the TLS proxy every request came from the proxy's address, and 30 failures on
    random unknown e-mails locked every user of every organisme; the audit rows carried the proxy."""
    settings.DUI_TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.DUI_LOCKOUT_IP_ATTEMPTS = 5
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for i in range(12):
        Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.66").post(
            "/connexion/", {"email": f"inconnu{i}@nulle-part.test", "password": "x"}
        )
    for user in (og_a["medecin"], og_b["infirmier"]):
        r = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.30").post(
            "/connexion/", {"email": user.email, "password": PASSWORD}
        )
        assert r.status_code == 302, user.email
    with auth_lookup():
        adresses = set(
            EvenementAuthentification.objects.filter(email_saisi__startswith="inconnu").values_list(
                "adresse_ip", flat=True
            )
        )
    assert adresses == {"203.0.113.66"}
    # the spraying address itself is slowed down (a delay, not a lock)
    r = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.66").post(
        "/connexion/", {"email": og_a["medecin"].email, "password": PASSWORD}
    )
    assert "patientez" in r.content.decode()


def test_address_spraying_gets_a_growing_delay_that_ends(og_a, settings, monkeypatch):
    import datetime

    from django.utils import timezone

    from habilitations import auth

    settings.DUI_LOCKOUT_IP_ATTEMPTS = 4
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(4):
        client.post("/connexion/", {"email": f"victime{i}@a.test", "password": "x"})
    r = client.post("/connexion/", {"email": og_a["medecin"].email, "password": PASSWORD})
    assert "patientez 1 secondes" in r.content.decode()
    plus_tard = timezone.now() + datetime.timedelta(seconds=5)  # the delay has passed (the journal is
    monkeypatch.setattr(auth.timezone, "now", lambda: plus_tard)  # append-only: time moves instead)
    r = client.post("/connexion/", {"email": og_a["medecin"].email, "password": PASSWORD})
    assert r.status_code == 302


def test_an_unknown_identifier_gets_the_same_answer_as_a_known_one(og_a, settings):
    settings.DUI_LOCKOUT_ATTEMPTS = 2
    for email in ("personne@inconnu.test", og_a["educateur"].email):
        for _ in range(2):
            Client(REMOTE_ADDR="192.0.2.200").post("/connexion/", {"email": email, "password": "x"})
        r = Client(REMOTE_ADDR="192.0.2.201").post("/connexion/", {"email": email, "password": "x"})
        assert "Trop de tentatives pour ce compte" in r.content.decode(), email


def test_client_address_rules(rf, settings):
    from dui.reseau import client_ip

    settings.DUI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.DUI_TRUSTED_PROXY_COUNT = 0
    r = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.2.2.2")
    assert client_ip(r) == "203.0.113.5"  # the right-most untrusted hop, not the forged left-most
    r = rf.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(r) == "198.51.100.1"  # a client not behind the proxy cannot forge the header
    r = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="pas-une-adresse")
    assert client_ip(r) == "10.1.1.1"
    settings.DUI_TRUSTED_PROXIES = []
    settings.DUI_TRUSTED_PROXY_COUNT = 1
    r = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_ip(r) == "203.0.113.5"
    settings.DUI_TRUSTED_PROXY_COUNT = 0
    assert client_ip(r) == "10.1.1.1"


def test_absolute_session_lifetime(og_a, settings):
    settings.DUI_SESSION_MAX_HOURS = 12
    client = connecter(Client(), og_a["infirmier"])
    session = client.session
    session["dui_debut_session"] = time.time() - 12 * 3600 - 60
    session.save()
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/connexion/")
    assert TypeEvenementAuth.DUREE_MAXIMALE in _evenements(og_a["infirmier"].email)


def test_an_inactive_organisme_cannot_log_in_and_its_sessions_end(og_a):
    from dui.models import OrganismeGestionnaire

    user = og_a["infirmier"]
    client = connecter(Client(), user)
    OrganismeGestionnaire.objects.filter(pk=user.organisme_id).update(actif=False)
    assert client.get("/").status_code == 302
    r = Client().post("/connexion/", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 200 and "incorrect" in r.content.decode()


def test_inactivity_ends_the_session(og_a, settings):
    settings.DUI_INACTIVITY_MINUTES = 30
    client = connecter(Client(), og_a["infirmier"])
    assert client.get("/").status_code == 200
    session = client.session
    session["dui_derniere_activite"] = time.time() - 31 * 60
    session.save()
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/connexion/")
    assert client.get("/").status_code == 302
    assert TypeEvenementAuth.INACTIVITE in _evenements(og_a["infirmier"].email)


def test_activity_within_the_timeout_keeps_the_session(og_a):
    client = connecter(Client(), og_a["infirmier"])
    session = client.session
    session["dui_derniere_activite"] = time.time() - 29 * 60
    session.save()
    assert client.get("/").status_code == 200


def test_htmx_request_after_timeout_gets_a_redirect_header(og_a):
    client = connecter(Client(), og_a["infirmier"])
    session = client.session
    session["dui_derniere_activite"] = time.time() - 3600
    session.save()
    r = client.get("/", HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"] == "/connexion/"


def test_deactivation_ends_existing_sessions_at_once(og_a, client_de):
    victime = client_de(og_a["educateur"])
    assert victime.get("/").status_code == 200
    admin = client_de(og_a.admin)
    r = admin.post(
        f"/administration/professionnels/{og_a['educateur'].public_id}/activation/", {"action": "desactiver"}
    )
    assert r.status_code == 302
    assert victime.get("/").status_code == 302
    r = Client().post("/connexion/", {"email": og_a["educateur"].email, "password": PASSWORD})
    assert "incorrect" in r.content.decode()


def test_csrf_is_enforced(og_a, client_de):
    client = client_de(og_a.admin, csrf=True)
    r = client.post(
        f"/administration/professionnels/{og_a['educateur'].public_id}/activation/", {"action": "desactiver"}
    )
    assert r.status_code == 403
    assert "Formulaire expiré" in r.content.decode()
    from habilitations.models import Professionnel

    with auth_lookup():
        assert Professionnel.objects.get(pk=og_a["educateur"].pk).is_active
    token = client.cookies["csrftoken"].value
    r = client.post(
        f"/administration/professionnels/{og_a['educateur'].public_id}/activation/",
        {"action": "desactiver", "csrfmiddlewaretoken": token},
    )
    assert r.status_code == 302
    with auth_lookup():
        assert not Professionnel.objects.get(pk=og_a["educateur"].pk).is_active
    login_page = Client(enforce_csrf_checks=True)
    r = login_page.post("/connexion/", {"email": og_a["infirmier"].email, "password": PASSWORD})
    assert r.status_code == 403


def test_logout_is_post_only_and_journaled(og_a):
    client = connecter(Client(), og_a["infirmier"])
    assert client.get("/deconnexion/").status_code == 405
    assert client.post("/deconnexion/").status_code == 302
    assert client.get("/").status_code == 302
    assert _evenements(og_a["infirmier"].email)[-1] == TypeEvenementAuth.DECONNEXION


def test_password_policy(og_a):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = og_a["infirmier"]
    for faible in ("court1!", "motdepasse123", "123456789012", "password1234", "Azertyuiop2026!"):
        with pytest.raises(ValidationError):
            validate_password(faible, user)
    validate_password("Tisane-verveine-au-jardin-7", user)


def test_change_password_keeps_session_and_rejects_weak_passwords(og_a, client_de):
    client = client_de(og_a["infirmier"])
    r = client.post("/compte/", {"actuel": PASSWORD, "nouveau": "azerty", "confirmation": "azerty"})
    assert r.status_code == 200 and "trop court" in r.content.decode()
    nouveau = "Tisane-verveine-au-jardin-7"
    r = client.post("/compte/", {"actuel": PASSWORD, "nouveau": nouveau, "confirmation": nouveau})
    assert r.status_code == 302
    assert client.get("/").status_code == 200
    assert (
        Client().post("/connexion/", {"email": og_a["infirmier"].email, "password": nouveau}).status_code
        == 302
    )


def test_open_redirect_is_refused(og_a):
    user = og_a["infirmier"]
    client = Client()
    client.post("/connexion/?next=https://malveillant.example/", {"email": user.email, "password": PASSWORD})
    r = client.post("/connexion/second-facteur/", {"code": code_totp(user)})
    assert r["Location"] == "/"


def test_an_administrators_password_expires_unused(og_a, settings):
    """Issue 15, item 8: a password set by an administrator expires (and serves one session)."""
    import datetime

    from django.utils import timezone

    from habilitations.models import Professionnel

    user = og_a["educateur"]
    with auth_lookup():
        Professionnel.objects.filter(pk=user.pk).update(
            doit_changer_mot_de_passe=True,
            mot_de_passe_temporaire_expire_le=timezone.now() - datetime.timedelta(minutes=1),
        )
    r = Client().post("/connexion/", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 200 and "incorrect" in r.content.decode()
    with auth_lookup():
        Professionnel.objects.filter(pk=user.pk).update(
            mot_de_passe_temporaire_expire_le=timezone.now() + datetime.timedelta(hours=1)
        )
    assert Client().post("/connexion/", {"email": user.email, "password": PASSWORD}).status_code == 302


def test_seeds_and_waiting_recovery_codes_are_encrypted_at_rest(og_a, settings):
    """Issue 15, item 8: no second-factor seed in clear in the database, nor recovery codes in a session row;
    a key rotation keeps them readable."""
    from django.contrib.sessions.models import Session
    from django.db import connection

    from dui import chiffrement

    user = og_a["infirmier"]
    client = connecter(Client(), user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.auth_lookup', 'on', false)")
        cursor.execute(
            "SELECT secret FROM habilitations_dispositiftotp WHERE professionnel_id = %s", [user.pk]
        )
        stocke = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('app.auth_lookup', '', false)")
    with auth_lookup():
        clair = user.dispositif_totp.secret_clair
    assert stocke.startswith("fernet:") and clair not in stocke and len(clair) >= 16
    assert client.post("/compte/codes-de-secours/regenerer/").status_code == 302
    sessions = [s.get_decoded() for s in Session.objects.all()]
    attente = next(s["dui_codes_secours"] for s in sessions if "dui_codes_secours" in s)
    assert isinstance(attente, str) and attente.startswith("fernet:")
    page = client.get("/compte/codes-de-secours/").content.decode()
    assert page.count("<li>") >= 10
    # rotation: a new key first, the old one kept; the secrets re-encrypted stay readable
    ancienne = settings.DUI_CLES_CHIFFREMENT[0]
    settings.DUI_CLES_CHIFFREMENT = [chiffrement.nouvelle_cle(), ancienne]
    tourne = chiffrement.rechiffrer(stocke)
    settings.DUI_CLES_CHIFFREMENT = settings.DUI_CLES_CHIFFREMENT[:1]
    assert chiffrement.dechiffrer(tourne) == clair
    with pytest.raises(chiffrement.SecretIllisible):
        chiffrement.dechiffrer(stocke)  # the old key is gone
    with pytest.raises(chiffrement.SecretIllisible):
        chiffrement.dechiffrer(clair)  # never a seed in clear


def test_the_rotation_command_reencrypts_every_seed(og_a, og_b, settings):
    from django.core.management import call_command

    from dui import chiffrement

    with auth_lookup():
        avant = {d.pk: d.secret_clair for d in DispositifTOTP.objects.all()}
    assert len(avant) >= 2 * 13
    settings.DUI_CLES_CHIFFREMENT = [chiffrement.nouvelle_cle(), *settings.DUI_CLES_CHIFFREMENT]
    call_command("rechiffrer", stdout=__import__("io").StringIO())
    settings.DUI_CLES_CHIFFREMENT = settings.DUI_CLES_CHIFFREMENT[:1]  # only the new key is left
    with auth_lookup():
        apres = {d.pk: d.secret_clair for d in DispositifTOTP.objects.all()}
    assert apres == avant
