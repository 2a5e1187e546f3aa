"""Issue 23, item 3: care tasks marked done by a mis-tap are corrected — never deleted — and a task validated
far from its time asks for a confirmation that is recorded."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dui.tenancy import tenant_context
from pilotage import indicateurs
from soins import services
from soins.models import RealisationSoin
from tests.soins.conftest import planifier

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Paris")


def _a(heure: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(timezone.localdate(), datetime.time(heure, minute), tzinfo=TZ)


def test_tasks_due_tonight_marked_done_at_14_50_ask_first_then_are_undone(og_a, resident, settings):
    """The tasks of 19:00 and 23:00 tapped « Fait » at 14:50: the guard asks; confirmed by mistake anyway,
    their author undoes them in one tap and they are to do again, every step traced."""
    settings.DUI_GARDES_HORAIRES = {"soin": {"avance": 60, "retard": None}}
    soin = planifier(og_a, resident, heures=[datetime.time(19), datetime.time(23)])
    aide = og_a["aide_soignant"]
    jour = timezone.localdate()
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(
            ValidationError, match=r"prévu à 19:00 : il est 14:50, soit 4 h 10 d'avance"
        ) as exc:
            services.do_valider_soin(aide, soin, jour, datetime.time(19), "fait", maintenant=_a(14, 50))
        assert exc.value.code == "hors_horaire"
        assert not RealisationSoin.objects.filter(soin=soin).exists()
        fait = services.do_valider_soin(
            aide, soin, jour, datetime.time(23), "fait", confirme=True, maintenant=_a(14, 50)
        )
        assert fait.ecart_confirme == -490
        # five minutes later, its author undoes it: no reason asked
        annule = services.do_corriger_soin(aide, fait, maintenant=_a(14, 55))
        assert (annule.statut, annule.ouverte, annule.auteur) == ("annule", True, aide)
        # at 23:05 the task is done, the same row; its history keeps the three steps
        refait = services.do_valider_soin(aide, soin, jour, datetime.time(23), "fait", maintenant=_a(23, 5))
        assert refait.pk == fait.pk and refait.ecart_confirme is None
        assert [(h.statut, h.ecart_confirme) for h in refait.history.order_by("history_date")] == [
            ("fait", -490),
            ("annule", None),
            ("fait", None),
        ]
        # « pas fait » or « reporté » early are not a task done early: no question
        assert services.do_valider_soin(
            aide, soin, jour, datetime.time(19), "reporte", reporte_a=datetime.time(20), maintenant=_a(14, 50)
        )


def test_the_guard_is_configured_per_type_of_care(og_a, resident, settings):
    settings.DUI_GARDES_HORAIRES = {"soin": {"avance": 60}, "pansement": {"avance": 240, "retard": 30}}
    pansement = planifier(og_a, resident, type_soin="pansement", heures=[datetime.time(18)])
    toilette = planifier(og_a, resident, type_soin="toilette", heures=[datetime.time(18)])
    aide, jour = og_a["infirmier"], timezone.localdate()
    with tenant_context(og_a.organisme.pk):
        assert services.do_valider_soin(aide, pansement, jour, datetime.time(18), "fait", maintenant=_a(15))
        with pytest.raises(ValidationError, match="d'avance"):
            services.do_valider_soin(aide, toilette, jour, datetime.time(18), "fait", maintenant=_a(15))


def test_after_the_window_only_a_nurse_corrects_with_a_reason(og_a, resident, settings):
    soin = planifier(og_a, resident, heures=[datetime.time(8)])
    aide, infirmier = og_a["aide_soignant"], og_a["infirmier"]
    collegue = _aide_soignant(og_a)
    jour = timezone.localdate()
    with tenant_context(og_a.organisme.pk):
        fait = services.do_valider_soin(aide, soin, jour, datetime.time(8), "fait", maintenant=_a(8, 10))
        apres = _a(8, 10 + settings.DUI_FENETRE_CORRECTION_MINUTES + 1)
        # its author after the window, a colleague within it: a nurse's correction
        for qui, quand in ((aide, apres), (collegue, _a(8, 11))):
            with pytest.raises(ValidationError, match="par un\\(e\\) infirmier"):
                services.do_corriger_soin(qui, fait, "Erreur", maintenant=quand)
        with pytest.raises(ValidationError) as exc:
            services.do_corriger_soin(infirmier, fait, "", maintenant=apres)
        assert "motif_correction" in exc.value.message_dict
        for qui in (og_a["educateur"], og_a["pharmacien"]):
            with pytest.raises(PermissionDenied):
                services.do_corriger_soin(qui, fait, "Erreur", maintenant=apres)
        corrige = services.do_corriger_soin(
            infirmier, fait, "Toilette faite par l'équipe de nuit", maintenant=apres
        )
        assert (corrige.statut, corrige.auteur, corrige.precision) == (
            "annule",
            infirmier,
            "Toilette faite par l'équipe de nuit",
        )
        suivi = indicateurs.suivi(og_a.organisme.pk, [og_a.ehpad.pk], jour, jour)[og_a.ehpad.pk]
    assert suivi["soins_prevus"] == 0  # an undone validation is not counted


def _aide_soignant(og_a):
    """A second aide-soignant(e) of the EHPAD."""
    from tests.factories import HabilitationFactory, ProfessionnelFactory

    with tenant_context(og_a.organisme.pk):
        pro = ProfessionnelFactory(organisme=og_a.organisme)
        HabilitationFactory(professionnel=pro, etablissement=og_a.ehpad, role="aide_soignant")
    return pro


def test_day_view_confirmation_and_undo_over_htmx(og_a, og_b, resident, client_de, settings):
    # the 00:00 dressing is always in the past today: a late guard of zero minutes always asks
    settings.DUI_GARDES_HORAIRES = {"soin": {"avance": 60}, "pansement": {"avance": 60, "retard": 0}}
    soin = planifier(og_a, resident, type_soin="pansement", heures=[datetime.time(0, 0)])
    client = client_de(og_a["aide_soignant"])
    jour = timezone.localdate().isoformat()
    url = f"/soins/soin/{soin.public_id}/valider/"
    r = client.post(url, {"jour": jour, "heure": "00:00", "statut": "fait"}, HTTP_HX_REQUEST="true")
    corps = r.content.decode()
    assert r.status_code == 200 and "HX-Trigger" not in r
    assert "de retard. Confirmez" in corps and "Confirmer « fait » maintenant" in corps
    assert f'hx-target="#o-{soin.public_id}-0000"' in corps
    r = client.post(
        url,
        {"jour": jour, "heure": "00:00", "statut": "fait", "confirmer_horaire": "1"},
        HTTP_HX_REQUEST="true",
    )
    corps = r.content.decode()
    assert r["HX-Trigger"] == "soin-valide" and "horaire confirmé" in corps and "Annuler « fait »" in corps
    with tenant_context(og_a.organisme.pk):
        realisation = RealisationSoin.objects.get(soin=soin)
    url_correction = f"/soins/realisation/{realisation.public_id}/corriger/"
    for qui in (og_b["aide_soignant"], og_a["educateur"]):
        assert client_de(qui).post(url_correction, HTTP_HX_REQUEST="true").status_code == 404, qui
    # another carer sees no undo button and cannot undo it
    autre = client_de(og_a["medecin"])
    page = autre.get(f"/soins/unite/{og_a.unite.public_id}/journee/").content.decode()
    assert (
        "Annuler « fait »" not in page and "Motif de la correction" in page
    )  # a doctor corrects with a reason
    r = autre.post(url_correction, {"motif_correction": ""}, HTTP_HX_REQUEST="true")
    assert "Indiquez pourquoi vous corrigez" in r.content.decode()
    # its author undoes it: the task is to do again, the day view counts it
    r = client.post(url_correction, HTTP_HX_REQUEST="true")
    corps = r.content.decode()
    assert "Validation annulée par" in corps and 'value="fait"' in corps
    page = client.get(f"/soins/unite/{og_a.unite.public_id}/journee/").content.decode()
    assert "1 soin à faire" in page
    # without JavaScript: redirected to the day view with a message
    r = client.post(url, {"jour": jour, "heure": "00:00", "statut": "fait", "confirmer_horaire": "1"})
    assert r.status_code == 302


def test_a_care_task_replayed_with_its_key_is_recorded_once(og_a, resident, client_de):
    soin = planifier(og_a, resident, heures=[datetime.time(0, 0)])
    client = client_de(og_a["aide_soignant"])
    envoi = {
        "jour": timezone.localdate().isoformat(),
        "heure": "00:00",
        "statut": "fait",
        "cle_idempotence": "k-1",
    }
    url = f"/soins/soin/{soin.public_id}/valider/"
    assert client.post(url, envoi, HTTP_HX_REQUEST="true")["X-DUI-Resultat"] == "enregistre"
    r = client.post(url, envoi, HTTP_HX_REQUEST="true")
    assert r["X-DUI-Resultat"] == "enregistre" and "Déjà noté" not in r.content.decode()
    r = client.post(url, {**envoi, "cle_idempotence": "k-2"}, HTTP_HX_REQUEST="true")
    assert r["X-DUI-Resultat"] == "refuse" and "Déjà noté « fait »" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert RealisationSoin.objects.filter(soin=soin).count() == 1
