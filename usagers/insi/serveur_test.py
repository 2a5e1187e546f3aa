"""A local INSi test server speaking the same SOAP exchange, over a file of fictitious identities.

    python -m usagers.insi.serveur_test [--port 8089] [--identites FICHIER]

Matching follows the INSi search by traits: birth name, first first-name, sex and birth date compared
without accents, case or hyphens (birth place when given): one match → 00 with the reference traits,
none → 01, several → 02. ``pannes`` makes the next N requests answer HTTP 503 (retry tests).
Used by the tests and by the demo (``bin/run`` starts it). Loopback only.
"""

from __future__ import annotations

import argparse
import datetime
import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from dui.serveur_local import ServeurLocal
from usagers.normalisation import normaliser_nom

from .protocole import Reponse, Traits, lire_requete, reponse_xml

FICHIER = Path(__file__).with_name("identites_test.json")
OID_NIR_TEST = "1.2.250.1.213.1.4.10"


def charger(fichier: Path = FICHIER) -> list[dict]:
    return json.loads(fichier.read_text(encoding="utf-8"))["identites"]


def chercher(identites: list[dict], traits: Traits) -> Reponse:
    def correspond(i):
        return (
            normaliser_nom(i["nom_naissance"]) == normaliser_nom(traits.nom_naissance)
            and normaliser_nom(i["prenoms"][0]) == normaliser_nom(traits.premier_prenom)
            and i["sexe"] == traits.sexe
            and i["date_naissance"] == traits.date_naissance.isoformat()
            and (not traits.lieu_naissance or i["lieu_naissance"] == traits.lieu_naissance)
        )

    trouves = [i for i in identites if correspond(i)]
    if not trouves:
        return Reponse("01", "Aucune identité trouvée")
    if len(trouves) > 1:
        return Reponse("02", "Plusieurs identités trouvées")
    i = trouves[0]
    return Reponse(
        "00",
        "OK",
        matricule=i["matricule"],
        oid=OID_NIR_TEST,
        traits=Traits(
            i["nom_naissance"],
            tuple(i["prenoms"]),
            i["sexe"],
            datetime.date.fromisoformat(i["date_naissance"]),
            i["lieu_naissance"],
        ),
    )


class ServeurInsiTest(ServeurLocal):
    chemin = "/insi"

    def __init__(self, port: int = 0, identites: list[dict] | None = None):
        self.identites = identites if identites is not None else charger()
        self.requetes: list[str] = []
        super().__init__(port, _Gestionnaire)


class _Gestionnaire(BaseHTTPRequestHandler):
    server: ServeurInsiTest

    def do_POST(self):  # noqa: N802
        corps = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.server.en_panne():
            self.send_error(503, "Service indisponible (panne simulée)")
            return
        try:
            traits, requete_id = lire_requete(corps)
        except (ValueError, SyntaxError):
            self.send_error(400, "Requête INSi invalide")
            return
        self.server.requetes.append(requete_id)
        reponse = reponse_xml(chercher(self.server.identites, traits))
        self.send_response(200)
        self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(reponse)))
        self.end_headers()
        self.wfile.write(reponse)

    def log_message(self, *args):  # quiet
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--identites", type=Path, default=FICHIER)
    args = parser.parse_args()
    serveur = ServeurInsiTest(args.port, charger(args.identites))
    print(f"Serveur INSi de test sur {serveur.url}")
    serveur.serve_forever()
