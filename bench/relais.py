"""Throughput of the outbox relay: documents per second through the outbox to the local endpoints.

    .venv/bin/python bench/relais.py [--documents 300] [--relais 1,2,4] [--service dmp|mssante]

In the bench organisme (bench/generate.py) — or, when it has not been generated, a small organisme of its
own (``Bench — relais``, one EHPAD, one physician) —, for one person with a qualified identity in its first ESMS, it
writes N produced documents (a one-page PDF) and N exchanges, then relays them with 1, 2, 4… relays in
parallel (threads, one database connection each: ``FOR UPDATE SKIP LOCKED`` shares the rows out) to the
local test server of the service — the DMP endpoint (ITI-41 over mutual TLS, metadata checked) or the
MSSanté SMTP server (STARTTLS, CDA + XDM zip built for each mail). Each run prints documents/s, the CDA +
request building included. The documents and exchanges stay in the bench organisme (a few hundred rows a
run). Loopback only; bounded by the number of documents.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.generate import BENCH_FINESS, analyser  # noqa: E402
from documents.models import CODES_LOINC, Document, TypeDocument  # noqa: E402
from dui.models import Etablissement, OrganismeGestionnaire  # noqa: E402
from dui.tenancy import auth_lookup, tenant_context  # noqa: E402
from habilitations.models import Habilitation  # noqa: E402
from interop import services  # noqa: E402
from interop.models import Envoi, StatutEnvoi  # noqa: E402
from interop.serveurs_test import certificats, port_libre  # noqa: E402
from usagers.models import Sejour, Usager  # noqa: E402


def preparer(og, n: int, service: str, pdf: bytes) -> list[int]:
    with tenant_context(og.pk):
        # the first EHPAD with a professional who may send documents: a physician if there is one (the bench's
        # role rotation leaves its EHPADs without any), else a nurse
        habilitation = None
        for role in ("medecin", "medecin_coordonnateur", "infirmier"):
            with auth_lookup():
                habilitation = (
                    Habilitation.objects.filter(etablissement__categorie="EHPAD", role=role)
                    .select_related("professionnel", "etablissement")
                    .order_by("etablissement_id", "id")
                    .first()
                )
            if habilitation is not None:
                break
        if habilitation is None:
            raise SystemExit("Aucun professionnel habilité à envoyer dans un EHPAD de cet organisme.")
        ehpad, medecin = habilitation.etablissement, habilitation.professionnel
        usager = Usager.objects.filter(nom_naissance="Relais", premier_prenom="Bench").first()
        if usager is None:
            usager = Usager.objects.create(
                organisme=og,
                nom_naissance="Relais",
                premier_prenom="Bench",
                prenoms_naissance=["Bench"],
                date_naissance=datetime.date(1940, 1, 1),
                sexe="F",
                lieu_naissance_insee="75056",
                statut_identite="QUAL",
                matricule_ins="295109912611193",
                oid_ins="1.2.250.1.213.1.4.10",
            )
            Sejour.objects.create(
                organisme=og,
                usager=usager,
                etablissement=ehpad,
                mode_accueil="permanent",
                date_entree=datetime.date(2025, 1, 1),
            )
        services.relancer_le_relais = lambda organisme_id: None  # the bench relays by itself
        ids = []
        for i in range(n):
            document = Document(
                organisme=og,
                usager=usager,
                etablissement=ehpad,
                type_document=TypeDocument.DLU,
                code_loinc=CODES_LOINC[TypeDocument.DLU],
                categorie="soins",
                titre=f"DLU bench {i}",
                auteur=medecin,
                statut="disponible",
                produit_le=timezone.now(),
            )
            document.fichier.save("bench.pdf", ContentFile(pdf), save=False)
            document.taille = len(pdf)
            document.save()
            if service == "dmp":
                envoi = services.do_demander_envoi_dmp(medecin, document)
            else:
                envoi = services.do_demander_envoi_mssante(medecin, document, "bench@medecin.mssante.fr")
            ids.append(envoi.pk)
    return ids


def petit_organisme() -> OrganismeGestionnaire:
    """An organisme of its own when the large bench organisme is absent: one EHPAD, one physician."""
    from habilitations.models import Professionnel

    og, cree = OrganismeGestionnaire.objects.get_or_create(
        finess_juridique="990000017", defaults={"raison_sociale": "Bench — relais"}
    )
    if cree:
        with tenant_context(og.pk), auth_lookup():
            ehpad = Etablissement.objects.create(
                organisme=og, nom="EHPAD bench relais", finess_geographique="990000025", categorie="EHPAD"
            )
            medecin = Professionnel.objects.create_user(
                "medecin@relais.bench",
                None,
                organisme=og,
                nom="Bench",
                prenom="Médecin",
                profession="medecin",
                rpps="10101010101",
            )
            Habilitation.objects.create(
                organisme=og,
                professionnel=medecin,
                etablissement=ehpad,
                role="medecin",
                debut=datetime.date(2025, 1, 1),
            )
    return og


def relayer(og, paralleles: int) -> None:
    if paralleles == 1:  # in the main thread (a profiler sees it)
        services.relayer(og.pk, limite=10_000)
        return
    erreurs = []

    def un_relais():
        try:
            services.relayer(og.pk, limite=10_000)
        except Exception as exc:  # noqa: BLE001 - reported
            erreurs.append(exc)
        finally:
            connections.close_all()

    fils = [threading.Thread(target=un_relais) for _ in range(paralleles)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    if erreurs:
        raise erreurs[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--relais", default="1,2,4")
    parser.add_argument("--service", choices=["dmp", "mssante"], default="dmp")
    args = parser.parse_args()
    og = OrganismeGestionnaire.objects.filter(finess_juridique=BENCH_FINESS).first() or petit_organisme()
    from weasyprint import HTML

    pdf = HTML(string="<h1>Document de liaison d'urgence</h1><p>Bench du relais.</p>").write_pdf()
    dossier = Path(tempfile.mkdtemp(prefix="dui-bench-relais-"))
    settings.MEDIA_ROOT = str(dossier / "media")
    certs = dossier / "tls"
    certificats(certs)
    # The test servers run in a process of their own (as the real services would): the relay's figures are
    # not shared with the server's work under one GIL.
    ports = {"dmp": port_libre(), "smtp": port_libre(), "fhir": port_libre()}
    journal = (dossier / "serveurs.log").open("w")
    serveurs = subprocess.Popen(  # noqa: S603 - our own test servers
        [
            sys.executable,
            "-m",
            "interop.serveurs_test",
            "--dossier",
            str(certs),
            "--port-dmp",
            str(ports["dmp"]),
            "--port-smtp",
            str(ports["smtp"]),
            "--port-fhir",
            str(ports["fhir"]),
        ],
        cwd=settings.BASE_DIR,
        stdout=journal,
        stderr=subprocess.STDOUT,
    )
    try:  # the test servers stop with the bench, even when it fails
        for _ in range(100):
            if "DMP de test" in (dossier / "serveurs.log").read_text():
                break
            time.sleep(0.1)
        settings.DUI_DMP_URL, settings.DUI_DMP_CA = (
            f"https://127.0.0.1:{ports['dmp']}/dmp",
            str(certs / "ca.pem"),
        )
        settings.DUI_DMP_CERT, settings.DUI_DMP_KEY = str(certs / "client.pem"), str(certs / "client.key")
        settings.DUI_MSS_HOTE, settings.DUI_MSS_PORT = "127.0.0.1", ports["smtp"]
        settings.DUI_MSS_CA = str(certs / "ca.pem")
        with tenant_context(
            og.pk
        ):  # a previous run stopped midway: its leftovers would be relayed with these
            restes = Envoi.objects.filter(statut=StatutEnvoi.EN_ATTENTE).update(statut=StatutEnvoi.ANNULE)
        print(
            f"Relais {args.service.upper()} : {args.documents} documents par mesure, PDF de {len(pdf)} octets"
            + (f" ({restes} envois restés en attente d'un essai précédent annulés)" if restes else "")
        )
        for paralleles in [int(x) for x in args.relais.split(",")]:
            ids = preparer(og, args.documents, args.service, pdf)
            analyser()  # fresh planner statistics, as autovacuum would give them after such a load
            t0 = time.perf_counter()
            relayer(og, paralleles)
            duree = time.perf_counter() - t0
            with tenant_context(og.pk):
                envoyes = Envoi.objects.filter(pk__in=ids, statut=StatutEnvoi.ENVOYE).count()
                autres = list(
                    Envoi.objects.filter(pk__in=ids)
                    .exclude(statut=StatutEnvoi.ENVOYE)
                    .values_list("derniere_erreur", flat=True)[:3]
                )
            print(
                f"  {paralleles} relais en parallèle : {envoyes}/{len(ids)} envoyés en {duree:.2f} s — "
                f"{envoyes / duree:.1f} documents/s" + (f" ; non envoyés : {list(autres)}" if autres else "")
            )
    finally:
        serveurs.terminate()
        try:
            serveurs.wait(10)
        except subprocess.TimeoutExpired:
            serveurs.kill()


if __name__ == "__main__":
    main()
