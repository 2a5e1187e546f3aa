"""The agenda's reads of a period bound their index scans with the longest possible event (issue 16): an
event lasts at most 24 hours, which the table guarantees, and one begun the day before still shows."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from coordination import selectors, services
from coordination.forms import instant
from coordination.models import DUREE_MAX_EVENEMENT, Evenement
from dui.tenancy import tenant_context


def _planifier(tenant, usager, debut, fin):
    with tenant_context(tenant.organisme.pk):
        return services.do_planifier(
            tenant["infirmier"],
            tenant.ehpad,
            usager=usager,
            genre="rdv_externe",
            titre="Hospitalisation de jour",
            debut=debut,
            fin=fin,
        )


def test_un_evenement_commence_la_veille_figure_dans_la_journee(og_a, personne):
    aujourd_hui = timezone.localdate()
    veille = aujourd_hui - datetime.timedelta(days=1)
    a_cheval = _planifier(
        og_a, personne, instant(veille, datetime.time(8)), instant(aujourd_hui, datetime.time(7))
    )
    fini_la_veille = _planifier(
        og_a, personne, instant(veille, datetime.time(6)), instant(veille, datetime.time(7))
    )
    debut, fin = selectors.journee(aujourd_hui)
    with tenant_context(og_a.organisme.pk):
        du_jour = list(selectors.entre(selectors.evenements_visibles(og_a["infirmier"]), debut, fin))
    assert a_cheval in du_jour  # begun 16 hours before the day, within the bound
    assert fini_la_veille not in du_jour


def test_la_base_refuse_un_evenement_de_plus_de_24_heures(og_a, personne):
    demain = timezone.localdate() + datetime.timedelta(days=1)
    evenement = _planifier(
        og_a, personne, instant(demain, datetime.time(8)), instant(demain, datetime.time(9))
    )
    with tenant_context(og_a.organisme.pk):
        evenement.fin = evenement.debut + DUREE_MAX_EVENEMENT  # 24 hours: allowed
        evenement.save()
        evenement.fin = evenement.debut + DUREE_MAX_EVENEMENT + datetime.timedelta(minutes=1)
        with pytest.raises(IntegrityError, match="evenement_duree_max"), transaction.atomic():
            evenement.save()
        assert Evenement.objects.get(pk=evenement.pk).fin == evenement.debut + DUREE_MAX_EVENEMENT
