"""A real Celery worker process runs a tenant task sent by a web request (no eager mode)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from dui.celery import app as celery_app
from dui.models import ExportJournal, JournalAcces
from dui.tenancy import tenant_context

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    db = connections["default"].settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path, settings):
    queue = f"dui-test-{uuid.uuid4().hex[:8]}"
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dui.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DUI_MEDIA_ROOT": str(media),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dui",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        yield proc
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        proc.terminate()
        try:
            output, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
        print(output[-3000:])


def _attendre_le_worker(worker, lire, en_cours: str):
    """Re-read the row (``lire()``) until the worker has moved it out of ``en_cours``: a bounded wait (up to
    60 s), not a timing assertion."""
    objet = None
    for _ in range(300):
        objet = lire()
        if objet.statut != en_cours or worker.poll() is not None:
            break
        time.sleep(0.2)
    return objet


def _lire(tenant, modele):
    def lire():
        with tenant_context(tenant.organisme.pk):
            return modele.objects.get()

    return lire


def test_export_requested_on_the_web_is_produced_by_a_real_worker(og_a, og_b, worker, client_de):
    with tenant_context(og_a.organisme.pk):
        JournalAcces.objects.create(
            organisme=og_a.organisme,
            professionnel=og_a["medecin"],
            type_acces="lecture",
            objet_type="x",
            libelle="Lecture par le médecin",
        )
    with tenant_context(og_b.organisme.pk):
        JournalAcces.objects.create(
            organisme=og_b.organisme,
            professionnel=og_b["medecin"],
            type_acces="lecture",
            objet_type="x",
            libelle="Lecture chez B",
        )
    client = client_de(og_a.dpo)
    assert client.post("/journal/export/", {}).status_code == 302

    export = _attendre_le_worker(worker, _lire(og_a, ExportJournal), "en_attente")
    assert export is not None and export.statut == "termine", "le worker n'a pas produit l'export"
    contenu = (Path(settings.MEDIA_ROOT) / export.fichier).read_text(encoding="utf-8-sig")
    assert "Lecture par le médecin" in contenu and "Lecture chez B" not in contenu
    with tenant_context(og_a.organisme.pk):
        historique = export.__class__.objects.get(pk=export.pk)
        assert historique.demandeur == og_a.dpo


def test_pdf_of_a_projet_personnalise_is_rendered_by_a_real_worker(og_a, worker, client_de):
    from accompagnement.models import ProjetPersonnalise
    from documents.models import Document
    from documents.pdf import texte_du_pdf
    from tests.accompagnement.conftest import projet_en_co_construction, valider
    from tests.usagers.conftest import creer_usager

    usager = creer_usager(
        og_a, nom_naissance="Garnier", premier_prenom="Yvonne", prenoms_naissance=["Yvonne"]
    )
    with tenant_context(og_a.organisme.pk):
        assert not ProjetPersonnalise.objects.exists()
    pp = valider(og_a, projet_en_co_construction(og_a, usager))
    client = client_de(og_a["educateur"])
    assert client.post(f"/accompagnement/projet/{pp.public_id}/", {"formulaire": "pdf"}).status_code == 302
    document = _attendre_le_worker(worker, _lire(og_a, Document), "en_preparation")
    assert document is not None and document.statut == "disponible", document and document.erreur
    r = client.get(f"/documents/{document.public_id}/")
    assert "Marcher jusqu'au jardin 0" in texte_du_pdf(b"".join(r.streaming_content))
