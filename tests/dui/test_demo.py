"""The demo data builds, is idempotent, and respects the tenant wall."""

import pytest

from dui.demo import construire_demo
from dui.models import OrganismeGestionnaire
from dui.tenancy import tenant_context
from usagers.models import Usager

pytestmark = pytest.mark.django_db


def test_demo_builds_once_with_two_organismes_and_usagers():
    assert construire_demo() is True
    assert construire_demo() is False
    tilleuls = OrganismeGestionnaire.objects.get(raison_sociale="Association Les Tilleuls")
    horizon = OrganismeGestionnaire.objects.get(raison_sociale="Fondation Horizon")
    with tenant_context(tilleuls.pk):
        assert Usager.objects.count() == 9
        assert all(u.sejours.exists() for u in Usager.objects.all())
        from admission.models import DemandeAdmission

        assert DemandeAdmission.objects.count() == 3
        assert Usager.objects.get(nom_naissance="Lefèvre").proches.count() == 2
    with tenant_context(horizon.pk):
        assert Usager.objects.count() == 1
