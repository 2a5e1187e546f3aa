"""Query counts of the list pages do not grow with the data (no N+1)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dui.models import JournalAcces
from dui.tenancy import tenant_context
from habilitations.models import BrisDeGlace, EvenementAuthentification
from tests.factories import HabilitationFactory, ProfessionnelFactory
from tests.utils import nombre_de_requetes

pytestmark = pytest.mark.django_db


def _grow(tenant, n):
    with tenant_context(tenant.organisme.pk):
        for _ in range(n):
            pro = ProfessionnelFactory(organisme=tenant.organisme)
            HabilitationFactory(professionnel=pro, etablissement=tenant.mas, role="educateur")
            JournalAcces.objects.create(
                organisme=tenant.organisme,
                professionnel=pro,
                type_acces="lecture",
                objet_type="dui.etablissement",
                objet_id=tenant.mas.public_id,
                etablissement=tenant.mas,
                libelle="lecture",
            )
            EvenementAuthentification.objects.create(
                organisme=tenant.organisme, professionnel=pro, email_saisi=pro.email, type_evenement="succes"
            )
            BrisDeGlace.objects.create(
                organisme=tenant.organisme,
                professionnel=pro,
                etablissement=tenant.mas,
                objet_type="dui.etablissement",
                objet_id=tenant.mas.public_id,
                objet_libelle="MAS",
                motif="Urgence médicale de nuit documentée",
                expire_le=timezone.now() + datetime.timedelta(hours=1),
            )


@pytest.mark.parametrize(
    "url,who",
    [
        ("/administration/professionnels/", "admin"),
        ("/administration/etablissements/", "admin"),
        ("/journal/", "dpo"),
        ("/journal/connexions/", "dpo"),
        ("/acces-exceptionnels/revue/", "dpo"),
    ],
)
def test_list_pages_have_constant_query_counts(og_a, client_de, url, who):
    client = client_de(og_a.admin if who == "admin" else og_a.dpo)
    _grow(og_a, 2)
    avant = nombre_de_requetes(client, url)
    _grow(og_a, 15)
    assert nombre_de_requetes(client, url) == avant, url
    assert avant <= 20


def test_professional_detail_page_querynombre_de_requetes(og_a, client_de):
    client = client_de(og_a.admin)
    pro = og_a["medecin"]
    url = f"/administration/professionnels/{pro.public_id}/"
    avant = nombre_de_requetes(client, url)
    with tenant_context(og_a.organisme.pk):
        for _ in range(5):
            HabilitationFactory(professionnel=pro, etablissement=og_a.mas, role="medecin")
    assert nombre_de_requetes(client, url) == avant
