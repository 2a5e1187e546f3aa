"""The rights a process keeps between requests (the policy's ``_DROITS_PROCESSUS``, issue 16): a request that
finds them makes no query for them, and any change of a habilitation, an exception or a break-the-glass
access — through a service, guardian, a bulk update or SQL — is seen by the very next request, because a
trigger bumps ``Professionnel.droits_version`` in the transaction of the change."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from dui.tenancy import auth_lookup, tenant_context
from habilitations import policy
from habilitations.models import BrisDeGlace, Habilitation, Professionnel
from tests.factories import HabilitationFactory, SejourFactory, UsagerFactory

pytestmark = pytest.mark.django_db


def _version(pro) -> int:
    with auth_lookup():
        return Professionnel.objects.values_list("droits_version", flat=True).get(pk=pro.pk)


def _personne(tenant, etablissement):
    with tenant_context(tenant.organisme.pk):
        usager = UsagerFactory(organisme=tenant.organisme)
        SejourFactory(usager=usager, etablissement=etablissement, date_entree=datetime.date(2025, 1, 1))
    return usager


def _statut(client, usager) -> int:
    return client.get(f"/usagers/{usager.public_id}/").status_code


def test_a_second_request_reads_the_kept_rights_with_two_queries_fewer(og_a, client_de):
    client = client_de(og_a["infirmier"])
    usager = _personne(og_a, og_a.ehpad)
    policy.oublier_les_droits_gardes()
    comptes = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as capture:
            assert _statut(client, usager) == 200
        comptes.append(len(capture.captured_queries))
    assert comptes[1] == comptes[0] - 2  # the habilitations/exceptions union and the break-the-glass list


def test_every_change_of_rights_is_seen_by_the_next_request(og_a, client_de):
    pro = og_a["educateur"]  # habilitated in the EHPAD only
    client = client_de(pro)
    dans_la_mas = _personne(og_a, og_a.mas)
    dans_l_ehpad = _personne(og_a, og_a.ehpad)
    assert (_statut(client, dans_la_mas), _statut(client, dans_l_ehpad)) == (404, 200)  # now kept

    # a habilitation added in the MAS (factory: an ORM insert)
    with tenant_context(og_a.organisme.pk):
        hab = HabilitationFactory(professionnel=pro, etablissement=og_a.mas, role="educateur")
    assert _statut(client, dans_la_mas) == 200
    # ended by a bulk update (no model signal)
    with tenant_context(og_a.organisme.pk):
        Habilitation.objects.filter(pk=hab.pk).update(fin=timezone.localdate() - datetime.timedelta(days=1))
    assert _statut(client, dans_la_mas) == 404
    # an object-level DENY on the EHPAD person (guardian), then taken back
    with tenant_context(og_a.organisme.pk):
        assign_perm("refuser_administratif", pro, dans_l_ehpad)
    assert _statut(client, dans_l_ehpad) == 404
    with tenant_context(og_a.organisme.pk):
        remove_perm("refuser_administratif", pro, dans_l_ehpad)
    assert _statut(client, dans_l_ehpad) == 200
    # an ESMS-level GRANT on the MAS, written in SQL
    with tenant_context(og_a.organisme.pk), connection.cursor() as cur:
        cur.execute(
            """INSERT INTO habilitations_exceptionaccesetablissement (organisme_id, user_id, permission_id,
                   content_object_id, cree_le)
               SELECT %s, %s, p.id, %s, now() FROM auth_permission p
               WHERE p.codename = 'accorder_administratif' AND p.content_type_id =
                     (SELECT id FROM django_content_type WHERE app_label = 'dui' AND model = 'etablissement')""",
            [og_a.organisme.pk, pro.pk, og_a.mas.pk],
        )
        assert cur.rowcount == 1
    assert _statut(client, dans_la_mas) == 200


def test_a_break_the_glass_access_opens_and_expires_without_a_new_version(og_a, client_de):
    pro = og_a["infirmier"]
    client = client_de(pro)
    ailleurs = _personne(og_a, og_a.mas)
    assert _statut(client, ailleurs) == 404
    maintenant = timezone.now()
    with tenant_context(og_a.organisme.pk):
        bdg = BrisDeGlace.objects.create(
            organisme=og_a.organisme,
            professionnel=pro,
            etablissement=og_a.mas,
            objet_type="usagers.usager",
            objet_id=ailleurs.public_id,
            objet_libelle=str(ailleurs),
            motif="Chute la nuit, dossier nécessaire pour le SAMU",
            debut=maintenant,
            expire_le=maintenant + datetime.timedelta(hours=1),
        )
    assert _statut(client, ailleurs) == 200
    version = _version(pro)
    # the kept access ends at its expiry time, without any write (filtered at each use)
    with tenant_context(og_a.organisme.pk):
        BrisDeGlace.objects.filter(pk=bdg.pk).update(expire_le=maintenant + datetime.timedelta(seconds=1))
    assert _version(pro) == version + 1
    policy.oublier_les_droits_gardes()
    assert _statut(client, ailleurs) == 200  # kept again, with the one-second expiry
    with tenant_context(og_a.organisme.pk), connection.cursor() as cur:
        cur.execute("SELECT pg_sleep(1.1)")
    assert _version(pro) == version + 1 and _statut(client, ailleurs) == 404


def test_the_version_only_grows_and_follows_every_tracked_table(og_a):
    pro = og_a["medecin"]
    avant = _version(pro)
    with tenant_context(og_a.organisme.pk):
        hab = HabilitationFactory(professionnel=pro, etablissement=og_a.mas, role="medecin")
        hab.delete()
    assert _version(pro) == avant + 2
    # a professional loaded before the change and saved afterwards does not take the version back
    with auth_lookup():
        ancien = Professionnel.objects.get(pk=pro.pk)
    with tenant_context(og_a.organisme.pk):
        HabilitationFactory(professionnel=pro, etablissement=og_a.mas, role="medecin")
        ancien.nom = "Renommé"
        ancien.save()
    assert _version(pro) == avant + 3


def test_every_exception_model_bumps_the_version():
    """A model registered for object-level exceptions must have the trigger (habilitations.versions.SuivreLesDroits)."""
    tables = {exception._meta.db_table for exception in policy.EXCEPTION_MODELS.values()}
    tables |= {"habilitations_habilitation", "habilitations_brisdeglace"}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgfoid = 'dui_droits_modifies'::regproc"
        )
        suivies = {r[0] for r in cur.fetchall()}
    assert tables <= suivies, tables - suivies
