"""Killing a real Celery worker in the middle of a batch loses nothing and sends nothing twice.

A worker process (``celery -A dui worker``, the production settings module, the test database, Redis)
relays six exchanges to the local DMP endpoint, which takes half a second per request. It is killed with
SIGKILL once the endpoint has read the third request: the endpoint stores that document, the worker never
hears the answer and its transaction dies with it. The periodic relay (the beat task ``interop.relayer_tous``,
as in production) then has a second worker relay what is left; the resend of the third submission is
recognised by the endpoint (same submission set uniqueId). No step waits on a timing margin: each waits for
what the endpoint or the database shows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connections

from dui.celery import app
from dui.tenancy import tenant_context
from interop import services
from interop.models import Envoi, StatutEnvoi
from interop.serveurs_test import ServeurDmpTest
from tests.conftest import url_de
from tests.interop.conftest import document_pret, personne

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]  # send_task: really sent


def _attendre(condition, delai: float, message: str):
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(message)


def _worker(file: str, journal, dmp: ServeurDmpTest, dossier) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dui.settings",
        "DATABASE_URL": url_de("default"),
        "DATABASE_OWNER_URL": url_de("owner"),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": file,  # the beat task's fan-out stays on this test's queue
        "DUI_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DUI_DMP_URL": dmp.url,
        "DUI_DMP_CERT": str(dossier / "client.pem"),
        "DUI_DMP_KEY": str(dossier / "client.key"),
        "DUI_DMP_CA": str(dossier / "ca.pem"),
        "DUI_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(  # noqa: S603 - our own worker
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dui",
            "worker",
            "--pool=solo",
            "-Q",
            file,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
            "-n",
            f"{file}@%h",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=journal,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_killed_worker_loses_nothing_and_sends_nothing_twice(
    og_a, dossier_certificats, tmp_path, monkeypatch
):
    # The requests' own relay (queued on commit, run eagerly by the test settings) is left to the workers.
    monkeypatch.setattr(services, "relancer_le_relais", lambda organisme_id: None)
    with tenant_context(og_a.organisme.pk):
        envois = [
            services.do_demander_envoi_dmp(
                og_a["medecin"], document_pret(og_a, personne(og_a, nom_naissance=f"Nom{i}"))
            )
            for i in range(6)
        ]
    dmp = ServeurDmpTest(dossier_certificats, lenteur=0.5).demarrer()
    file = f"test-relais-{uuid.uuid4().hex[:8]}"
    journal = (tmp_path / "worker.log").open("w+")
    premier = _worker(file, journal, dmp, dossier_certificats)
    second = None
    try:
        _attendre(lambda: "ready" in (tmp_path / "worker.log").read_text(), 60, "le worker n'a pas démarré")
        app.send_task("interop.relayer", kwargs={"organisme_id": og_a.organisme.pk}, queue=file)
        # Kill once the endpoint has read the third request (two acknowledged, the third being stored).
        _attendre(lambda: len(dmp.clients) >= 3, 60, "le worker n'a pas commencé le lot")
        os.killpg(premier.pid, signal.SIGKILL)
        premier.wait(10)
        # the endpoint finishes storing the third document; nobody hears its answer
        _attendre(lambda: len(dmp.documents) == 3, 10, "le point d'accès n'a pas reçu le troisième document")
        with tenant_context(og_a.organisme.pk):
            statuts = sorted(Envoi.objects.values_list("statut", flat=True))
        assert statuts == [StatutEnvoi.EN_ATTENTE] * 4 + [StatutEnvoi.ENVOYE] * 2, (
            dmp.clients,
            dmp.requetes,
            dmp.refus,
        )
        assert len(dmp.documents) == 3  # the third reached the DMP: its "envoyé" died with the worker

        second = _worker(file, journal, dmp, dossier_certificats)
        # recovery is the periodic relay's job (every minute in production): one relay per organisme
        app.send_task("interop.relayer_tous", queue=file)

        def fini():
            with tenant_context(og_a.organisme.pk):
                return not Envoi.objects.exclude(statut=StatutEnvoi.ENVOYE).exists()

        _attendre(fini, 60, "le second worker n'a pas tout relayé")
    finally:
        for worker in (premier, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
        dmp.arreter()
        journal.seek(0)
        sortie = journal.read()
        journal.close()
    assert "Traceback" not in sortie, sortie[-3000:]
    with tenant_context(og_a.organisme.pk):
        for envoi in envois:
            envoi.refresh_from_db()
            assert (envoi.statut, envoi.tentatives, envoi.derniere_erreur) == (StatutEnvoi.ENVOYE, 1, "")
    # Nothing lost, nothing stored twice: six documents, one resend recognised, seven requests in all.
    assert len(dmp.documents) == 6
    assert (dmp.doublons, dmp.requetes, len(dmp.lots)) == (1, 7, 6)


def test_two_relays_never_take_the_same_row(og_a, serveur_dmp, monkeypatch):
    """FOR UPDATE SKIP LOCKED: while another relay holds an exchange, this one takes the next and does not
    wait."""
    import threading

    monkeypatch.setattr(services, "relancer_le_relais", lambda organisme_id: None)
    with tenant_context(og_a.organisme.pk):
        premier = services.do_demander_envoi_dmp(og_a["medecin"], document_pret(og_a, personne(og_a)))
        second = services.do_demander_envoi_dmp(
            og_a["medecin"], document_pret(og_a, personne(og_a, nom_naissance="B"))
        )
    tenu, liberer = threading.Event(), threading.Event()

    def autre_relais():
        try:
            with tenant_context(og_a.organisme.pk):
                Envoi.objects.select_for_update().get(pk=premier.pk)
                tenu.set()
                liberer.wait(30)
        finally:
            connections.close_all()

    fil = threading.Thread(target=autre_relais)
    fil.start()
    try:
        assert tenu.wait(30)
        assert services.relayer(og_a.organisme.pk) == {"envoye": 1, "reessai": 0, "echec": 0}
        with tenant_context(og_a.organisme.pk):
            assert Envoi.objects.get(pk=second.pk).statut == StatutEnvoi.ENVOYE
            assert Envoi.objects.get(pk=premier.pk).statut == StatutEnvoi.EN_ATTENTE
    finally:
        liberer.set()
        fil.join()
    assert services.relayer(og_a.organisme.pk)["envoye"] == 1
    assert len(serveur_dmp.documents) == 2 and serveur_dmp.doublons == 0
