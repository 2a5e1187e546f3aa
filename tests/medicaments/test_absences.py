"""Issue 23, item 4: a resident away (hospitalisation, leave) has their doses and care tasks suspended for the
day of the absence — shown as absent, neither due nor late, nothing recorded as « non donné » — and a nurse can
still validate one when the person comes back that day."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dui.tenancy import tenant_context
from medicaments.models import Administration
from medicaments.selectors import creneau_de
from soins.models import RealisationSoin
from tests.medicaments.conftest import creer_resident, dose_decalee
from tests.soins.conftest import planifier
from usagers.models import Absence, Sejour

pytestmark = pytest.mark.django_db

FUROSEMIDE_40 = "60192594"


def _hospitaliser(og_a, usager) -> None:
    with tenant_context(og_a.organisme.pk):
        Absence.objects.create(
            organisme=og_a.organisme,
            sejour=Sejour.objects.get(usager=usager),
            motif="hospitalisation",
            debut=timezone.localdate() - datetime.timedelta(days=1),
        )


def test_a_hospitalised_residents_doses_and_tasks_are_suspended(og_a, base_bdpm, client_de):
    odette = creer_resident(og_a, chambre="12", nom_naissance="Marchand", premier_prenom="Odette")
    jean = creer_resident(og_a, chambre="14", nom_naissance="Perrin", premier_prenom="Jean")
    # both due three hours ago: late, unless the person is away
    dose_odette = dose_decalee(og_a, odette, -180)
    dose_jean = dose_decalee(og_a, jean, -180, specialite_cis=FUROSEMIDE_40)
    planifier(og_a, odette, libelle="Toilette au lavabo", heures=[datetime.time(0, 0)])
    planifier(og_a, jean, libelle="Toilette au lavabo", heures=[datetime.time(0, 0)])
    _hospitaliser(og_a, odette)

    client = client_de(og_a["infirmier"])
    jour, creneau = creneau_de(dose_odette.prevue_le)
    tournee = client.get(
        f"/medicaments/unite/{og_a.unite.public_id}/tournee/?jour={jour}&creneau={creneau}"
    ).content.decode()
    assert "absent(e) — hospitalisation" in tournee
    assert tournee.count("Suspendu — absent(e) : hospitalisation") == 1
    assert "1 dose à valider" in tournee and "1 en retard" in tournee  # Jean's only
    assert "Revenu(e) : valider quand même" in tournee  # the person may come back that day

    journee = client.get(f"/soins/unite/{og_a.unite.public_id}/journee/").content.decode()
    assert journee.count("Suspendu — absent(e) : hospitalisation") == 1
    assert "1 soin à faire" in journee

    # nothing was written for the suspended ones; coming back, a dose is given as usual
    with tenant_context(og_a.organisme.pk):
        assert not Administration.objects.exists() and not RealisationSoin.objects.exists()
    r = client.post(
        f"/medicaments/dose/{dose_odette.public_id}/administrer/",
        {"statut": "donne", "confirmer_horaire": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "Donné" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert Administration.objects.get(dose=dose_odette).statut == "donne"
        assert not Administration.objects.filter(dose=dose_jean).exists()


def test_a_leave_that_ended_yesterday_suspends_nothing_today(og_a, base_bdpm, client_de):
    odette = creer_resident(og_a, chambre="12", nom_naissance="Marchand", premier_prenom="Odette")
    dose = dose_decalee(og_a, odette, -10)
    jour, creneau = creneau_de(dose.prevue_le)  # the dose's own day (just after midnight: yesterday)
    with tenant_context(og_a.organisme.pk):
        Absence.objects.create(
            organisme=og_a.organisme,
            sejour=Sejour.objects.get(usager=odette),
            motif="vacances",
            debut=jour - datetime.timedelta(days=5),
            fin=jour - datetime.timedelta(days=1),
        )
    page = client_de(og_a["infirmier"]).get(
        f"/medicaments/unite/{og_a.unite.public_id}/tournee/?jour={jour}&creneau={creneau}"
    )
    corps = page.content.decode()
    assert "Suspendu" not in corps and "1 dose à valider" in corps
