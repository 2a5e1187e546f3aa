import datetime

import pytest

from dui.tenancy import tenant_context
from tests.factories import SejourFactory, UsagerFactory


def creer_usager(tenant, etablissement=None, **traits):
    with tenant_context(tenant.organisme.pk):
        usager = UsagerFactory(organisme=tenant.organisme, **traits)
        SejourFactory(
            usager=usager, etablissement=etablissement or tenant.ehpad, date_entree=datetime.date(2025, 3, 1)
        )
    return usager


@pytest.fixture
def usager_a(og_a):
    return creer_usager(
        og_a,
        nom_naissance="Lefèvre-Dupont",
        premier_prenom="Hélène",
        prenoms_naissance=["Hélène", "Marie"],
        date_naissance=datetime.date(1938, 4, 12),
    )


@pytest.fixture
def usager_b(og_b):
    return creer_usager(
        og_b,
        nom_naissance="Lefevre Dupont",
        premier_prenom="Helene",
        prenoms_naissance=["Helene"],
        date_naissance=datetime.date(1938, 4, 12),
    )
