"""The read replica (issue 24): with a ``replique`` alias configured, the director's dashboard reads there —
here a second connection to the test database —, bound to the tenant on that connection too, so that row-level
security hides the other organisme's rows; everything else stays on the primary."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from dui.replique import lecture_sur_replique
from tests.soins.conftest import creer_resident
from usagers.models import Usager

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replique"])


@pytest.fixture
def replique(settings):
    settings.DUI_LECTURE_REPLIQUE = True
    yield connections["replique"]


def test_reads_of_the_block_go_to_the_replica_bound_to_the_tenant(og_a, og_b, replique):
    creer_resident(og_a, nom_naissance="Alpha")
    creer_resident(og_b, nom_naissance="Beta")
    with (
        CaptureQueriesContext(replique) as sur_replique,
        CaptureQueriesContext(connections["default"]) as primaire,
    ):
        with lecture_sur_replique(og_a.organisme.pk):
            noms = list(Usager.objects.values_list("nom_naissance", flat=True))
    assert noms == ["Alpha"]  # the other organisme's row exists on the replica, RLS hides it
    assert any("usagers_usager" in q["sql"] for q in sur_replique.captured_queries)
    assert not any("usagers_usager" in q["sql"] for q in primaire.captured_queries)
    with lecture_sur_replique(None):  # no tenant: nothing
        assert Usager.objects.count() == 0
    assert list(Usager.objects.none()) == []


def test_the_dashboard_is_served_by_the_replica(og_a, og_b, client_de, replique):
    creer_resident(og_a, nom_naissance="Alpha")
    creer_resident(og_b, nom_naissance="Beta")
    client = client_de(og_a["directeur"])
    with CaptureQueriesContext(replique) as sur_replique:
        reponse = client.get("/pilotage/")
    assert reponse.status_code == 200
    requetes = " ".join(q["sql"] for q in sur_replique.captured_queries)
    assert "usagers_sejour" in requetes and "admission_demandeadmission" in requetes  # its aggregates
    assert any("set_config" in q["sql"] for q in sur_replique.captured_queries)  # bound to the tenant there


def test_without_the_replica_everything_stays_on_the_primary(og_a, client_de, settings):
    settings.DUI_LECTURE_REPLIQUE = False
    with CaptureQueriesContext(connections["replique"]) as sur_replique:
        assert client_de(og_a["directeur"]).get("/pilotage/").status_code == 200
    assert sur_replique.captured_queries == []


def test_a_broker_outage_never_fails_a_request_that_committed(og_a, monkeypatch):
    """The outbox row is committed; publishing its relay fails (the broker fails over): logged, no error."""
    from kombu.exceptions import OperationalError

    from dui import queue
    from dui.tenancy import tenant_context
    from interop import services
    from interop.models import Envoi
    from tests.interop.conftest import document_pret, personne

    document = document_pret(og_a, personne(og_a))
    relais = queue.tache_nommee("interop.relayer")

    essais = []

    def broker_absent(*args, **kwargs):
        essais.append(kwargs)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(relais, "apply_async", broker_absent)
    with tenant_context(og_a.organisme.pk):
        services.do_demander_envoi_mssante(og_a["infirmier"], document, "dr@ch.mssante.fr")
    with tenant_context(og_a.organisme.pk):
        assert Envoi.objects.get().statut == "en_attente"  # the relay of every minute will send it
    assert essais == [{"args": (), "kwargs": {"organisme_id": og_a.organisme.pk}}]  # tried, failed, logged


def test_a_list_export_reads_its_rows_on_the_replica(og_a, og_b, replique):
    """The worker's export of « personnes accompagnées »: its rows come from the replica, tenant-bound there."""
    from dui import listes
    from dui.models import ExportListe, StatutExport
    from dui.tenancy import tenant_context

    creer_resident(og_a, nom_naissance="Alpha")
    creer_resident(og_b, nom_naissance="Beta")
    with CaptureQueriesContext(replique) as sur_replique:
        with tenant_context(og_a.organisme.pk):  # the request; its task runs eagerly once it commits
            export = listes.demander(og_a["agent_administratif"], "personnes_accompagnees", {})
    with tenant_context(og_a.organisme.pk):
        export = ExportListe.objects.get(pk=export.pk)
        with export.fichier_csv.open("rb") as f:
            contenu = f.read().decode("utf-8-sig")
    assert (
        export.statut == StatutExport.TERMINE and "ALPHA" in contenu.upper() and "BETA" not in contenu.upper()
    )
    assert any("usagers_usager" in q["sql"] for q in sur_replique.captured_queries)
