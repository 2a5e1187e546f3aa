"""Profile one page of the bench organisme, request by request, with the settings production uses.

    .venv/bin/python bench/profil.py "/usagers/{usager}/" [--pro 5] [--n 50] [--cprofile /tmp/dossier.prof]
                                     [--requetes] [--explain]
    .venv/bin/python bench/profil.py toutes [--pro 5] [--n 20]    # every page of load.py, one line each

The page is requested ``--n`` times through Django's test client (no HTTP, no other process) as the
bench professional ``bench<--pro>`` (second factor marked done in its session), with ``DEBUG`` off and a
persistent database connection. It prints the mean and median time per request, then, from one more
request, the number of queries and their time in the database (``--requetes`` lists them, ``--explain``
prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the three slowest). ``--cprofile FILE`` writes a profile of the
``--n`` requests (``python -m pstats FILE`` or ``snakeviz FILE`` to read it; the 25 costliest functions are
printed) — the flame view of a page in one command. Placeholders are those of ``bench/load.py``
({etab}, {usager}, {projet}, {unite}, {unite40}); ``POST /chemin/?q=…`` posts the form, as the page does.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.load import decouvrir  # noqa: E402
from dui.tenancy import SESSION_ORGANISME, auth_lookup  # noqa: E402
from habilitations.middleware import SESSION_2FA  # noqa: E402
from habilitations.models import Professionnel  # noqa: E402


def client_de(pro: int) -> Client:
    from django.db import transaction

    from dui.tenancy import tenant_context

    with auth_lookup():
        user = Professionnel.objects.get(email=f"bench{pro}@bench.dui")
    client = Client()
    with transaction.atomic(), tenant_context(user.organisme_id):  # login updates last_login (RLS)
        client.force_login(user)
    session = client.session
    session[SESSION_2FA] = True
    session[SESSION_ORGANISME] = user.organisme_id  # as the login writes it
    session.save()
    return client


def _cpu_backend_ns() -> int | None:
    """On-CPU time of this connection's PostgreSQL backend (ns, ``/proc/<pid>/schedstat``): readable when the
    server runs on this machine and the bench may read its processes (root, or the same user)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def mesurer_cpu(requete, n: int, lots: int = 5) -> tuple[float, float | None, list[float]]:
    """Run ``requete()`` n times in ``lots`` batches: (ms of CPU in this process per request, ms of CPU in the
    PostgreSQL backend per request or None, wall-clock durations). The two CPU figures bound the throughput of
    the page on the machine: a request costs their sum, whatever the number of workers. Each is the least of
    its batches' means: on a shared virtual machine the same page's CPU time varies by a third from one run
    to the next (other guests, frequency), and the least is the page's own cost."""
    taille = max(1, n // lots)
    par_lot_py, par_lot_pg, durees = [], [], []
    for debut in range(0, n, taille):
        k = min(taille, n - debut)
        avant_pg = _cpu_backend_ns()
        avant_py = time.process_time()
        for _ in range(k):
            t = time.perf_counter()
            requete()
            durees.append(time.perf_counter() - t)
        par_lot_py.append((time.process_time() - avant_py) * 1000 / k)
        apres_pg = _cpu_backend_ns()  # the same backend: persistent connection (CONN_MAX_AGE)
        if avant_pg is not None and apres_pg is not None:
            par_lot_pg.append((apres_pg - avant_pg) / 1e6 / k)
    return min(par_lot_py), (min(par_lot_pg) if par_lot_pg else None), durees


def demander(client: Client, chemin: str):
    if chemin.startswith("POST "):
        cible, _, requete = chemin.removeprefix("POST ").partition("?")
        donnees = dict(p.split("=", 1) for p in requete.split("&") if p)
        return client.post(cible, donnees, headers={"HX-Request": "true"})
    return client.get(chemin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page")
    parser.add_argument("--pro", type=int, default=5, help="n of the bench professional bench<n>")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--cprofile", default="")
    parser.add_argument("--requetes", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    client = client_de(args.pro)

    def lire(chemin: str) -> str:
        reponse = demander(client, chemin)
        return reponse.content.decode() if reponse.status_code == 200 else ""

    valeurs = decouvrir(lire)
    if args.page == "toutes":
        toutes(client, valeurs, args.n)
        return
    chemin = args.page.format(**valeurs)
    premiere = demander(client, chemin)
    print(f"{chemin} → {premiere.status_code}, {len(premiere.content)} octets (bench{args.pro})")
    if premiere.status_code != 200:
        sys.exit(1)
    for _ in range(5):  # warm-up: templates, caches, connection
        demander(client, chemin)
    profil = cProfile.Profile() if args.cprofile else None

    def requete() -> None:
        if profil:
            profil.enable()
        demander(client, chemin)
        if profil:
            profil.disable()

    py, pg, durees = mesurer_cpu(requete, args.n)
    print(
        f"{args.n} requêtes : moyenne {statistics.mean(durees) * 1000:.1f} ms, "
        f"médiane {statistics.median(durees) * 1000:.1f} ms"
    )
    if pg is not None:
        print(
            f"CPU par requête : {py:.1f} ms dans ce processus, {pg:.1f} ms dans PostgreSQL "
            f"→ au plus {1000 / (py + pg):.0f} req/s par cœur"
        )
    with CaptureQueriesContext(connection) as capture:
        demander(client, chemin)
    temps = [float(q["time"]) for q in capture.captured_queries]
    print(
        f"{len(temps)} requêtes SQL, {sum(temps) * 1000:.1f} ms en base (mesurées avec le curseur de débogage)"
    )
    if args.requetes:
        for q, t in zip(capture.captured_queries, temps, strict=True):
            print(f"  {t * 1000:6.2f} ms  {q['sql'][:220]}")
    if args.explain:
        lentes = sorted(capture.captured_queries, key=lambda q: -float(q["time"]))[:3]
        for q in lentes:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            print(f"\n--- {float(q['time']) * 1000:.2f} ms : {sql[:300]}")
            from django.db import transaction

            from dui.tenancy import tenant_context

            with transaction.atomic(), tenant_context(client_user_organisme(args.pro)):
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    print("\n".join(r[0] for r in cur.fetchall()))
    if profil:
        profil.dump_stats(args.cprofile)
        print(f"\nProfil écrit dans {args.cprofile} ; les 25 fonctions les plus coûteuses (temps cumulé) :")
        pstats.Stats(args.cprofile).sort_stats("cumulative").print_stats(25)


def toutes(client: Client, valeurs: dict[str, str], n: int) -> None:
    from bench.load import PAGES

    print(
        f"{'page':42} {'moyenne ms':>10} {'médiane ms':>10} {'requêtes':>9} {'ms en base':>10} "
        f"{'CPU Python':>10} {'CPU PG':>7} {'capacité':>9}"
    )
    print(f"{'':42} {'':>10} {'':>10} {'':>9} {'':>10} {'ms/req':>10} {'ms/req':>7} {'req/s/cœur':>9}")
    for nom, modele in PAGES.items():
        chemin = modele.format(**valeurs)
        if demander(client, chemin).status_code != 200:
            print(f"{nom:42} {'—':>10}  (refusée à ce professionnel)")
            continue
        for _ in range(3):
            demander(client, chemin)
        py, pg, durees = mesurer_cpu(lambda chemin=chemin: demander(client, chemin), n)
        with CaptureQueriesContext(connection) as capture:
            demander(client, chemin)
        base = sum(float(q["time"]) for q in capture.captured_queries) * 1000
        cpu_pg, capacite = ("—", "—") if pg is None else (f"{pg:.1f}", f"{1000 / (py + pg):.0f}")
        print(
            f"{nom:42} {statistics.mean(durees) * 1000:10.1f} {statistics.median(durees) * 1000:10.1f} "
            f"{len(capture.captured_queries):9d} {base:10.1f} {py:10.1f} {cpu_pg:>7} {capacite:>9}"
        )


def client_user_organisme(pro: int) -> int:
    with auth_lookup():
        return int(Professionnel.objects.get(email=f"bench{pro}@bench.dui").organisme_id)


if __name__ == "__main__":
    main()
