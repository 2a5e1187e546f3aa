"""Local Pro Santé Connect test provider: a small OpenID Connect provider on loopback that speaks what the
DUI uses of PSC — discovery document, JWKS, authorize (with PKCE S256), token, userinfo, end-session — with
fictitious professionals who match the demo accounts by RPPS. Its answers can be made wrong on purpose
(``acr``, audience, expiry, nonce, unknown signing key, key rotation, signed userinfo) for the tests.

    python -m habilitations.psc_serveur_test [--port 8092]

Its authorize page stands in for the CPS card or the e-CPS app: the professional picks a test identity and
validates. ``login_hint`` (a national identifier) skips the page, for the request-level tests.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from dui.serveur_local import ServeurLocal

REALM = "/auth/realms/esante-wallet"

# Fictitious professionals (test RPPS numbers, no real person): the first two are demo accounts (médecin,
# infirmière of « Les Tilleuls »), the third is known in no organisme.
PROFESSIONNELS = [
    {
        "sub": "f:psc-test:810101010101",
        "SubjectNameID": "810101010101",
        "given_name": "Jean",
        "family_name": "Dubois",
        "codeProfession": "10",
        "libelle": "Médecin",
    },
    {
        "sub": "f:psc-test:810202020202",
        "SubjectNameID": "810202020202",
        "given_name": "Sophie",
        "family_name": "Moreau",
        "codeProfession": "60",
        "libelle": "Infirmière",
    },
    {
        "sub": "f:psc-test:899999999999",
        "SubjectNameID": "899999999999",
        "given_name": "Lucie",
        "family_name": "Inconnue",
        "codeProfession": "60",
        "libelle": "Infirmière (inconnue du DUI)",
    },
]


def _nouvelle_cle() -> RSAKey:
    return RSAKey.generate_key(
        2048, parameters={"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"}, private=True
    )


def _b64url_sha256(texte: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(texte.encode("ascii")).digest()).rstrip(b"=").decode()


class ServeurPscTest(ServeurLocal):
    chemin = REALM

    def __init__(
        self,
        port: int = 0,
        *,
        client_id: str = "dui-test",
        client_secret: str = "secret-de-test-psc",  # noqa: S107 - a local test provider, no real secret
        professionnels: list[dict[str, Any]] | None = None,
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.professionnels = {p["SubjectNameID"]: dict(p) for p in (professionnels or PROFESSIONNELS)}
        self.cles = [_nouvelle_cle()]  # published; the first signs
        # what the tests can make wrong
        self.acr = "eidas1"
        self.audience: str | None = None  # None: the client id
        self.duree = 300  # seconds of validity of the ID token (negative: already expired)
        self.nonce_impose: str | None = None
        self.cle_inconnue: RSAKey | None = None  # signs with a key that is not published
        self.sub_userinfo: str | None = None
        self.userinfo_jwt = False
        # what it saw
        self.codes: dict[str, dict[str, Any]] = {}
        self.jetons: dict[str, dict[str, Any]] = {}
        self.demandes: list[dict[str, Any]] = []
        self.deconnexions: list[dict[str, Any]] = []
        self.requetes_jwks = 0
        self._verrou_etat = threading.Lock()
        super().__init__(port, _Gestionnaire)

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def pivoter(self) -> None:
        """Key rotation: a new signing key; the old one is no longer published."""
        self.cles = [_nouvelle_cle()]

    def metadata(self) -> dict[str, Any]:
        base = self.url + "/protocol/openid-connect"
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{base}/auth",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "end_session_endpoint": f"{base}/logout",
            "jwks_uri": f"{base}/certs",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": ["eidas1"],
            "scopes_supported": ["openid", "scope_all"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "SubjectNameID", "given_name", "family_name", "SubjectRefPro", "acr"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [cle.as_dict(private=False) for cle in self.cles]}

    def signer(self, claims: dict[str, Any]) -> str:
        cle = self.cle_inconnue or self.cles[0]
        return jwt.encode({"alg": "RS256", "kid": cle.kid, "typ": "JWT"}, claims, cle)

    def emettre_code(self, demande: dict[str, Any], identifiant: str) -> str:
        code = secrets.token_urlsafe(24)
        with self._verrou_etat:
            self.codes[code] = {**demande, "identifiant": identifiant, "emis": time.time()}
        return code

    def userinfo(self, identifiant: str) -> dict[str, Any]:
        pro = self.professionnels[identifiant]
        return {
            "sub": self.sub_userinfo or pro["sub"],
            "SubjectNameID": pro["SubjectNameID"],
            "preferred_username": pro["SubjectNameID"],
            "given_name": pro["given_name"],
            "family_name": pro["family_name"],
            "SubjectRefPro": {
                "codeCivilite": "",
                "exercices": [
                    {
                        "codeProfession": pro["codeProfession"],
                        "nomDExercice": pro["family_name"],
                        "prenomDExercice": pro["given_name"],
                        "activities": [],
                    }
                ],
            },
        }


class _Gestionnaire(BaseHTTPRequestHandler):
    server: ServeurPscTest

    # --- plumbing
    def _json(self, statut: int, corps: Any, content_type: str = "application/json") -> None:
        donnees = corps.encode() if isinstance(corps, str) else json.dumps(corps).encode()
        self.send_response(statut)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(donnees)))
        self.end_headers()
        self.wfile.write(donnees)

    def _rediriger(self, url: str) -> None:
        self.send_response(302)
        self.send_header("Location", url)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _chemin(self) -> tuple[str, dict[str, str]]:
        morceaux = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(morceaux.query).items()}
        return morceaux.path.removeprefix(REALM), params

    def _formulaire(self) -> dict[str, str]:
        corps = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        return {k: v[0] for k, v in parse_qs(corps).items()}

    # --- routes
    def do_GET(self) -> None:  # noqa: N802
        if self.server.en_panne():
            self._json(503, {"error": "temporarily_unavailable"})
            return
        chemin, params = self._chemin()
        if chemin == "/.well-known/openid-configuration":
            self._json(200, self.server.metadata())
        elif chemin == "/protocol/openid-connect/certs":
            self.server.requetes_jwks += 1
            self._json(200, self.server.jwks())
        elif chemin == "/protocol/openid-connect/auth":
            self._autoriser(params, params.get("login_hint"))
        elif chemin == "/protocol/openid-connect/userinfo":
            self._userinfo()
        elif chemin == "/protocol/openid-connect/logout":
            self.server.deconnexions.append(params)
            retour = params.get("post_logout_redirect_uri")
            if retour:
                suite = {"state": params["state"]} if params.get("state") else {}
                separateur = "&" if "?" in retour else "?"
                self._rediriger(retour + (separateur + urlencode(suite) if suite else ""))
            else:
                self._json(
                    200, "<p>Vous êtes déconnecté(e) de Pro Santé Connect.</p>", "text/html; charset=utf-8"
                )
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:  # noqa: N802
        chemin, _ = self._chemin()
        formulaire = self._formulaire()
        if chemin == "/protocol/openid-connect/auth":
            if formulaire.get("action") == "annuler":
                self._retour(formulaire, {"error": "access_denied"})
            else:
                self._autoriser(formulaire, formulaire.get("identifiant"))
        elif chemin == "/protocol/openid-connect/token":
            self._jeton(formulaire)
        else:
            self._json(404, {"error": "not_found"})

    def _retour(self, demande: dict[str, Any], params: dict[str, Any]) -> None:
        if demande.get("state"):
            params["state"] = demande["state"]
        separateur = "&" if "?" in demande["redirect_uri"] else "?"
        self._rediriger(demande["redirect_uri"] + separateur + urlencode(params))

    def _autoriser(self, demande: dict[str, Any], identifiant: str | None) -> None:
        serveur = self.server
        if demande.get("client_id") != serveur.client_id or not demande.get("redirect_uri", "").startswith(
            ("http://127.0.0.1", "http://localhost", "https://")
        ):
            self._json(400, {"error": "invalid_request", "error_description": "client ou redirect_uri"})
            return
        if demande.get("response_type") != "code" or "openid" not in demande.get("scope", "").split():
            self._retour(demande, {"error": "invalid_request"})
            return
        if demande.get("code_challenge_method") != "S256" or not demande.get("code_challenge"):
            self._retour(demande, {"error": "invalid_request", "error_description": "PKCE S256 requis"})
            return
        serveur.demandes.append(dict(demande))
        if not identifiant:
            self._page(demande)
            return
        if identifiant not in serveur.professionnels:
            self._retour(demande, {"error": "access_denied"})
            return
        self._retour(demande, {"code": serveur.emettre_code(demande, identifiant)})

    def _page(self, demande: dict[str, Any]) -> None:
        champs = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in demande.items()
            if k not in ("identifiant", "action")
        )
        choix = "".join(
            f'<label class="choix"><input type="radio" name="identifiant" value="{html.escape(i)}"'
            f"{' checked' if n == 0 else ''}> {html.escape(p['given_name'])} {html.escape(p['family_name'])}"
            f" — {html.escape(p['libelle'])} (identifiant {html.escape(i)})</label>"
            for n, (i, p) in enumerate(self.server.professionnels.items())
        )
        page = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pro Santé Connect (fournisseur de test)</title><link rel="icon" href="data:,">
<style>body{{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}
.choix{{display:block;padding:.8rem;border:1px solid #999;border-radius:.4rem;margin:.5rem 0}}
button{{font-size:1.1rem;padding:.8rem 1.2rem;margin:.5rem .5rem 0 0}}</style></head><body>
<h1>Pro Santé Connect — fournisseur de test</h1>
<p>Ce serveur local remplace la carte CPS ou l'application e-CPS : choisissez une identité fictive.</p>
<form method="post">{champs}<fieldset><legend>Identité de test</legend>{choix}</fieldset>
<button type="submit" name="action" value="valider">Valider avec e-CPS (test)</button>
<button type="submit" name="action" value="annuler">Annuler</button></form></body></html>"""
        self._json(200, page, "text/html; charset=utf-8")

    def _client_authentifie(self, formulaire: dict[str, Any]) -> bool:
        serveur = self.server
        entete = self.headers.get("Authorization", "")
        if entete.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(entete[6:]).decode().partition(":")
            except ValueError:
                return False
        else:
            client_id, secret = formulaire.get("client_id", ""), formulaire.get("client_secret", "")
        from urllib.parse import unquote_plus

        return unquote_plus(client_id) == serveur.client_id and unquote_plus(secret) == serveur.client_secret

    def _jeton(self, formulaire: dict[str, Any]) -> None:
        serveur = self.server
        if not self._client_authentifie(formulaire):
            self._json(401, {"error": "invalid_client"})
            return
        with serveur._verrou_etat:
            demande = serveur.codes.pop(formulaire.get("code", ""), None)  # single use
        if (
            formulaire.get("grant_type") != "authorization_code"
            or demande is None
            or time.time() - demande["emis"] > 60
            or formulaire.get("redirect_uri") != demande["redirect_uri"]
        ):
            self._json(400, {"error": "invalid_grant"})
            return
        if _b64url_sha256(formulaire.get("code_verifier", "")) != demande["code_challenge"]:
            self._json(400, {"error": "invalid_grant", "error_description": "code_verifier"})
            return
        pro = serveur.professionnels[demande["identifiant"]]
        maintenant = int(time.time())
        claims = {
            "iss": serveur.issuer,
            "sub": pro["sub"],
            "aud": serveur.audience or serveur.client_id,
            "azp": serveur.client_id,
            "iat": maintenant,
            "auth_time": maintenant,
            "exp": maintenant + serveur.duree,
            "acr": serveur.acr,
            "nonce": serveur.nonce_impose if serveur.nonce_impose is not None else demande.get("nonce", ""),
            "preferred_username": pro["SubjectNameID"],
        }
        acces = secrets.token_urlsafe(24)
        serveur.jetons[acces] = {"identifiant": demande["identifiant"], "expire": maintenant + 300}
        self._json(
            200,
            {
                "access_token": acces,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": demande.get("scope", "openid"),
                "id_token": serveur.signer(claims),
            },
        )

    def _userinfo(self) -> None:
        serveur = self.server
        entete = self.headers.get("Authorization", "")
        jeton = (
            serveur.jetons.get(entete.removeprefix("Bearer ").strip())
            if entete.startswith("Bearer ")
            else None
        )
        if jeton is None or jeton["expire"] < time.time():
            self._json(401, {"error": "invalid_token"})
            return
        infos = serveur.userinfo(jeton["identifiant"])
        if serveur.userinfo_jwt:
            self._json(
                200,
                serveur.signer({**infos, "iss": serveur.issuer, "aud": serveur.client_id}),
                "application/jwt",
            )
        else:
            self._json(200, infos)

    def log_message(self, *args: Any) -> None:  # quiet
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8092)
    parser.add_argument("--client-id", default="dui-demo")
    parser.add_argument("--client-secret", default="secret-de-demonstration-psc")
    args = parser.parse_args()
    serveur = ServeurPscTest(args.port, client_id=args.client_id, client_secret=args.client_secret)
    print(f"Pro Santé Connect de test sur {serveur.issuer}", flush=True)
    serveur.serve_forever()
