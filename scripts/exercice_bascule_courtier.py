"""Broker failover drill (issue 24): Redis with Sentinel on loopback — a master, two replicas, three Sentinels —,
a real Celery worker reaching it through the Sentinels, MSSanté exchanges asked in a stream (each one queues
the relay of its organisme), the master killed in the middle (SIGKILL), then the checks:

- the Sentinels elect a replica; the worker and the web side (publishing) carry on with the new master;
- every exchange ends « envoyé », and the local MSSanté server received each Message-ID exactly once — a relay
  task lost with the old master (Redis replicates asynchronously) changes nothing: the outbox is in PostgreSQL and
  the next relay sends what is due; a task delivered twice sends nothing twice.

    python scripts/exercice_bascule_courtier.py [--envois 40] [--port 56379]

Uses the development database with the demo loaded (``./bin/run`` once) and the settings' database URLs; runs
``redis-server`` and ``redis-server --sentinel`` from the system. Prints its figures; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]


def journal(texte: str) -> None:
    print(f"[courtier {time.strftime('%H:%M:%S', time.gmtime())} UTC] {texte}", flush=True)


class Redis:
    def __init__(self, dossier: Path, port: int) -> None:
        self.dossier, self.port = dossier, port
        self.processus: dict[str, subprocess.Popen] = {}

    def lancer(self, nom: str, *args: str) -> None:
        sortie = open(self.dossier / f"{nom}.log", "w")  # noqa: SIM115 - kept open with the process
        self.processus[nom] = subprocess.Popen(  # noqa: S603
            ["redis-server", *args],
            stdout=sortie,
            stderr=subprocess.STDOUT,
            cwd=self.dossier,  # noqa: S607
        )

    def demarrer(self) -> None:
        p = self.port
        self.lancer("maitre", "--port", str(p), "--save", "", "--appendonly", "no")
        for n in (1, 2):
            self.lancer(
                f"replique{n}", "--port", str(p + n), "--save", "", "--replicaof", "127.0.0.1", str(p)
            )
        time.sleep(1)
        for n in (1, 2, 3):
            conf = self.dossier / f"sentinelle{n}.conf"
            conf.write_text(
                f"port {p + 10 + n}\nsentinel monitor dui 127.0.0.1 {p} 2\n"
                "sentinel down-after-milliseconds dui 2000\nsentinel failover-timeout dui 10000\n"
            )
            self.lancer(f"sentinelle{n}", str(conf), "--sentinel")
        time.sleep(2)

    def maitre(self) -> int:
        sortie = subprocess.run(  # noqa: S603
            ["redis-cli", "-p", str(self.port + 11), "sentinel", "get-master-addr-by-name", "dui"],  # noqa: S607
            capture_output=True, text=True,
        )  # fmt: skip
        lignes = sortie.stdout.split()
        return int(lignes[1]) if len(lignes) == 2 else 0

    def url_sentinelles(self) -> str:
        return ";".join(f"sentinel://127.0.0.1:{self.port + 10 + n}" for n in (1, 2, 3))

    def tuer_le_maitre(self) -> None:
        self.processus["maitre"].send_signal(signal.SIGKILL)

    def arreter(self) -> None:
        for processus in self.processus.values():
            processus.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description="Exercice de bascule du courtier (Redis Sentinel)")
    parser.add_argument("--envois", type=int, default=40)
    parser.add_argument("--port", type=int, default=56379)
    args = parser.parse_args()
    sys.path.insert(0, str(RACINE))
    os.chdir(RACINE)
    dossier = Path(tempfile.mkdtemp(prefix="dui-courtier-"))
    redis = Redis(dossier, args.port)
    worker = None
    try:
        redis.demarrer()
        journal(f"Redis maître {redis.maitre()}, deux répliques, trois sentinelles")
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "dui.settings",
                "CELERY_BROKER_URL": redis.url_sentinelles(),
                "DUI_REDIS_MASTER": "dui",
                "DUI_ENVOI_DELAI_BASE": "1",
            }
        )
        import django

        django.setup()
        from django.conf import settings

        from interop.serveurs_test import ServeurSmtpTest, certificats

        certificats_dossier = certificats(RACINE / ".local" / "interop")
        smtp = ServeurSmtpTest(certificats_dossier).demarrer()
        os.environ.update(
            {
                "DUI_MSS_HOTE": "127.0.0.1",
                "DUI_MSS_PORT": str(smtp.port),
                "DUI_MSS_CA": str(certificats_dossier / "ca.pem"),
            }
        )
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "dui", "worker", "--concurrency=2", "--loglevel=INFO"],
            cwd=RACINE, stdout=open(dossier / "worker.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )  # fmt: skip
        time.sleep(6)

        from documents.models import Document, TypeDocument
        from dui.models import OrganismeGestionnaire
        from dui.tenancy import auth_lookup, tenant_context
        from habilitations.models import Professionnel
        from interop import services
        from interop.models import Envoi, StatutEnvoi
        from usagers.models import Usager

        organisme = OrganismeGestionnaire.objects.get(raison_sociale="Association Les Tilleuls")
        with auth_lookup():
            medecin = Professionnel.objects.get(email="medecin@tilleuls.demo")
        with tenant_context(organisme.pk):
            usager = Usager.objects.get(nom_naissance="Garnier")
            document = Document.objects.filter(usager=usager, type_document=TypeDocument.DLU).latest("id")
        marque = uuid.uuid4().hex[:8]
        adresses = [f"bascule-{marque}-{n}@courtier.mssante.fr" for n in range(args.envois)]
        tue_a = None
        for n, adresse in enumerate(adresses):
            with tenant_context(organisme.pk):  # the request: the row, and its relay queued after commit
                services.do_demander_envoi_mssante(medecin, document, adresse, "Exercice courtier")
            if n == args.envois // 3:
                redis.tuer_le_maitre()
                tue_a = time.monotonic()
                journal(f"maître Redis tué (SIGKILL) après {n + 1} envois demandés")
            time.sleep(0.15)
        journal(f"{args.envois} envois demandés ; aucune requête n'a échoué")
        debut = time.monotonic()
        nouveau = 0
        while time.monotonic() - debut < 60:
            nouveau = redis.maitre()
            if nouveau and nouveau != args.port:
                break
            time.sleep(0.5)
        election = (time.monotonic() - tue_a) if tue_a else float("nan")
        journal(f"nouveau maître : {nouveau} ({election:.1f} s après la panne)")
        # what beat does every minute: one more relay, published through the new master
        from interop.tasks import relayer_tous

        relayer_tous.delay()
        fin = time.monotonic() + 120
        while time.monotonic() < fin:
            with tenant_context(organisme.pk):
                restants = (
                    Envoi.objects.filter(destinataire__in=adresses).exclude(statut=StatutEnvoi.ENVOYE).count()
                )
            if restants == 0:
                break
            time.sleep(1)
        with tenant_context(organisme.pk):
            envoyes = Envoi.objects.filter(destinataire__in=adresses, statut=StatutEnvoi.ENVOYE).count()
        recus = [str(m["To"]) for m in smtp.messages if str(m["To"]) in adresses]
        identifiants = [str(m["Message-ID"]) for m in smtp.messages if str(m["To"]) in adresses]
        ok = (
            envoyes == args.envois
            and len(recus) == args.envois
            and len(set(identifiants)) == len(identifiants)
        )
        print(json.dumps({
            "envois": args.envois, "envoyes": envoyes, "messages_recus": len(recus),
            "messages_en_double": len(identifiants) - len(set(identifiants)),
            "election_du_nouveau_maitre_s": round(election, 1), "nouveau_maitre": nouveau,
            "courtier": settings.CELERY_BROKER_URL, "resultat": "réussi" if ok else "ÉCHEC",
        }, ensure_ascii=False, indent=2), flush=True)  # fmt: skip
        smtp.arreter()
        return 0 if ok else 1
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()
        redis.arreter()


if __name__ == "__main__":
    sys.exit(main())
