"""The agenda's reads of a period bound their index scans with the longest possible event (issue 16): an
event lasts at most 24 hours on the clock (the service's rule), 25 elapsed across the autumn clock change (the
table's constraint); one begun the day before still shows."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from coordination import selectors, services
from coordination.forms import instant
from coordination.models import BORNE_DUREE_EVENEMENT, Evenement
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


def test_la_base_refuse_un_evenement_plus_long_que_la_borne(og_a, personne):
    demain = timezone.localdate() + datetime.timedelta(days=1)
    evenement = _planifier(
        og_a, personne, instant(demain, datetime.time(8)), instant(demain, datetime.time(9))
    )
    with tenant_context(og_a.organisme.pk):
        evenement.fin = evenement.debut + BORNE_DUREE_EVENEMENT  # 25 hours elapsed: allowed
        evenement.save()
        evenement.fin = evenement.debut + BORNE_DUREE_EVENEMENT + datetime.timedelta(minutes=1)
        with pytest.raises(IntegrityError, match="evenement_duree_max"), transaction.atomic():
            evenement.save()
        assert Evenement.objects.get(pk=evenement.pk).fin == evenement.debut + BORNE_DUREE_EVENEMENT


def test_24_heures_a_l_horloge_la_nuit_du_changement_d_heure(og_a, personne):
    """31 October 2027, the clocks go back: noon to noon is 24 hours on the clock, 25 elapsed — the service
    accepts it and the table too; 24 h 30 on the clock is refused in French, nothing written."""
    from django.core.exceptions import ValidationError

    veille, jour = datetime.date(2027, 10, 30), datetime.date(2027, 10, 31)
    e = _planifier(og_a, personne, instant(veille, datetime.time(12)), instant(jour, datetime.time(12)))
    utc = datetime.UTC
    assert e.fin.astimezone(utc) - e.debut.astimezone(utc) == datetime.timedelta(hours=25)  # elapsed
    with pytest.raises(ValidationError, match="24 heures"):
        _planifier(og_a, personne, instant(veille, datetime.time(11, 30)), instant(jour, datetime.time(12)))
    with tenant_context(og_a.organisme.pk):
        du_jour = list(
            selectors.entre(selectors.evenements_visibles(og_a["infirmier"]), *selectors.journee(jour))
        )
    assert e in du_jour
