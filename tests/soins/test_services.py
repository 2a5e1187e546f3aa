"""Soins: rules of the services and selectors (allergies, alerts, relève, plan de soins, validation)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from dui.tenancy import tenant_context
from soins import selectors, services
from soins.models import (
    Allergie,
    Constante,
    DossierSoins,
    PriseDePoste,
    RealisationSoin,
    SoinPlanifie,
    StatutAllergies,
    bornes_poste,
    poste_de,
)
from tests.soins.conftest import creer_resident, ecrire, planifier

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def _allergie(tenant, usager, auteur=None, **champs):
    valeurs = {
        "nature": "allergie",
        "type_agent": "substance",
        "agent": "Amoxicilline",
        "reaction": "Urticaire géante",
        "severite": "severe",
    }
    valeurs.update(champs)
    with tenant_context(tenant.organisme.pk):
        return services.do_ajouter_allergie(auteur or tenant["infirmier"], usager, Allergie(**valeurs))


# --- Allergies -------------------------------------------------------------------------------------------


def test_allergy_is_structured_normalised_and_unique_while_active(og_a, resident):
    a = _allergie(og_a, resident, agent="  Pénicilline-G ")
    assert (a.agent, a.agent_normalise, a.type_agent, a.severite) == (
        "Pénicilline-G",
        "penicilline g",
        "substance",
        "severe",
    )
    assert a.grave and a.saisie_par == og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        assert DossierSoins.objects.get(usager=resident).statut_allergies == StatutAllergies.RENSEIGNEES
    with pytest.raises(ValidationError, match="déjà enregistré"):
        _allergie(og_a, resident, agent="PENICILLINE G")
    # the same agent as a food is another allergy
    _allergie(og_a, resident, agent="Pénicilline G", type_agent="aliment", severite="legere")
    with tenant_context(og_a.organisme.pk), pytest.raises(ValidationError, match="Décrivez la réaction"):
        services.do_ajouter_allergie(
            og_a["infirmier"],
            resident,
            Allergie(type_agent="aliment", agent="Kiwi", reaction=" ", severite="legere"),
        )


def test_no_known_allergy_is_a_statement_refused_while_allergies_are_active(og_a, resident):
    with tenant_context(og_a.organisme.pk):
        dossier = services.do_declarer_aucune_allergie(og_a["infirmier"], resident)
    assert dossier.statut_allergies == StatutAllergies.AUCUNE
    a = _allergie(og_a, resident)
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError, match="allergies actives"):
            services.do_declarer_aucune_allergie(og_a["infirmier"], resident)
        with pytest.raises(ValidationError):
            services.do_desactiver_allergie(og_a["infirmier"], a, "  ")
        services.do_desactiver_allergie(og_a["infirmier"], a, "Erreur : allergie d'un homonyme")
        a.refresh_from_db()
        assert a.inactive_le and a.history.count() == 2
        services.do_declarer_aucune_allergie(og_a["infirmier"], resident)
        # a deactivated allergy may be entered again
        _allergie(og_a, resident)


def test_allergies_and_medical_history_need_the_right_habilitation(og_a, og_b, resident):
    from soins.models import Antecedent

    for role in ("educateur", "agent_administratif"):
        with tenant_context(og_a.organisme.pk), pytest.raises(PermissionDenied):
            services.do_ajouter_allergie(
                og_a[role],
                resident,
                Allergie(type_agent="aliment", agent="Arachide", reaction="Œdème", severite="vitale"),
            )
    with tenant_context(og_b.organisme.pk), pytest.raises(PermissionDenied):
        services.do_ajouter_allergie(
            og_b["infirmier"],
            resident,
            Allergie(type_agent="aliment", agent="Arachide", reaction="Œdème", severite="vitale"),
        )
    # antécédents: médecin writes, infirmier reads only
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(PermissionDenied):
            services.do_ajouter_antecedent(
                og_a["infirmier"],
                resident,
                Antecedent(type_antecedent="medical", libelle="Diabète de type 2"),
            )
        services.do_ajouter_antecedent(
            og_a["medecin"],
            resident,
            Antecedent(type_antecedent="medical", libelle="Diabète de type 2", code_cim10="e11"),
        )
        assert Antecedent.objects.get().code_cim10 == "E11"


# --- Constantes and alerts ----------------------------------------------------------------------------------


def _mesurer(tenant, usager, auteur=None, **mesures):
    moment = mesures.pop("moment", timezone.now())
    lignes = []
    for code, valeur in mesures.items():
        v1, v2 = valeur if isinstance(valeur, tuple) else (valeur, None)
        lignes.append(
            Constante(
                type_constante=code,
                valeur=Decimal(str(v1)),
                valeur_2=Decimal(str(v2)) if v2 is not None else None,
                mesure_le=moment,
            )
        )
    with tenant_context(tenant.organisme.pk):
        return services.do_enregistrer_constantes(
            auteur or tenant["aide_soignant"], usager, tenant.ehpad, lignes
        )


def test_values_outside_thresholds_raise_alerts_in_french(og_a, resident):
    tension, temperature, spo2, pouls = _mesurer(
        og_a, resident, tension=(185, 95), temperature="38.6", spo2=95, pouls=72
    )
    assert tension.alerte == "Systolique 185 mmHg > seuil 160"
    assert temperature.alerte == "Température 38,6 °C > seuil 38,0"
    assert spo2.alerte == "" and pouls.alerte == ""
    assert temperature.affichage == "38,6 °C" and tension.affichage == "185/95 mmHg"
    (douleur,) = _mesurer(og_a, resident, douleur_algoplus=2)
    assert "Algoplus 2 /5 > seuil 1" in douleur.alerte


def test_per_person_thresholds_replace_the_defaults(og_a, resident):
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(PermissionDenied):  # an aide-soignant does not set thresholds
            services.do_modifier_seuils(
                og_a["aide_soignant"], resident, "tension", Decimal(100), Decimal(190)
            )
        with pytest.raises(ValidationError, match="supérieur"):
            services.do_modifier_seuils(og_a["medecin"], resident, "spo2", Decimal(95), Decimal(90))
        services.do_modifier_seuils(
            og_a["medecin"], resident, "tension", Decimal(100), Decimal(190), None, Decimal(90)
        )
    (tension,) = _mesurer(og_a, resident, tension=(185, 95))
    assert tension.alerte == "Diastolique 95 mmHg > seuil 90"


def test_weight_loss_of_five_percent_in_a_month_raises_a_denutrition_alert(og_a, resident):
    il_y_a_un_mois = timezone.now() - datetime.timedelta(days=30)
    (avant,) = _mesurer(og_a, resident, poids="60.0", moment=il_y_a_un_mois)
    assert avant.alerte == ""
    (stable,) = _mesurer(og_a, resident, poids="58.0")
    assert stable.alerte == ""  # −3.3 %
    (perte,) = _mesurer(og_a, resident, poids="56.9")
    assert "Perte de poids de 5,2 %" in perte.alerte and "dénutrition" in perte.alerte


def test_implausible_values_are_refused_and_nothing_is_saved(og_a, resident):
    for mesures, message in (
        ({"temperature": 3.78}, "entre 30,0 et 44,0"),
        ({"tension": (80, 120)}, "inférieure à la systolique"),
        ({"pouls": 72, "spo2": 140}, "SpO2"),
    ):
        with pytest.raises(ValidationError, match=message):
            _mesurer(og_a, resident, **mesures)
    with tenant_context(og_a.organisme.pk):
        assert not Constante.objects.exists()
    with pytest.raises(ValidationError, match="futur"):
        _mesurer(og_a, resident, pouls=70, moment=timezone.now() + datetime.timedelta(hours=2))


# --- Shifts and the relève ----------------------------------------------------------------------------------


def test_shifts_and_their_bounds():
    assert poste_de(datetime.datetime(2026, 11, 24, 6, 59, tzinfo=TZ)) == (
        "nuit",
        datetime.date(2026, 11, 23),
    )
    assert poste_de(datetime.datetime(2026, 11, 24, 7, 0, tzinfo=TZ)) == (
        "matin",
        datetime.date(2026, 11, 24),
    )
    assert poste_de(datetime.datetime(2026, 11, 24, 14, 0, tzinfo=TZ)) == (
        "apres_midi",
        datetime.date(2026, 11, 24),
    )
    assert poste_de(datetime.datetime(2026, 11, 24, 23, 30, tzinfo=TZ)) == (
        "nuit",
        datetime.date(2026, 11, 24),
    )
    debut, fin = bornes_poste("nuit", datetime.date(2026, 3, 28))  # the night the clocks go forward
    assert (debut.hour, fin.hour, fin.date()) == (21, 7, datetime.date(2026, 3, 29))
    # nine real hours (Python subtracts wall clocks within one zone: compare in UTC)
    assert fin.astimezone(datetime.UTC) - debut.astimezone(datetime.UTC) == datetime.timedelta(hours=9)


def test_releve_starts_at_the_end_of_the_users_previous_shift(og_a):
    infirmier = og_a["infirmier"]
    lundi_matin = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=TZ)
    mardi_matin = datetime.datetime(2026, 11, 24, 7, 30, tzinfo=TZ)
    with tenant_context(og_a.organisme.pk):
        assert services.do_prendre_poste(
            infirmier, og_a.unite, lundi_matin
        ) == lundi_matin - datetime.timedelta(hours=24)
        # the previous shift (Monday morning) ended at 14:00
        assert services.do_prendre_poste(infirmier, og_a.unite, mardi_matin) == datetime.datetime(
            2026, 11, 23, 14, 0, tzinfo=TZ
        )
        # reopening the relève during the same shift changes nothing
        assert services.do_prendre_poste(
            infirmier, og_a.unite, mardi_matin + datetime.timedelta(hours=2)
        ) == datetime.datetime(2026, 11, 23, 14, 0, tzinfo=TZ)
        assert PriseDePoste.objects.count() == 2
        # back after a week off: three days at most
        retour = datetime.datetime(2026, 12, 2, 7, 30, tzinfo=TZ)
        assert services.do_prendre_poste(infirmier, og_a.unite, retour) == retour - services.RELEVE_MAX


def test_releve_content_newest_first_with_read_marks(og_a, resident, django_assert_max_num_queries):
    autre_unite = _autre_unite(og_a)
    voisin = creer_resident(og_a, chambre="14")
    ailleurs = creer_resident(og_a, chambre="1")
    with tenant_context(og_a.organisme.pk):
        from usagers.models import Sejour

        Sejour.objects.filter(usager=ailleurs).update(unite=autre_unite)
    t_vieille = ecrire(og_a, resident, texte="Hier", cible="", donnees="", actions="", resultats="")
    with tenant_context(og_a.organisme.pk):
        from soins.models import Transmission

        Transmission.objects.filter(pk=t_vieille.pk).update(
            ecrite_le=timezone.now() - datetime.timedelta(days=2)
        )
    t1 = ecrire(og_a, resident, importante=True)
    (alerte,) = _mesurer(og_a, voisin, temperature="39.2")
    _mesurer(og_a, voisin, pouls=70)  # no alert: not in the relève
    ecrire(og_a, ailleurs, cible="Chute", donnees="Retrouvée au sol")  # another unit
    soin = planifier(og_a, resident, heures=[datetime.time(0, 0)])
    with tenant_context(og_a.organisme.pk):
        refus = services.do_valider_soin(
            og_a["aide_soignant"], soin, timezone.localdate(), datetime.time(0, 0), "pas_fait", "refus"
        )
    depuis = timezone.now() - datetime.timedelta(hours=12)
    lecteur = og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        usagers = [r.usager for r in selectors.residents(lecteur, og_a.unite, timezone.localdate())]
        assert {u.pk for u in usagers} == {resident.pk, voisin.pk}
        with django_assert_max_num_queries(5):
            elements = selectors.releve(lecteur, og_a.unite, depuis, usagers)
        assert [(e.genre, e.objet.pk) for e in elements] == [
            ("soin", refus.pk),
            ("alerte", alerte.pk),
            ("transmission", t1.pk),
        ]
        assert not any(e.lu for e in elements) and elements[2].important
        services.do_marquer_lu(lecteur, transmissions=[t1.pk])
        services.do_marquer_lu(lecteur, transmissions=[t1.pk], constantes=[alerte.pk])  # twice: harmless
        lus = {e.genre: e.lu for e in selectors.releve(lecteur, og_a.unite, depuis, usagers)}
        assert lus == {"transmission": True, "alerte": True, "soin": False}
        # read marks are per professional; the author has read their own transmission
        autre = {e.genre: e.lu for e in selectors.releve(og_a["aide_soignant"], og_a.unite, depuis, usagers)}
        assert autre == {"transmission": True, "alerte": False, "soin": False}


def test_releve_shows_absences_and_arrivals_and_an_absence_that_changed_is_unread_again(og_a, resident):
    from usagers.models import Absence, Sejour

    depuis = timezone.now() - datetime.timedelta(hours=12)
    lecteur = og_a["infirmier"]
    nouveau = creer_resident(og_a, chambre="15", arrive_maintenant=True)
    with tenant_context(og_a.organisme.pk):
        ancien = Sejour.objects.get(usager=resident)
        hospitalisation = Absence.objects.create(
            organisme=og_a.organisme,
            sejour=ancien,
            motif="hospitalisation",
            debut=timezone.localdate(),
            commentaire="Chute, urgences du CH",
        )
        usagers = [r.usager for r in selectors.residents(lecteur, og_a.unite, timezone.localdate())]
        elements = selectors.releve(lecteur, og_a.unite, depuis, usagers)
        assert [(e.genre, e.usager.pk, e.important) for e in elements] == [
            ("absence", resident.pk, True),
            ("arrivee", nouveau.pk, False),
        ]
        services.do_marquer_lu(lecteur, absences=[hospitalisation.pk], sejours=[elements[1].objet.pk])
        assert all(e.lu for e in selectors.releve(lecteur, og_a.unite, depuis, usagers))
        # the return is recorded: the absence comes back unread
        hospitalisation.fin = timezone.localdate()
        hospitalisation.save()
        lus = {e.genre: e.lu for e in selectors.releve(lecteur, og_a.unite, depuis, usagers)}
        assert lus == {"absence": False, "arrivee": True}
        services.do_marquer_lu(lecteur, absences=[hospitalisation.pk])
        assert all(e.lu for e in selectors.releve(lecteur, og_a.unite, depuis, usagers))


def _autre_unite(tenant):
    from tests.factories import UniteFactory

    with tenant_context(tenant.organisme.pk):
        return UniteFactory(etablissement=tenant.ehpad, nom="Autre unité")


def test_transmission_ciblee_or_narrative_rules(og_a, resident):
    t = ecrite = ecrire(og_a, resident)
    assert t.ciblee and t.unite == og_a.unite and t.poste == poste_de(t.ecrite_le)[0]
    assert ecrite.auteur == og_a["aide_soignant"]
    with pytest.raises(ValidationError, match="données"):
        ecrire(og_a, resident, donnees="  ")
    with pytest.raises(ValidationError, match="cible"):
        ecrire(og_a, resident, cible="")
    with pytest.raises(ValidationError, match="vide"):
        ecrire(og_a, resident, cible="", donnees="", actions="", resultats="", texte=" ")
    with pytest.raises(PermissionDenied):
        ecrire(og_a, resident, auteur=og_a["educateur"])


# --- Plan de soins --------------------------------------------------------------------------------------------


def test_day_generation_every_day_every_n_days_and_weekdays(og_a, resident):
    lundi = datetime.date(2026, 11, 23)
    quotidien = SoinPlanifie(
        type_soin="change",
        heures=[datetime.time(22), datetime.time(6, 30)],
        date_debut=lundi - datetime.timedelta(days=3),
    )
    tous_les_3 = SoinPlanifie(
        type_soin="pansement",
        heures=[datetime.time(10)],
        recurrence="n_jours",
        intervalle=3,
        date_debut=lundi,
    )
    mar_ven = SoinPlanifie(
        type_soin="toilette",
        libelle="Douche",
        heures=[datetime.time(9)],
        recurrence="jours_semaine",
        jours_semaine=[2, 5],
        date_debut=lundi,
        date_fin=lundi + datetime.timedelta(days=10),
    )
    soins = [quotidien, tous_les_3, mar_ven]
    jours = {
        lundi + datetime.timedelta(days=i): occ
        for i in range(14)
        for occ in [selectors.occurrences_du_jour(soins, lundi + datetime.timedelta(days=i))]
    }
    # every N days from the start date
    assert [j.day for j, occ in jours.items() if any(s is tous_les_3 for s, _ in occ)] == [23, 26, 29, 2, 5]
    # Tuesdays and Fridays until the end date (3 December)
    assert [j.day for j, occ in jours.items() if any(s is mar_ven for s, _ in occ)] == [24, 27, 1]
    # in time order within the day
    assert [(s.type_soin, h.hour) for s, h in jours[lundi]] == [
        ("change", 6),
        ("pansement", 10),
        ("change", 22),
    ]
    assert not selectors.occurrences_du_jour(soins, lundi - datetime.timedelta(days=4))


def test_plan_rules_and_stop(og_a, resident):
    with pytest.raises(ValidationError, match="jour de la semaine"):
        planifier(og_a, resident, recurrence="jours_semaine", jours_semaine=[])
    with pytest.raises(ValidationError, match="intervalle"):
        planifier(og_a, resident, recurrence="n_jours", intervalle=1)
    with pytest.raises(PermissionDenied):
        planifier(og_a, resident, auteur=og_a["educateur"])
    soin = planifier(og_a, resident, recurrence="jours_semaine", jours_semaine=[5, 1, 5], intervalle=9)
    assert soin.jours_semaine == [1, 5] and soin.intervalle == 1
    with tenant_context(og_a.organisme.pk):
        services.do_arreter_soin(og_a["infirmier"], soin, "Fin des soins de plaie")
        demain = timezone.localdate() + datetime.timedelta(days=1)
        soin.refresh_from_db()
        assert not soin.prevu_le(demain + datetime.timedelta(days=7))
        with pytest.raises(ValidationError, match="déjà arrêté"):
            services.do_arreter_soin(og_a["infirmier"], soin, "encore")


def test_validation_states_and_traceability(og_a, resident):
    aujourd_hui = timezone.localdate()
    soin = planifier(
        og_a,
        resident,
        heures=[datetime.time(8), datetime.time(20)],
        date_debut=aujourd_hui - datetime.timedelta(days=5),
    )
    aide = og_a["aide_soignant"]
    with tenant_context(og_a.organisme.pk):
        # confirmed: before 7 a.m. the 8 o'clock task is more than an hour early (the timing guard)
        fait = services.do_valider_soin(aide, soin, aujourd_hui, datetime.time(8), "fait", confirme=True)
        assert (fait.statut, fait.auteur, fait.usager_id, fait.etablissement_id) == (
            "fait",
            aide,
            resident.pk,
            og_a.ehpad.pk,
        )
        with pytest.raises(ValidationError, match="Déjà noté « fait » par"):
            services.do_valider_soin(
                og_a["infirmier"], soin, aujourd_hui, datetime.time(8), "pas_fait", "refus"
            )
        with pytest.raises(ValidationError, match="pourquoi"):
            services.do_valider_soin(aide, soin, aujourd_hui, datetime.time(20), "pas_fait")
        with pytest.raises(ValidationError, match="heure"):
            services.do_valider_soin(aide, soin, aujourd_hui, datetime.time(20), "reporte")
        reporte = services.do_valider_soin(
            aide, soin, aujourd_hui, datetime.time(20), "reporte", reporte_a=datetime.time(21, 30)
        )
        assert reporte.statut == "reporte"
        final = services.do_valider_soin(
            og_a["infirmier"], soin, aujourd_hui, datetime.time(20), "pas_fait", "endormi"
        )
        assert final.pk == reporte.pk and final.statut == "pas_fait" and final.reporte_a is None
        # each step stays traced with who and when
        assert [(h.statut, h.auteur_id) for h in final.history.order_by("history_date")] == [
            ("reporte", aide.pk),
            ("pas_fait", og_a["infirmier"].pk),
        ]
        # not at another time, not in advance, not a week late
        with pytest.raises(ValidationError, match="pas prévu"):
            services.do_valider_soin(aide, soin, aujourd_hui, datetime.time(9), "fait")
        with pytest.raises(ValidationError, match="avance"):
            services.do_valider_soin(
                aide, soin, aujourd_hui + datetime.timedelta(days=1), datetime.time(8), "fait"
            )
        with pytest.raises(ValidationError, match="trop ancien"):
            services.do_valider_soin(
                aide, soin, aujourd_hui - datetime.timedelta(days=3), datetime.time(8), "fait"
            )
        with pytest.raises(PermissionDenied):
            services.do_valider_soin(og_a["educateur"], soin, aujourd_hui, datetime.time(8), "fait")


def test_day_view_marks_late_tasks(og_a, resident):
    aujourd_hui = timezone.localdate()
    soin = planifier(og_a, resident, heures=[datetime.time(8), datetime.time(12), datetime.time(16)])
    midi_et_demi = datetime.datetime.combine(aujourd_hui, datetime.time(12, 30), tzinfo=TZ)
    with tenant_context(og_a.organisme.pk):
        RealisationSoin.objects.create(
            organisme=og_a.organisme,
            soin=soin,
            usager=resident,
            etablissement=og_a.ehpad,
            date_prevue=aujourd_hui,
            heure_prevue=datetime.time(8),
            statut="reporte",
            reporte_a=datetime.time(11),
            auteur=og_a["aide_soignant"],
        )
        liste = selectors.residents(og_a["aide_soignant"], og_a.unite, aujourd_hui)
        (ligne,) = selectors.journee(og_a.unite, aujourd_hui, liste, maintenant=midi_et_demi)
    assert [(o.heure.hour, o.en_retard) for o in ligne.occurrences] == [(8, True), (12, False), (16, False)]


@pytest.mark.django_db(transaction=True)
def test_two_carers_validating_the_same_task_at_once_yield_one_row(og_a, resident):
    """Two real transactions: both pass the Python check, the unique constraint keeps one row and the second
    carer gets a clear message."""
    soin = planifier(og_a, resident, heures=[datetime.time(8)])
    jour = timezone.localdate()
    barriere = threading.Barrier(2)
    resultats: list = []

    original = RealisationSoin.objects.select_for_update

    def valider(auteur):
        from django.db import connections

        try:
            with tenant_context(og_a.organisme.pk):
                # both transactions read "no row yet" before either inserts
                RealisationSoin.objects.select_for_update = lambda *a, **k: _attendre(
                    barriere, original(*a, **k)
                )
                resultats.append(
                    services.do_valider_soin(
                        auteur, soin, jour, datetime.time(8), "fait", confirme=True
                    ).auteur
                )
        except ValidationError as exc:
            resultats.append(exc.messages[0])
        finally:
            connections.close_all()

    fils = [threading.Thread(target=valider, args=(og_a[r],)) for r in ("aide_soignant", "infirmier")]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=30)
    RealisationSoin.objects.select_for_update = original
    messages = [r for r in resultats if isinstance(r, str)]
    assert len(resultats) == 2 and len(messages) == 1 and "Déjà noté « fait » par" in messages[0]
    with tenant_context(og_a.organisme.pk):
        assert RealisationSoin.objects.count() == 1
    connection.close()


def _attendre(barriere, queryset):
    barriere.wait(timeout=10)
    return queryset
