from __future__ import annotations

import datetime

import pytest

from coordination import services
from coordination.forms import instant
from coordination.models import Ressource
from dui.tenancy import tenant_context
from tests.soins.conftest import creer_resident


def demain() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=1)


def rdv(tenant, usager, heure=10, duree=1, jour=None, auteur="infirmier", **kwargs):
    """A rendez-vous of ``usager`` planned by the tenant's ``auteur``."""
    jour = jour or demain()
    kwargs.setdefault("titre", "Consultation cardiologie")
    kwargs.setdefault("genre", "rdv_externe")
    with tenant_context(tenant.organisme.pk):
        return services.do_planifier(
            tenant[auteur],
            tenant.ehpad,
            usager=usager,
            debut=instant(jour, datetime.time(heure)),
            fin=instant(jour, datetime.time(heure + duree)),
            **kwargs,
        )


def vehicule(tenant, nom="Minibus"):
    with tenant_context(tenant.organisme.pk):
        return Ressource.objects.create(
            organisme=tenant.organisme, etablissement=tenant.ehpad, genre="vehicule", nom=nom, places=8
        )


@pytest.fixture
def personne(og_a):
    return creer_resident(
        og_a, nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
