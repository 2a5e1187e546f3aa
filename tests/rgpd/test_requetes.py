"""The DPO's and the admin's new list pages: their query counts are pinned and do not grow with the data."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from dui.models import JournalAcces
from dui.tenancy import tenant_context
from rgpd.models import DemandeDroitAcces
from tests.factories import SejourFactory, UsagerFactory
from tests.utils import nombre_de_requetes
from usagers.models import ExceptionAccesUsager

pytestmark = pytest.mark.django_db

PAGES = [
    "/rgpd/conservation/",
    "/rgpd/droit-acces/",
    "/rgpd/acces-inhabituels/",
    "/usagers/exceptions-acces/",
]
PINNED = [12, 8, 15, 9]  # issue 16 (one transaction, rights read once)


def _grandir(tenant, debut: int, fin: int) -> None:
    """Per step: an archived dossier past retention (one died), a right-of-access request, an exception,
    journal entries of a day, at night and outside the professional's ESMS."""
    with tenant_context(tenant.organisme.pk):
        permission = Permission.objects.get(codename="refuser_medical", content_type__app_label="usagers")
        for i in range(debut, fin):
            parti = UsagerFactory(organisme=tenant.organisme, nom_naissance=f"Parti{i}")
            SejourFactory(
                usager=parti,
                etablissement=tenant.ehpad if i % 2 else tenant.mas,
                date_entree=datetime.date(1990, 1, 1),
                date_sortie=datetime.date(2000, 1, 1 + i),
                motif_sortie="Décès" if i % 2 else "Retour à domicile",
            )
            parti.archive_le = timezone.now()
            parti.save(update_fields=["archive_le"])
            DemandeDroitAcces.objects.create(
                organisme=tenant.organisme, usager=parti, demandeur=tenant.dpo, motif=f"Courrier {i}"
            )
            ExceptionAccesUsager.objects.create(
                organisme=tenant.organisme,
                user=tenant["infirmier"],
                content_object=parti,
                permission=permission,
            )
            for pro in (tenant["infirmier"], tenant["medecin"]):
                JournalAcces.objects.create(
                    organisme=tenant.organisme,
                    professionnel=pro,
                    type_acces="lecture",
                    objet_type="usagers.usager",
                    objet_id=parti.public_id,
                    libelle=f"Dossier {i}",
                    etablissement=tenant.mas,
                )


def test_the_new_list_pages_have_pinned_query_counts(og_a, client_de):
    _grandir(og_a, 0, 1)
    clients = [client_de(og_a.dpo)] * 3 + [client_de(og_a.admin)]
    for client, url in zip(clients, PAGES, strict=True):
        client.get(url)
    avant = [nombre_de_requetes(c, u) for c, u in zip(clients, PAGES, strict=True)]
    _grandir(og_a, 1, 7)
    apres = [nombre_de_requetes(c, u) for c, u in zip(clients, PAGES, strict=True)]
    assert apres == avant == PINNED, (avant, apres)
    page = client_de(og_a.dpo).get("/rgpd/conservation/").content.decode()
    assert page.count('data-testid="propose"') == 7
