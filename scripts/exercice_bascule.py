"""Failover drill (issue 24): a pg_auto_failover cluster on loopback — a monitor, a primary and a synchronous
secondary —, the DUI migrated and its demo loaded on it, a burst of writes through the app's services from
several threads (transmissions, and MSSanté exchanges in the outbox), the primary killed in the middle
(its keeper and its postmaster, SIGKILL), then the checks:

- every write that returned success is present exactly once on the new primary;
- the app writes again without restart (its connections reach the new primary: libpq multi-host URL with
  ``target_session_attrs=read-write``);
- the old primary, restarted, rejoins as a secondary.

    sudo python scripts/exercice_bascule.py [--ecritures 240] [--fils 4] [--port 55430] [--garder]

Needs Debian's ``postgresql-15-auto-failover`` (``pg_autoctl``) and Redis for the Celery broker (the outbox
queues its relay). Run as root: PostgreSQL runs as the ``postgres`` user. Prints its figures; exits 1 when a
check fails. Not part of ``./bin/test`` (about two minutes, and a system package): run by hand, figures in the
closing note of issue 24 and in ``docs/decisions/0019-haute-disponibilite.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def journal(texte: str) -> None:
    print(f"[bascule {time.strftime('%H:%M:%S', time.gmtime())} UTC] {texte}", flush=True)


class Grappe:
    """The monitor and two nodes, run by pg_autoctl as the postgres user."""

    def __init__(self, dossier: Path, port: int) -> None:
        self.dossier, self.port = dossier, port
        self.moniteur = f"postgres://autoctl_node@127.0.0.1:{port}/pg_auto_failover?sslmode=disable"
        self.processus: dict[str, subprocess.Popen] = {}

    def _commande(self, *args: str) -> list[str]:
        # pg_autoctl keeps its configuration and state under XDG folders: inside the drill's folder, so that
        # each run starts clean
        env = [
            f"PATH={PG_BIN}:{os.environ['PATH']}",
            *(
                f"XDG_{nom}={self.dossier / nom.lower()}"
                for nom in ("CONFIG_HOME", "DATA_HOME", "RUNTIME_DIR")
            ),
        ]
        prefixe = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        return [*prefixe, "env", *env, "pg_autoctl", *args]

    def lancer(self, nom: str, *args: str) -> None:
        sortie = open(self.dossier / f"{nom}.log", "a")  # noqa: SIM115 - kept open with the process
        self.processus[nom] = subprocess.Popen(  # noqa: S603
            self._commande(*args), stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True
        )

    def creer(self) -> None:
        if self.dossier.exists():
            shutil.rmtree(self.dossier)
        self.dossier.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dossier, "postgres", "postgres")
        subprocess.run(  # noqa: S603
            self._commande(
                "create", "monitor", "--pgdata", str(self.dossier / "moniteur"), "--pgport", str(self.port),
                "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl",
            ),
            check=True, capture_output=True,
        )  # fmt: skip
        self.lancer("moniteur", "run", "--pgdata", str(self.dossier / "moniteur"))
        self.attendre(lambda etat: True, "le moniteur", 30)
        for n in (1, 2):
            self.lancer(
                f"noeud{n}", "create", "postgres", "--pgdata", str(self.dossier / f"noeud{n}"),
                "--pgport", str(self.port + n), "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl",
                "--monitor", self.moniteur, "--name", f"noeud{n}", "--run",
            )  # fmt: skip
            # a lone node is "single"; it becomes "primary" once the secondary has caught up (synchronously)
            attendus = ("single", "primary") if n == 1 else ("secondary",)
            self.attendre(
                lambda etat, n=n, a=attendus: etat.get(f"noeud{n}") in a, f"noeud{n} {attendus[-1]}", 120
            )
        self.attendre(lambda etat: etat.get("noeud1") == "primary", "noeud1 primaire synchrone", 60)

    def etat(self) -> dict[str, str] | None:
        """Reported state of each node, from the monitor (None while the monitor does not answer)."""
        sortie = subprocess.run(  # noqa: S603
            self._commande("show", "state", "--pgdata", str(self.dossier / "moniteur"), "--json"),
            capture_output=True, text=True,
        )  # fmt: skip
        try:
            return {n["nodename"]: n["current_group_state"] for n in json.loads(sortie.stdout)}
        except (ValueError, KeyError, TypeError):
            return None

    def attendre(self, condition, quoi: str, delai: float) -> float:
        debut = time.monotonic()
        while time.monotonic() - debut < delai:
            etat = self.etat()
            if etat is not None and condition(etat):
                return time.monotonic() - debut
            time.sleep(0.5)
        raise SystemExit(f"[bascule] {quoi} : pas atteint en {delai:.0f} s (état : {self.etat()})")

    def tuer_le_primaire(self) -> None:
        """The primary's keeper (else it would restart Postgres at once) then its postmaster: SIGKILL."""
        os.killpg(self.processus["noeud1"].pid, signal.SIGKILL)
        pid = int((self.dossier / "noeud1" / "postmaster.pid").read_text().split()[0])
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def relancer_noeud1(self) -> None:
        self.lancer("noeud1", "run", "--pgdata", str(self.dossier / "noeud1"))

    def arreter(self) -> None:
        for processus in self.processus.values():
            try:
                os.killpg(processus.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        time.sleep(3)
        for processus in self.processus.values():
            try:
                os.killpg(processus.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def preparer_la_base(port: int) -> dict[str, str]:
    """Roles and database (provision_db), the URLs the app uses (multi-host), migrations and the demo."""
    hotes = f"127.0.0.1:{port + 1},127.0.0.1:{port + 2}"
    env = {
        "DATABASE_ADMIN_URL": f"postgres://postgres@{hotes}/postgres?target_session_attrs=read-write",
        "DATABASE_OWNER_URL": f"postgres://dui_owner:dui_owner@{hotes}/dui?target_session_attrs=read-write",
        "DATABASE_URL": f"postgres://dui_app:dui_app@{hotes}/dui?target_session_attrs=read-write",
        "DATABASE_BACKUP_URL": f"postgres://dui_sauvegarde:dui_sauvegarde@{hotes}/dui?target_session_attrs=read-write",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13"),
        "DJANGO_SETTINGS_MODULE": "dui.settings",
        "DATABASE_CONN_MAX_AGE": "60",
        "DJANGO_DEBUG": "0",
    }
    os.environ.update(env)
    python = sys.executable
    subprocess.run(  # noqa: S603
        [python, "scripts/provision_db.py", env["DATABASE_ADMIN_URL"], env["DATABASE_OWNER_URL"],
         env["DATABASE_URL"], env["DATABASE_BACKUP_URL"]],
        cwd=RACINE, check=True, capture_output=True,
    )  # fmt: skip
    for commande in (["migrate", "--database", "owner", "--noinput"], ["demo"]):
        subprocess.run([python, "manage.py", *commande], cwd=RACINE, check=True, capture_output=True)  # noqa: S603
    return env


class Rafale:
    """Logical writes numbered 0..n-1, shared by the threads; each one retried until it succeeds, after
    checking that an earlier attempt whose answer was lost did not commit it (never written twice)."""

    def __init__(self, total: int, marque: str) -> None:
        import django

        django.setup()
        from django.db import close_old_connections  # noqa: F401 - the threads use it

        from documents.models import Document, TypeDocument
        from dui.models import OrganismeGestionnaire
        from dui.tenancy import auth_lookup, tenant_context
        from habilitations.models import Professionnel
        from usagers.models import Usager

        self.total, self.marque = total, marque
        self.organisme = OrganismeGestionnaire.objects.get(raison_sociale="Association Les Tilleuls")
        with auth_lookup():
            self.infirmiere = Professionnel.objects.get(email="infirmiere@tilleuls.demo")
            self.medecin = Professionnel.objects.get(email="medecin@tilleuls.demo")
        with tenant_context(self.organisme.pk):
            self.usager = Usager.objects.get(nom_naissance="Garnier")
            self.document = Document.objects.filter(
                usager=self.usager, type_document=TypeDocument.DLU
            ).latest("id")
            self.etablissement = self.document.etablissement
        self.suivant = 0
        self.verrou = threading.Lock()
        self.acquittees: dict[int, float] = {}  # write → when it returned success
        self.essais_reussis: list[tuple[float, float]] = []  # (attempt began, returned success)
        self.erreurs = 0
        self.reprises_deja_faites = 0  # a retry that found its write already committed

    def prendre(self) -> int | None:
        with self.verrou:
            if self.suivant >= self.total:
                return None
            self.suivant += 1
            return self.suivant - 1

    def adresse(self, n: int) -> str:
        return f"exercice-{self.marque}-{n}@bascule.mssante.fr"

    def texte(self, n: int) -> str:
        return f"Exercice de bascule {self.marque} n° {n}"

    def deja_faite(self, n: int) -> bool:
        from dui.tenancy import tenant_context
        from interop.models import Envoi
        from soins.models import Transmission

        with tenant_context(self.organisme.pk):
            if n % 2:
                return Envoi.objects.filter(destinataire=self.adresse(n)).exists()
            return Transmission.objects.filter(texte=self.texte(n)).exists()

    def ecrire(self, n: int) -> None:
        from dui.tenancy import tenant_context
        from interop import services as interop
        from soins import services as soins
        from soins.models import Transmission

        with tenant_context(self.organisme.pk):
            if n % 2:
                interop.do_demander_envoi_mssante(self.medecin, self.document, self.adresse(n), "Exercice")
            else:
                soins.do_ecrire_transmission(
                    self.infirmiere,
                    Transmission(usager=self.usager, etablissement=self.etablissement, texte=self.texte(n)),
                )

    def fil(self, fin: float) -> None:
        from django.db import close_old_connections, connection
        from django.db.utils import DatabaseError, InterfaceError, OperationalError

        while (n := self.prendre()) is not None:
            while time.monotonic() < fin:
                close_old_connections()  # each write is a request: Django checks its connection first
                essai = time.monotonic()
                try:
                    if self.deja_faite(n):  # an attempt whose answer was lost committed it
                        self.reprises_deja_faites += 1
                    else:
                        self.ecrire(n)
                    self.acquittees[n] = time.monotonic()
                    self.essais_reussis.append((essai, self.acquittees[n]))
                    break
                except (OperationalError, InterfaceError, DatabaseError):
                    self.erreurs += 1
                    connection.close()  # the next attempt opens a new connection: libpq finds the primary
                    time.sleep(0.2)
            time.sleep(0.01)
        connection.close()

    def verifier(self) -> dict[str, int]:
        """Each write acknowledged is there exactly once."""
        from django.db.models import Count

        from dui.tenancy import tenant_context
        from interop.models import Envoi
        from soins.models import Transmission

        with tenant_context(self.organisme.pk):
            envois = dict(
                Envoi.objects.filter(destinataire__startswith=f"exercice-{self.marque}-")
                .values_list("destinataire")
                .annotate(n=Count("id"))
            )
            transmissions = dict(
                Transmission.objects.filter(texte__startswith=f"Exercice de bascule {self.marque} ")
                .values_list("texte")
                .annotate(n=Count("id"))
            )
        presentes = {
            n: (envois if n % 2 else transmissions).get(self.adresse(n) if n % 2 else self.texte(n), 0)
            for n in range(self.total)
        }
        return {
            "acquittees": len(self.acquittees),
            "absentes": sum(1 for n in self.acquittees if presentes[n] == 0),
            "en_double": sum(1 for n in range(self.total) if presentes[n] > 1),
            "presentes": sum(1 for n in range(self.total) if presentes[n] >= 1),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description="Exercice de bascule PostgreSQL (pg_auto_failover)")
    parser.add_argument("--ecritures", type=int, default=240)
    parser.add_argument("--fils", type=int, default=4)
    parser.add_argument(
        "--port", type=int, default=55430, help="moniteur ; nœuds sur les deux ports suivants"
    )
    parser.add_argument("--dossier", default=str(RACINE / ".local" / "bascule"))
    parser.add_argument("--garder", action="store_true", help="laisser la grappe tourner à la fin")
    args = parser.parse_args()
    if not shutil.which("pg_autoctl"):
        print("pg_autoctl absent : apt-get install postgresql-15-auto-failover", file=sys.stderr)
        return 2
    sys.path.insert(0, str(RACINE))
    os.chdir(RACINE)
    grappe = Grappe(Path(args.dossier), args.port)
    try:
        debut = time.monotonic()
        grappe.creer()
        journal(f"grappe prête en {time.monotonic() - debut:.0f} s : {grappe.etat()}")
        preparer_la_base(args.port)
        journal("base migrée, démonstration chargée (URL multi-hôtes, target_session_attrs=read-write)")
        rafale = Rafale(args.ecritures, uuid.uuid4().hex[:8])
        fin = time.monotonic() + 300
        fils = [threading.Thread(target=rafale.fil, args=(fin,)) for _ in range(args.fils)]
        for f in fils:
            f.start()
        while len(rafale.acquittees) < args.ecritures // 3:
            time.sleep(0.05)
        tue_a = time.monotonic()
        acquittees_avant = len(rafale.acquittees)
        grappe.tuer_le_primaire()
        journal(f"primaire tué (keeper et postmaster, SIGKILL) après {acquittees_avant} écritures acquittées")
        promotion = grappe.attendre(
            lambda e: e.get("noeud2") in ("wait_primary", "primary"), "promotion de noeud2", 180
        )
        journal(f"noeud2 promu en {promotion:.1f} s : {grappe.etat()}")
        for f in fils:
            f.join()
        # the first write that began after the failure and succeeded (one begun before may still have committed)
        apres = sorted(fin_ for debut_, fin_ in rafale.essais_reussis if debut_ > tue_a)
        reprise = (apres[0] - tue_a) if apres else float("nan")
        journal(
            f"première écriture réussie {reprise:.1f} s après la panne ; {rafale.erreurs} erreurs vues et reprises"
        )
        grappe.relancer_noeud1()
        retour = grappe.attendre(
            lambda e: e.get("noeud1") == "secondary" and e.get("noeud2") == "primary",
            "retour de noeud1 en secondaire",
            180,
        )
        journal(f"ancien primaire revenu en secondaire en {retour:.1f} s : {grappe.etat()}")
        from django.db import close_old_connections

        ecrites_apres = 0
        for n in range(args.ecritures, args.ecritures + 20):  # the same process writes on, without restart
            close_old_connections()  # what Django does at each request (CONN_HEALTH_CHECKS)
            rafale.ecrire(n)
            ecrites_apres += 1
        close_old_connections()
        bilan = rafale.verifier()
        ok = bilan["acquittees"] == args.ecritures and bilan["absentes"] == 0 and bilan["en_double"] == 0
        print(json.dumps({
            "ecritures": args.ecritures, "fils": args.fils, **bilan,
            "reprises_deja_faites": rafale.reprises_deja_faites, "erreurs_reprises": rafale.erreurs,
            "promotion_s": round(promotion, 1), "premiere_ecriture_apres_panne_s": round(reprise, 1),
            "ancien_primaire_secondaire_s": round(retour, 1), "ecritures_sans_redemarrage": ecrites_apres,
            "resultat": "réussi" if ok else "ÉCHEC",
        }, ensure_ascii=False, indent=2), flush=True)  # fmt: skip
        return 0 if ok else 1
    finally:
        if not args.garder:
            grappe.arreter()


if __name__ == "__main__":
    sys.exit(main())
