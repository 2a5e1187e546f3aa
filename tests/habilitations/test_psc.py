"""Pro Santé Connect against the local provider (same protocol): the login, every refusal the issue lists,
the account linking across organismes, the policy per role, the re-authentication of the break-the-glass,
the logout at PSC, the journal and the programme indicator."""

from __future__ import annotations

import datetime
import html
import http.client
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from joserfc.jwk import RSAKey

from dui.tenancy import SESSION_ORGANISME, auth_lookup, tenant_context
from habilitations import psc
from habilitations.models import (
    EvenementAuthentification,
    MethodeAuth,
    NiveauPSC,
    PolitiquePSC,
    Professionnel,
    TypeEvenementAuth,
)
from tests.conftest import PASSWORD, connecter, csrf_token

pytestmark = pytest.mark.django_db

MEDECIN = "810101010101"  # the provider's Jean Dubois: RPPS 10101010101
INFIRMIERE = "810202020202"  # Sophie Moreau: RPPS 10202020202
INCONNUE = "899999999999"
RETOUR = "http://127.0.0.1:8000/connexion/psc/retour/"


@pytest.fixture
def fournisseur(fournisseur_psc, settings):
    settings.DUI_PSC_REDIRECT_URI = RETOUR  # the test client's host is not a loopback address
    return fournisseur_psc


def _avec_rpps(pro, rpps="10101010101"):
    with auth_lookup():
        Professionnel.objects.filter(pk=pro.pk).update(rpps=rpps)
    return _relire(pro)


def _relire(pro):
    with auth_lookup():
        pro.refresh_from_db()
    return pro


def _get(url: str) -> tuple[int, str]:
    """A GET to the provider, as the browser would make it, without following the redirect."""
    morceaux = urlsplit(url)
    connexion = http.client.HTTPConnection(morceaux.hostname, morceaux.port, timeout=5)
    connexion.request("GET", morceaux.path + ("?" + morceaux.query if morceaux.query else ""))
    reponse = connexion.getresponse()
    reponse.read()
    return reponse.status, reponse.getheader("Location") or ""


def _autoriser(client: Client, identifiant: str, depart: str = "/connexion/psc/") -> str:
    """Start the login at the DUI and have the provider authenticate ``identifiant``: the callback URL
    (path and query) the browser would be sent to."""
    r = client.get(depart)
    assert r.status_code == 302, r.content.decode()[:300]
    assert r["Location"].startswith("http://127.0.0.1:")
    statut, retour = _get(r["Location"] + "&" + urlencode({"login_hint": identifiant}))
    assert statut == 302 and retour.startswith(RETOUR), retour
    morceaux = urlsplit(retour)
    return f"{morceaux.path}?{morceaux.query}"


def _connexion(client: Client, identifiant: str, depart: str = "/connexion/psc/"):
    return client.get(_autoriser(client, identifiant, depart))


def _evenements(**filtres):
    with auth_lookup():
        return list(EvenementAuthentification.objects.filter(**filtres).order_by("horodatage"))


def _texte(r) -> str:
    return html.unescape(r.content.decode())


def _refus(r, texte: str, motif: str):
    corps = _texte(r)
    assert r.status_code == 403, corps[:300]
    assert texte in corps
    dernier = _evenements(type_evenement=TypeEvenementAuth.ECHEC_PSC)[-1]
    assert motif in dernier.motif and dernier.methode == MethodeAuth.PSC
    return dernier


def test_the_authorization_request_carries_pkce_state_nonce_and_acr(fournisseur, og_a):
    r = Client().get("/connexion/psc/")
    params = parse_qs(urlsplit(r["Location"]).query)
    assert params["code_challenge_method"] == ["S256"] and len(params["code_challenge"][0]) == 43
    assert params["state"][0] and params["nonce"][0] and params["acr_values"] == ["eidas1"]
    assert params["scope"] == ["openid scope_all"] and params["redirect_uri"] == [RETOUR]


def test_login_links_the_account_opens_its_organisme_and_is_journaled(fournisseur, og_a):
    medecin = _avec_rpps(og_a["medecin"])
    client = Client()
    r = _connexion(client, MEDECIN)
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.session[SESSION_ORGANISME] == og_a.organisme.pk
    assert int(client.session["_auth_user_id"]) == medecin.pk
    accueil = client.get("/")
    assert accueil.status_code == 200 and "EHPAD A" in accueil.content.decode()
    _relire(medecin)
    assert medecin.psc_sub == f"f:psc-test:{MEDECIN}" and medecin.psc_lie_le is not None
    (succes,) = _evenements(type_evenement=TypeEvenementAuth.SUCCES)
    assert succes.professionnel_id == medecin.pk and succes.methode == MethodeAuth.PSC
    assert succes.organisme_id == og_a.organisme.pk
    # no second factor asked: PSC is the strong authentication
    assert client.get("/usagers/").status_code == 200


def test_a_signed_userinfo_is_verified_too(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    fournisseur.userinfo_jwt = True
    assert _connexion(Client(), MEDECIN).status_code == 302


def test_wrong_state_and_replayed_callback_are_refused(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    client = Client()
    retour = _autoriser(client, MEDECIN)
    falsifie = retour.replace("state=", "state=x")
    _refus(client.get(falsifie), "ne correspond à aucune connexion en cours", "state invalide")
    # the genuine callback still works once…
    assert client.get(retour).status_code == 302
    # …and never twice, even from another browser
    _refus(Client().get(retour), "ne correspond à aucune connexion en cours", "state invalide")


def test_wrong_or_replayed_nonce_is_refused(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    fournisseur.nonce_impose = "un-autre-nonce"
    _refus(_connexion(Client(), MEDECIN), "n'a pas pu être vérifiée", "nonce")
    # the nonce of an earlier login, replayed in a new one
    fournisseur.nonce_impose = None
    assert _connexion(Client(), MEDECIN).status_code == 302
    fournisseur.nonce_impose = fournisseur.demandes[-1]["nonce"]
    _refus(_connexion(Client(), MEDECIN), "n'a pas pu être vérifiée", "nonce")


def test_expired_id_token_is_refused(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    fournisseur.duree = -600  # beyond the two minutes of clock leeway
    _refus(_connexion(Client(), MEDECIN), "n'a pas pu être vérifiée", "expiré")


def test_wrong_audience_is_refused(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    fournisseur.audience = "un-autre-service"
    _refus(_connexion(Client(), MEDECIN), "n'a pas pu être vérifiée", "aud")


def test_unknown_signing_key_is_refused_and_a_key_rotation_is_followed(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    assert _connexion(Client(), MEDECIN).status_code == 302  # keys fetched and cached
    lectures = fournisseur.requetes_jwks
    fournisseur.cle_inconnue = RSAKey.generate_key(2048, parameters={"kid": "pirate", "alg": "RS256"})
    _refus(_connexion(Client(), MEDECIN), "n'a pas pu être vérifiée", "clé inconnue")
    assert fournisseur.requetes_jwks == lectures + 1  # looked again before refusing
    fournisseur.cle_inconnue = None
    fournisseur.pivoter()  # new key; the cached one is no longer published
    assert _connexion(Client(), MEDECIN).status_code == 302
    assert fournisseur.requetes_jwks == lectures + 2
    assert _connexion(Client(), MEDECIN).status_code == 302
    assert fournisseur.requetes_jwks == lectures + 2  # cached again


def test_a_token_signed_with_a_published_kid_but_another_key_is_refused(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    fournisseur.cle_inconnue = RSAKey.generate_key(
        2048, parameters={"kid": fournisseur.cles[0].kid, "alg": "RS256"}
    )
    _refus(_connexion(Client(), MEDECIN), "n'a pas pu être vérifiée", "jeton d'identité invalide")


def test_insufficient_acr_is_refused(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    fournisseur.acr = "eidas0"
    r = _connexion(Client(), MEDECIN)
    _refus(r, "niveau d'authentification de Pro Santé Connect est insuffisant", "acr « eidas0 »")
    assert "_auth_user_id" not in Client().session


def test_userinfo_of_another_subject_is_refused(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    fournisseur.sub_userinfo = "f:psc-test:quelqu-un-d-autre"
    _refus(_connexion(Client(), MEDECIN), "n'a pas pu être vérifiée", "sub des informations")


def test_unknown_identifier_gets_a_french_page_and_an_audit_row(fournisseur, og_a):
    r = _connexion(Client(), INCONNUE)
    evenement = _refus(r, "n'est associée à aucun compte du DUI", "identifiant national inconnu")
    assert INCONNUE in r.content.decode()
    assert evenement.organisme_id is None and evenement.email_saisi == f"psc:{INCONNUE}"
    # never matched by e-mail: an account with the provider's e-mail-like name is irrelevant
    assert not _evenements(type_evenement=TypeEvenementAuth.SUCCES)


def test_an_identifier_known_in_another_organisme_only_opens_that_one(fournisseur, og_a, og_b):
    medecin_b = _avec_rpps(og_b["medecin"])
    client = Client()
    assert _connexion(client, MEDECIN).status_code == 302
    assert client.session[SESSION_ORGANISME] == og_b.organisme.pk
    assert int(client.session["_auth_user_id"]) == medecin_b.pk
    assert client.get(f"/etablissements/{og_a.ehpad.public_id}/").status_code == 404
    assert "EHPAD B" in client.get("/").content.decode()


def test_one_identity_in_two_organismes_chooses_and_cannot_forge_a_choice(fournisseur, og_a, og_b):
    medecin_a, medecin_b = _avec_rpps(og_a["medecin"]), _avec_rpps(og_b["medecin"])
    client = Client()
    r = _connexion(client, MEDECIN)
    assert r.status_code == 302 and r["Location"] == "/connexion/psc/organisme/"
    page = client.get("/connexion/psc/organisme/").content.decode()
    assert "Organisme A" in page and "Organisme B" in page
    assert "_auth_user_id" not in client.session
    # an account that the callback did not offer (another professional of organisme A)
    r = client.post("/connexion/psc/organisme/", {"compte": str(og_a["infirmier"].public_id)})
    assert r.status_code == 200 and "Choisissez l'un des organismes proposés." in _texte(r)
    assert "_auth_user_id" not in client.session
    r = client.post("/connexion/psc/organisme/", {"compte": str(medecin_b.public_id)})
    assert r.status_code == 302
    assert int(client.session["_auth_user_id"]) == medecin_b.pk
    assert client.session[SESSION_ORGANISME] == og_b.organisme.pk
    assert medecin_a.pk != medecin_b.pk
    # the choice is used once
    assert client.get("/connexion/psc/organisme/").status_code == 302


def test_psc_required_for_the_role_refuses_the_password(fournisseur, og_a):
    medecin = _avec_rpps(og_a["medecin"])
    with tenant_context(og_a.organisme.pk):
        PolitiquePSC.objects.create(organisme=og_a.organisme, exigences={"medecin": NiveauPSC.REQUISE})
    client = Client()
    token = csrf_token(client)
    r = client.post(
        "/connexion/", {"email": medecin.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert r.status_code == 200 and "exige Pro Santé Connect pour votre rôle" in _texte(r)
    assert "_auth_user_id" not in client.session and "dui_2fa_user" not in client.session
    (refus,) = _evenements(type_evenement=TypeEvenementAuth.LOCALE_REFUSEE)
    assert refus.professionnel_id == medecin.pk
    # the same account through PSC: accepted; another role keeps its password
    assert _connexion(Client(), MEDECIN).status_code == 302
    connecter(Client(), og_a["infirmier"])


def test_psc_off_for_every_role_of_the_account_refuses_psc(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    with tenant_context(og_a.organisme.pk):
        PolitiquePSC.objects.create(organisme=og_a.organisme, exigences={"medecin": NiveauPSC.DESACTIVEE})
    _refus(_connexion(Client(), MEDECIN), "n'a pas ouvert la connexion par Pro Santé Connect", "désactivé")


def test_an_account_linked_to_another_psc_account_is_refused(fournisseur, og_a):
    medecin = _avec_rpps(og_a["medecin"])
    with auth_lookup():
        Professionnel.objects.filter(pk=medecin.pk).update(
            psc_sub="f:psc-test:autre", psc_lie_le=timezone.now()
        )
    _refus(_connexion(Client(), MEDECIN), "rattaché à une autre identité", "autre compte Pro Santé Connect")


def test_logout_ends_the_session_at_psc_too(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    client = Client()
    _connexion(client, MEDECIN)
    id_token = client.session[psc.SESSION_PSC_ID_TOKEN]
    r = client.post("/deconnexion/")
    assert r.status_code == 200
    url = r.context["url"]
    params = parse_qs(urlsplit(url).query)
    assert url.startswith(fournisseur.url + "/protocol/openid-connect/logout")
    assert params["id_token_hint"] == [id_token]
    assert params["post_logout_redirect_uri"] == ["http://testserver/connexion/?deconnexion=psc"]
    assert f'content="0;url={url.replace("&", "&amp;")}"' in r.content.decode()
    statut, retour = _get(url)
    assert statut == 302 and retour.startswith("http://testserver/connexion/")
    assert fournisseur.deconnexions[-1]["id_token_hint"] == id_token
    assert client.get("/").status_code == 302  # logged out of the DUI
    (deconnexion,) = _evenements(type_evenement=TypeEvenementAuth.DECONNEXION)
    assert deconnexion.methode == MethodeAuth.PSC


def test_a_local_logout_does_not_go_to_psc(fournisseur, og_a):
    client = connecter(Client(), og_a["infirmier"])
    r = client.post("/deconnexion/")
    assert r.status_code == 302 and r["Location"] == "/connexion/"


def test_break_the_glass_may_require_a_recent_psc_authentication(fournisseur, og_a):
    aide = _avec_rpps(og_a["aide_soignant"], "10202020202")
    with tenant_context(og_a.organisme.pk):
        PolitiquePSC.objects.create(organisme=og_a.organisme, reauth_bris_de_glace_minutes=5)
    client = connecter(Client(), aide)  # password + TOTP: no PSC authentication in this session
    url = f"/acces-exceptionnel/etablissement/{og_a.mas.public_id}/"
    page = client.get(url)
    assert page.status_code == 200 and "moins de 5 minutes" in page.content.decode()
    motif = "Chute d'un résident de la MAS la nuit, infirmière absente."
    r = client.post(url, {"motif": motif})
    assert r.status_code == 403 and "authentifiez-vous d'abord" in _texte(r)
    # someone else's PSC identity does not count
    r = _connexion(client, MEDECIN, depart=f"/connexion/psc/?reauth=1&next={url}")
    assert r.status_code == 403 and "n'est pas celle de votre compte" in _texte(r)
    assert client.post(url, {"motif": motif}).status_code == 403
    # their own: back to the page, and the access opens
    r = _connexion(client, INFIRMIERE, depart=f"/connexion/psc/?reauth=1&next={url}")
    assert r.status_code == 302 and r["Location"] == url
    assert client.post(url, {"motif": motif}).status_code == 302
    (reauth,) = _evenements(type_evenement=TypeEvenementAuth.REAUTHENTIFICATION)
    assert reauth.professionnel_id == aide.pk
    # twenty minutes later it is stale again
    session = client.session
    session[psc.SESSION_PSC_DEPUIS] -= 20 * 60
    session.save()
    assert "moins de 5 minutes" in client.get(url).content.decode()


def test_the_admin_sets_the_policy_with_french_errors(fournisseur, og_a, og_b, client_de):
    client = client_de(og_a.admin)
    assert client.get("/administration/pro-sante-connect/").status_code == 200
    donnees = {f"exigence_{c}": NiveauPSC.PREFEREE for c, _ in PolitiquePSC.categories()}
    r = client.post(
        "/administration/pro-sante-connect/",
        {**donnees, "exigence_medecin": "n-importe-quoi", "reauth_bris_de_glace_minutes": "0"},
    )
    corps = _texte(r)
    assert r.status_code == 200 and "Choisissez exigée, proposée ou désactivée." in corps
    assert "Indiquez au moins 1 minute" in corps
    assert not PolitiquePSC.objects.filter(organisme=og_a.organisme).exists()
    r = client.post(
        "/administration/pro-sante-connect/",
        {**donnees, "exigence_infirmier": NiveauPSC.REQUISE, "reauth_bris_de_glace_minutes": "15"},
    )
    assert r.status_code == 302
    politique = PolitiquePSC.objects.get(organisme=og_a.organisme)
    assert politique.niveau("infirmier") == NiveauPSC.REQUISE and politique.reauth_bris_de_glace_minutes == 15
    assert psc.niveau(og_a["infirmier"]) == NiveauPSC.REQUISE
    assert psc.niveau(og_b["infirmier"]) == NiveauPSC.PREFEREE  # the other organisme's rule is its own
    page_b = client_de(og_b.admin).get("/administration/pro-sante-connect/").content.decode()
    assert 'value="requise" selected' not in page_b
    assert client_de(og_a["medecin"]).get("/administration/pro-sante-connect/").status_code == 404


def test_changing_the_rpps_unlinks_and_a_duplicate_rpps_is_refused_in_french(fournisseur, og_a, client_de):
    medecin = _avec_rpps(og_a["medecin"])
    _connexion(Client(), MEDECIN)
    client = client_de(og_a.admin)
    fiche = client.get(f"/administration/professionnels/{medecin.public_id}/").content.decode()
    assert "compte lié le" in fiche
    donnees = {
        "nom": medecin.nom,
        "prenom": medecin.prenom,
        "profession": medecin.profession,
        "rpps": "10101010101",
    }
    r = client.post(f"/administration/professionnels/{og_a['infirmier'].public_id}/", donnees)
    assert "Ce numéro RPPS est déjà celui d'un autre professionnel de l'organisme." in _texte(r)
    r = client.post(
        f"/administration/professionnels/{medecin.public_id}/", {**donnees, "rpps": "10303030303"}
    )
    assert r.status_code == 302
    _relire(medecin)
    assert medecin.rpps == "10303030303" and medecin.psc_sub == "" and medecin.psc_lie_le is None


def test_the_login_page_offers_psc_first_when_configured(fournisseur, settings):
    assert "Se connecter avec Pro Santé Connect" in Client().get("/connexion/").content.decode()
    settings.DUI_PSC_DISCOVERY_URL = ""
    assert "Se connecter avec Pro Santé Connect" not in Client().get("/connexion/").content.decode()
    assert Client().get("/connexion/psc/").status_code == 404


def test_an_unreachable_provider_gets_a_french_page(fournisseur, settings):
    settings.DUI_PSC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    r = Client().get("/connexion/psc/")
    assert r.status_code == 502 and "Pro Santé Connect est injoignable" in r.content.decode()


def test_share_of_psc_logins_per_esms(fournisseur, og_a, og_b):
    from interop.selectors import connexions_psc

    _avec_rpps(og_a["medecin"])
    _avec_rpps(og_b["medecin"])
    _connexion(Client(), MEDECIN, depart="/connexion/psc/")  # two accounts: choice page, no login yet
    with auth_lookup():
        Professionnel.objects.filter(pk=og_b["medecin"].pk).update(rpps="")
    _connexion(Client(), MEDECIN)
    connecter(Client(), og_a["infirmier"])
    connecter(Client(), og_b["infirmier"])
    depuis = timezone.now() - datetime.timedelta(days=1)
    with tenant_context(og_a.organisme.pk):
        assert connexions_psc(og_a.ehpad, depuis) == {"connexions": 2, "connexions_psc": 1, "part_psc": 50}
        assert connexions_psc(og_a.mas, depuis) == {"connexions": 0, "connexions_psc": 0, "part_psc": None}
    with tenant_context(og_b.organisme.pk):
        assert connexions_psc(og_b.ehpad, depuis) == {"connexions": 1, "connexions_psc": 0, "part_psc": 0}


def test_the_indicators_page_shows_the_share(fournisseur, og_a, client_de):
    _avec_rpps(og_a["medecin"])
    _connexion(Client(), MEDECIN)
    r = client_de(og_a["directeur"]).get(f"/echanges/indicateurs/{og_a.ehpad.public_id}/")
    assert r.status_code == 200
    corps = r.content.decode()
    assert 'data-testid="indicateur-psc"' in corps and "1 sur 2 (50 %)" in corps


JUNK = [
    {},
    {"state": "\x00", "code": "\x00"},
    {"state": "x" * 5000, "code": "y" * 5000, "error": "z" * 500},
    {"error": "access_denied"},
    {"compte": "pas-un-uuid"},
    {"compte": "\x00", "next": "//ailleurs.example/", "reauth": "1"},
]


def test_junk_on_the_live_psc_routes_gets_french_pages_never_a_500(fournisseur, og_a):
    _avec_rpps(og_a["medecin"])
    client = Client()
    for donnees in JUNK:
        for url in ("/connexion/psc/", "/connexion/psc/retour/", "/connexion/psc/organisme/"):
            for reponse in (client.get(url, donnees), client.post(url, donnees)):
                assert reponse.status_code < 500, (url, donnees, reponse.status_code)
    refus = client.get("/connexion/psc/retour/", {"state": "\x00", "code": "\x00"})
    assert refus.status_code == 403 and "Recommencez la connexion" in _texte(refus)
    # an open redirect through ``next`` is not possible: the login lands on the home page
    r = _connexion(Client(), MEDECIN, depart="/connexion/psc/?next=//ailleurs.example/")
    assert r.status_code == 302 and r["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_the_callback_query_count_is_pinned(fournisseur, og_a):
    """The callback of a known professional (keys already cached): account lookup, link, session, journal."""
    from tests.utils import requetes_comptees

    _avec_rpps(og_a["medecin"])
    _connexion(Client(), MEDECIN)  # discovery and keys cached, the account linked
    client = Client()
    retour = _autoriser(client, MEDECIN)
    with requetes_comptees() as requetes:
        r = client.get(retour)
    assert r.status_code == 302 and r["Location"] == "/"
    assert len(requetes.captured_queries) == PINNED_RETOUR


# session read; the accounts of the RPPS (login window); the organisme's rule and the account's roles in one
# tenant block; Django's login (new session key, last_login and its history row); the journal row; the session
# written — savepoints and tenant settings included (39 before the rule and roles were read together)
PINNED_RETOUR = 35
