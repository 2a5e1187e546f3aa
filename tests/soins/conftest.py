import datetime

import pytest
from django.utils import timezone

from dui.tenancy import tenant_context
from soins import services
from soins.models import SoinPlanifie, Transmission
from tests.factories import SejourFactory, UsagerFactory


def creer_resident(tenant, chambre="12", arrive_maintenant=False, **traits):
    """A person living in the tenant's EHPAD unit (séjour with unit and room), recorded long ago unless
    ``arrive_maintenant`` (an arrival shows in the relève)."""
    with tenant_context(tenant.organisme.pk):
        usager = UsagerFactory(organisme=tenant.organisme, **traits)
        sejour = SejourFactory(
            usager=usager,
            etablissement=tenant.ehpad,
            unite=tenant.unite,
            chambre=chambre,
            date_entree=datetime.date(2025, 3, 1),
        )
        if not arrive_maintenant:
            type(sejour).objects.filter(pk=sejour.pk).update(
                cree_le=datetime.datetime(2025, 3, 1, 10, tzinfo=timezone.get_current_timezone())
            )
    return usager


@pytest.fixture
def resident(og_a):
    return creer_resident(
        og_a,
        nom_naissance="Marchand",
        premier_prenom="Odette",
        prenoms_naissance=["Odette"],
        date_naissance=datetime.date(1932, 6, 3),
    )


def planifier(tenant, usager, auteur=None, **champs):
    auteur = auteur or tenant["infirmier"]
    valeurs = {"type_soin": "toilette", "heures": [datetime.time(8, 0)], "date_debut": timezone.localdate()}
    valeurs.update(champs)
    with tenant_context(tenant.organisme.pk):
        return services.do_planifier_soin(
            auteur, SoinPlanifie(usager=usager, etablissement=tenant.ehpad, **valeurs)
        )


def ecrire(tenant, usager, auteur=None, **champs):
    auteur = auteur or tenant["aide_soignant"]
    valeurs = {
        "cible": "Douleur",
        "donnees": "Se plaint du genou droit",
        "actions": "Antalgique selon protocole",
        "resultats": "Soulagée à 10 h",
    }
    valeurs.update(champs)
    with tenant_context(tenant.organisme.pk):
        return services.do_ecrire_transmission(
            auteur, Transmission(usager=usager, etablissement=tenant.ehpad, **valeurs)
        )
