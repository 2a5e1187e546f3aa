"""The Celery base task carries the tenant and the acting user, and fails closed without them."""

from __future__ import annotations

import pytest

from dui.models import ExportJournal, JournalAcces
from dui.tasks import TenantContextError, generer_export_journal
from dui.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def _export(tenant):
    with tenant_context(tenant.organisme.pk):
        JournalAcces.objects.create(
            organisme=tenant.organisme,
            professionnel=tenant["medecin"],
            type_acces="lecture",
            objet_type="x",
            libelle="lecture",
        )
        return ExportJournal.objects.create(organisme=tenant.organisme, demandeur=tenant.dpo)


def test_task_refuses_to_run_without_tenant_or_actor(og_a):
    export = _export(og_a)
    with pytest.raises(TenantContextError):
        generer_export_journal.apply(args=[str(export.public_id)], throw=True)
    with pytest.raises(TenantContextError):
        generer_export_journal.apply(
            args=[str(export.public_id)], kwargs={"organisme_id": og_a.organisme.pk}, throw=True
        )


def test_task_refuses_an_actor_of_another_tenant(og_a, og_b):
    export = _export(og_a)
    with pytest.raises(TenantContextError):
        generer_export_journal.apply(
            args=[str(export.public_id)],
            throw=True,
            kwargs={"organisme_id": og_a.organisme.pk, "acteur_id": og_b.dpo.pk},
        )


def test_task_under_the_wrong_tenant_cannot_see_the_object(og_a, og_b):
    export = _export(og_a)
    with pytest.raises(ExportJournal.DoesNotExist):
        generer_export_journal.apply(
            args=[str(export.public_id)],
            throw=True,
            kwargs={"organisme_id": og_b.organisme.pk, "acteur_id": og_b.dpo.pk},
        )


def test_task_runs_in_its_tenant_and_records_the_actor(og_a):
    export = _export(og_a)
    result = generer_export_journal.apply(
        args=[str(export.public_id)],
        throw=True,
        kwargs={"organisme_id": og_a.organisme.pk, "acteur_id": og_a.dpo.pk},
    )
    assert result.get() == 1
    with tenant_context(og_a.organisme.pk):
        export.refresh_from_db()
        assert export.statut == "termine"


def test_history_written_in_a_task_records_the_acting_professional(og_a):
    from celery import shared_task

    from dui.models import Etablissement
    from dui.tasks import TenantTask

    @shared_task(base=TenantTask, name="tests.renommer_etablissement")
    def renommer(public_id, nom, *, acteur):
        etab = Etablissement.objects.get(public_id=public_id)
        etab.nom = nom
        etab.save()

    renommer.apply(
        args=[str(og_a.mas.public_id), "MAS renommée"],
        throw=True,
        kwargs={"organisme_id": og_a.organisme.pk, "acteur_id": og_a.admin.pk},
    )
    with tenant_context(og_a.organisme.pk):
        derniere = Etablissement.history.filter(id=og_a.mas.pk).latest("history_date")
        assert derniere.nom == "MAS renommée" and derniere.history_user_id == og_a.admin.pk


# --- The test environment runs tasks as a worker would (tests/conftest.py) ------------------------------

from celery import shared_task  # noqa: E402


@shared_task(name="tests.compter_etablissements")
def _compter_etablissements(*_ignores) -> int:
    """A task that forgets to set its tenant (not a TenantTask): it must see nothing."""
    from dui.models import Etablissement

    return Etablissement.objects.count()


def test_an_eager_task_starts_outside_the_callers_tenant_and_gets_json_arguments(og_a):
    from kombu.exceptions import EncodeError

    with tenant_context(og_a.organisme.pk):
        from dui.models import Etablissement

        assert Etablissement.objects.count() == 2  # the caller sees its ESMS…
        assert _compter_etablissements.delay().get() == 0  # …the task, without its own tenant, none
        assert Etablissement.objects.count() == 2  # and the caller's tenant is back afterwards
        with pytest.raises(EncodeError):  # a model instance cannot cross the broker
            _compter_etablissements.delay(og_a.ehpad)


def test_every_fan_out_task_is_scheduled_by_beat():
    """A ``*_tous`` task (one run per organisme) exists only to be called by Celery beat: one missing from
    the schedule is a nightly job that never runs (the extension of series without end was, issue 17)."""
    from django.conf import settings

    from dui.celery import app

    app.loader.import_default_modules()
    programmees = {entree["task"] for entree in settings.CELERY_BEAT_SCHEDULE.values()}
    en_eventail = {nom for nom in app.tasks if nom.endswith("_tous")}
    assert {"coordination.prolonger_series_tous", "documents.entretien_tous"} <= en_eventail
    assert en_eventail - programmees == set()
    assert programmees - set(app.tasks) == set()  # and no schedule names a task that does not exist


def test_a_step_wise_task_fails_closed_without_its_tenant(og_a):
    """``TenantTaskParEtapes`` checks the tenant and the actor as ``TenantTask`` does."""
    from administratif.tasks import produire_export_presence
    from dui.tasks import TenantContextError

    with pytest.raises(TenantContextError):
        produire_export_presence.apply(args=["00000000-0000-0000-0000-000000000000"]).get()
    with pytest.raises(TenantContextError):
        produire_export_presence.apply(
            args=["00000000-0000-0000-0000-000000000000"],
            kwargs={"organisme_id": og_a.organisme.pk, "acteur_id": 10**9},
        ).get()
