"""Load test: virtual professionals log in (password + TOTP) and request pages against gunicorn.

    .venv/bin/python bench/load.py [--users 16] [--seconds 20] [--workers 3] [--url http://127.0.0.1:8077]
                                   [--pages relève,plan]

Without --url it starts gunicorn itself on 127.0.0.1:8077 with the current environment's database.
Run bench/generate.py first. Prints, per page, requests, req/s, p50 and p95 latencies, next to the
framework floor (``/sante/``: authenticated, one tenant transaction, no domain query).
Later issues append their pages to PAGES. Loopback only; bounded in time.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyotp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import BENCH_PASSWORD, BENCH_TOTP  # noqa: E402

# name → path template ({etab} is the first ESMS of the professional's home page)
PAGES = {
    "plancher (/sante/)": "/sante/",
    "accueil (/)": "/",
    "fiche établissement": "/etablissements/{etab}/",
    "recherche usager (htmx)": "POST /usagers/?q=mart",  # posted: no names in URLs (issue 15)
    "dossier usager": "/usagers/{usager}/",
    "dossier : entourage": "/usagers/{usager}/entourage/",
    "dossier : présence": "/usagers/{usager}/presence/",
    "liste d'attente": "/admission/",
    "projet personnalisé": "/accompagnement/projet/{projet}/",
    "formulaire AGGIR": "/accompagnement/dossier/{usager}/aggir/",
    "évaluations (onglet)": "/accompagnement/dossier/{usager}/evaluations/",
    "journal de suivi": "/accompagnement/dossier/{usager}/journal/",
    "GMP (direction)": "/accompagnement/etablissement/{etab}/gmp/",
    "relève (unité)": "/soins/unite/{unite}/releve/",
    "plan de soins du jour": "/soins/unite/{unite}/journee/",
    "courbes de constantes": "/soins/dossier/{usager}/constantes/?periode=90",
    "transmissions (onglet)": "/soins/dossier/{usager}/transmissions/",
    "tournée des médicaments (40 lits, matin)": "/medicaments/unite/{unite40}/tournee/?creneau=matin",
    "médicaments (onglet)": "/medicaments/dossier/{usager}/",
    "échanges (liste de l'ESMS)": "/echanges/",
    "échanges (onglet du dossier)": "/echanges/dossier/{usager}/",
    "indicateurs ESMS numérique (direction)": "/echanges/indicateurs/{etab}/",
    # issue 17: the agenda
    "agenda de la personne (onglet)": "/agenda/dossier/{usager}/",
    "agenda de l'unité (semaine)": "/agenda/unite/{unite}/?vue=semaine",
    "mon agenda (semaine)": "/agenda/?vue=semaine",
    "coordination de l'ESMS (semaine)": "/agenda/etablissement/{etab}/",
    # issue 18: the documents
    "documents (onglet)": "/documents/dossier/{usager}/",
    "recherche dans les documents": "/documents/recherche/?q=fibrillation+auriculaire",
    "recherche dans le dossier": "/documents/dossier/{usager}/?q=escarre",
    "droits et aides (onglet)": "/administratif/dossier/{usager}/droits/",
    "contrat de séjour (onglet)": "/administratif/dossier/{usager}/contrats/",
    "présence pour la facturation (ESMS)": "/administratif/etablissement/{etab}/presence/",
    # issue 19: the relation usager
    "relation (onglet du dossier)": "/relation/dossier/{usager}/",
    "messages des proches (boîte de l'ESMS)": "/relation/etablissement/{etab}/messages/",
    "qualité de l'ESMS (direction)": "/relation/etablissement/{etab}/qualite/",
    # issue 20: the director's dashboards (the current year)
    "tableau de bord de l'organisme (direction)": "/pilotage/",
    "tableau de bord de l'ESMS (direction)": "/pilotage/esms/{etab}/",
    # issue 15: the DPO's and the admin's pages (bench1 is the organisme's DPO and admin)
    "journal des accès (DPO)": "/journal/",
    "droit d'accès (DPO)": "/rgpd/droit-acces/",
    "conservation des dossiers (DPO)": "/rgpd/conservation/",
    "accès inhabituels, 30 jours (DPO)": "/rgpd/acces-inhabituels/",
    "exceptions d'accès (admin)": "/usagers/exceptions-acces/",
}


def decouvrir(lire) -> dict[str, str]:
    """The values of the pages' placeholders for one professional, read from the pages it can open
    (``lire(chemin)`` returns the page's HTML, or "" when refused): its first ESMS, a person found by the
    search, that person's projet personnalisé, its first unit and its first 40-bed unit."""

    def premier(motif: str, texte: str) -> str:
        match = re.search(motif, texte, re.S)
        return match.group(1) if match else ""

    valeurs = {"etab": premier(r"/etablissements/([0-9a-f-]{36})/", lire("/"))}
    valeurs["usager"] = premier(r"/usagers/([0-9a-f-]{36})/", lire("POST /usagers/?q=mar"))
    valeurs["projet"] = premier(
        r"/accompagnement/projet/([0-9a-f-]{36})/",
        lire(f"/accompagnement/dossier/{valeurs['usager']}/projet/"),
    )
    unites = lire("/soins/")
    valeurs["unite"] = premier(r"/soins/unite/([0-9a-f-]{36})/releve/", unites)
    valeurs["unite40"] = premier(r"40 lits.*?/soins/unite/([0-9a-f-]{36})/releve/", unites)
    return valeurs


class VirtualUser:
    def __init__(self, base: str, index: int):
        self.base = base
        self.email = f"bench{index}@bench.dui"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.etab = ""
        self.usager = ""
        self.projet = ""
        self.unite = ""
        self.unite40 = ""
        self.pages: set[str] = set()  # the pages this professional's habilitations open

    def _csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, path: str, data: dict) -> str:
        data = {**data, "csrfmiddlewaretoken": self._csrf()}
        req = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(req, timeout=30) as r:
            return r.geturl()

    def get(self, path: str, htmx: bool = False) -> bytes:
        if path.startswith("POST "):  # a posted htmx form: "POST /chemin/?champ=valeur"
            chemin, _, requete = path.removeprefix("POST ").partition("?")
            donnees = {**dict(urllib.parse.parse_qsl(requete)), "csrfmiddlewaretoken": self._csrf()}
            request = urllib.request.Request(
                self.base + chemin,
                data=urllib.parse.urlencode(donnees).encode(),
                headers={"HX-Request": "true", "Referer": self.base + chemin},
            )
        else:
            request = urllib.request.Request(self.base + path, headers={"HX-Request": "true"} if htmx else {})
        with self.opener.open(request, timeout=30) as r:
            return r.read()

    def _lire(self, chemin: str) -> str:
        try:
            return self.get(chemin).decode()
        except urllib.error.HTTPError:
            return ""

    def login(self) -> None:
        self.get("/connexion/")
        url = self.post("/connexion/", {"email": self.email, "password": BENCH_PASSWORD})
        assert url.endswith("/connexion/second-facteur/"), url
        url = self.post("/connexion/second-facteur/", {"code": pyotp.TOTP(BENCH_TOTP).now()})
        assert url.rstrip("/") == self.base.rstrip("/"), f"second facteur refusé pour {self.email}: {url}"
        valeurs = decouvrir(lambda chemin: self._lire(chemin))
        self.etab, self.usager, self.projet = valeurs["etab"], valeurs["usager"], valeurs["projet"]
        self.unite, self.unite40 = valeurs["unite"], valeurs["unite40"]
        for name, template in PAGES.items():
            path = template.format(
                etab=self.etab, usager=self.usager, projet=self.projet, unite=self.unite, unite40=self.unite40
            )
            try:
                self.get(path)
            except urllib.error.HTTPError:
                continue
            self.pages.add(name)


def run(
    base: str, users: int, seconds: float, rafales: int = 0
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Each page for ``seconds``, every virtual user in a loop; or, with ``rafales``, that many bursts: every
    habilitated user requests the page once at the same instant (a barrier), then waits a second — the
    7 a.m. relève, twenty nurses opening it together, rather than twenty users without a pause."""
    vus = [VirtualUser(base, i) for i in range(1, users + 1)]  # bench1: the DPO and admin
    for vu in vus:
        vu.login()
    results: dict[str, list[float]] = {name: [] for name in PAGES}
    errors: list[str] = []
    lock = threading.Lock()
    for name, template in PAGES.items():
        deadline = time.perf_counter() + seconds
        barriere = threading.Barrier(max(1, sum(name in vu.pages for vu in vus)))

        def loop(vu: VirtualUser, name=name, template=template, deadline=deadline, barriere=barriere):
            if name not in vu.pages:  # not habilitated for this page: this professional does not request it
                return
            path = template.format(
                etab=vu.etab, usager=vu.usager, projet=vu.projet, unite=vu.unite, unite40=vu.unite40
            )
            local = []
            if rafales:
                for _ in range(rafales):
                    barriere.wait()
                    t = time.perf_counter()
                    try:
                        vu.get(path)
                        local.append(time.perf_counter() - t)
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        errors.append(f"{name}: {exc}")
                    barriere.wait()
                    time.sleep(1)
            while not rafales and time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    vu.get(path)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    errors.append(f"{name}: {exc}")
                    continue
                local.append(time.perf_counter() - t)
            with lock:
                results[name].extend(local)

        threads = [threading.Thread(target=loop, args=(vu,)) for vu in vus]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    if errors:
        print(f"{len(errors)} erreurs, par exemple : {errors[:3]}")
    return results, {name: sum(name in vu.pages for vu in vus) for name in PAGES}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync", help="gunicorn's: sync or gthread")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--url", default="")
    parser.add_argument(
        "--json",
        default="",
        help="file of the run's figures (default: bench/resultats/<date>-<heure>.json, not versioned)",
    )
    parser.add_argument(
        "--pages",
        default="",
        help="only the pages whose name contains one of these words "
        "(comma-separated); the floor page is always measured",
    )
    parser.add_argument(
        "--rafales",
        type=int,
        default=0,
        help="instead of a loop of --seconds: N bursts per page, every habilitated user at the same instant "
        "(latencies of a burst; req/s and share of the floor are then meaningless)",
    )
    args = parser.parse_args()
    if args.pages:
        mots = [m.strip().lower() for m in args.pages.split(",") if m.strip()]
        for name in [
            n for n in PAGES if not n.startswith("plancher") and not any(m in n.lower() for m in mots)
        ]:
            del PAGES[name]
    server = None
    base = args.url or "http://127.0.0.1:8077"
    if not args.url:
        env = {
            **os.environ,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DUI_LOCKOUT_IP_ATTEMPTS": "100000",
        }
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "dui.wsgi:application",
                "--bind",
                "127.0.0.1:8077",
                "--workers",
                str(args.workers),
                "--worker-class",
                args.worker_class,
                "--threads",
                str(args.threads),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/connexion/", timeout=1)
                break
            except Exception:  # noqa: BLE001
                time.sleep(0.2)
    try:
        results, habilites = run(base, args.users, args.seconds, args.rafales)
    finally:
        if server:
            server.terminate()
            server.wait()
    reglages = {
        "utilisateurs": args.users,
        "secondes_par_page": args.seconds if not args.rafales else f"{args.rafales} rafales",
        "gunicorn": f"{args.workers} workers {args.worker_class}"
        + (f" × {args.threads} threads" if args.threads > 1 else ""),
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "(défaut)"),
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "(défaut)"),
        "url": args.url or "gunicorn démarré par load.py",
    }
    print("\n" + ", ".join(f"{k} = {v}" for k, v in reglages.items()) + "\n")
    print(
        f"{'page':42} {'requêtes':>9} {'req/s':>8} {'% plancher':>10} {'p50 ms':>8} {'p95 ms':>8}"
        "  (professionnels habilités)"
    )
    lignes = []
    plancher = 0.0
    for name, latencies in results.items():
        if not latencies:
            print(f"{name:42} {'—':>9}")
            continue
        latencies.sort()
        debit = len(latencies) / args.seconds
        plancher = plancher or debit  # the floor page is measured first
        ligne = {
            "page": name,
            "chemin": PAGES[name],
            "requetes": len(latencies),
            "req_s": round(debit, 1),
            "part_du_plancher": round(debit / plancher, 3),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
            "max_ms": round(latencies[-1] * 1000, 1),
            "professionnels": habilites[name],
        }
        lignes.append(ligne)
        print(
            f"{name:42} {ligne['requetes']:9d} {debit:8.1f} {ligne['part_du_plancher'] * 100:9.0f}% "
            f"{ligne['p50_ms']:8.1f} {ligne['p95_ms']:8.1f}  ({habilites[name]})"
            + (f"  max {ligne['max_ms']:.0f} ms" if args.rafales else "")
        )
    fichier = Path(args.json) if args.json else ROOT / "bench/resultats" / time.strftime("%Y%m%d-%H%M%S.json")
    fichier.parent.mkdir(parents=True, exist_ok=True)
    fichier.write_text(json.dumps({"reglages": reglages, "pages": lignes}, ensure_ascii=False, indent=2))
    print(f"\nRésultats : {fichier}")


if __name__ == "__main__":
    main()
