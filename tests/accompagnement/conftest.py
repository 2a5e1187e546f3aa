import datetime

import pytest
from django.utils import timezone

from accompagnement import services
from accompagnement.models import Attente, AvisValidation, Objectif
from dui.tenancy import tenant_context
from tests.usagers.conftest import creer_usager


@pytest.fixture
def resident_a(og_a):
    return creer_usager(
        og_a,
        nom_naissance="Garnier",
        premier_prenom="Yvonne",
        prenoms_naissance=["Yvonne"],
        date_naissance=datetime.date(1935, 2, 27),
    )


def projet_en_co_construction(tenant, usager, auteur=None, objectifs=1):
    auteur = auteur or tenant["educateur"]
    with tenant_context(tenant.organisme.pk):
        pp = services.do_creer_projet(auteur, usager, tenant.ehpad, auteur)
        services.do_ajouter_attente(auteur, pp, Attente(source="usager", texte="Revoir mon jardin"))
        services.do_passer_en_co_construction(auteur, pp)
        for i in range(objectifs):
            services.do_ajouter_objectif(
                auteur,
                pp,
                Objectif(
                    libelle=f"Marcher jusqu'au jardin {i}",
                    referent=auteur,
                    echeance=timezone.localdate() + datetime.timedelta(days=90),
                ),
            )
        pp.refresh_from_db()
    return pp


def valider(tenant, pp, auteur=None, date_avis=None, echeance=None):
    auteur = auteur or tenant["educateur"]
    with tenant_context(tenant.organisme.pk):
        services.do_recueillir_avis(
            auteur,
            pp,
            AvisValidation(
                decision="accord",
                exprime_par="usager",
                modalite="oral",
                date_avis=date_avis or timezone.localdate(),
            ),
            echeance,
        )
        pp.refresh_from_db()
    return pp
