import datetime
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from dui.tenancy import tenant_context
from medicaments import securite, services
from medicaments.models import (
    Administration,
    AlertePrescription,
    ArticleStock,
    DosePlanifiee,
    MouvementStock,
    Pilulier,
    Prescription,
    TypeMouvement,
)
from soins.models import Allergie
from tests.medicaments.conftest import (
    CIP_DOLIPRANE_1000,
    DOLIPRANE_1000,
    creer_resident,
    dose_due,
    plan_depuis,
    prescrire,
    specialite,
    substance,
)

PARIS = ZoneInfo("Europe/Paris")
AMOXICILLINE_1G = "60151544"
FUROSEMIDE_40 = "60192594"
EFFERALGAN_1000 = "60025403"


@pytest.fixture(autouse=True)
def chez_a(request):
    """Each test reads as organisme A (row-level security); a test with real transactions commits its own."""
    marque = request.node.get_closest_marker("django_db")
    if marque and marque.kwargs.get("transaction"):
        yield
        return
    og_a = request.getfixturevalue("og_a")
    with tenant_context(og_a.organisme.pk):
        yield


@pytest.fixture
def resident(og_a, base_bdpm):
    return creer_resident(og_a, nom_naissance="Marchand", premier_prenom="Odette")


def allergie(tenant, usager, agent, type_agent="substance", **champs):
    with tenant_context(tenant.organisme.pk):
        return Allergie.objects.create(
            organisme=tenant.organisme,
            usager=usager,
            type_agent=type_agent,
            agent=agent,
            reaction=champs.pop("reaction", "urticaire"),
            severite="grave",
            saisie_par=tenant["medecin"],
            **champs,
        )


def _ligne(**champs) -> Prescription:
    valeurs = {
        "dose": Decimal(1),
        "unite": "comprime",
        "voie": "orale",
        "heures": [datetime.time(8)],
        "debut": datetime.datetime(2026, 3, 1, 0, 0, tzinfo=PARIS),
    }
    valeurs.update(champs)
    return Prescription(**valeurs)


# --- Schedule expansion -------------------------------------------------------------------------------------


def test_daily_line_keeps_its_wall_clock_hours_across_the_spring_dst_change():
    p = _ligne(heures=[datetime.time(8), datetime.time(20)])
    avant = p.prises_du_jour(datetime.date(2026, 3, 28))
    apres = p.prises_du_jour(datetime.date(2026, 3, 29))
    assert [m.astimezone(datetime.UTC).hour for m in avant] == [7, 19]  # CET, UTC+1
    assert [m.astimezone(datetime.UTC).hour for m in apres] == [6, 18]  # CEST, UTC+2
    assert [m.astimezone(PARIS).hour for m in avant + apres] == [8, 20, 8, 20]


def test_a_time_in_the_spring_gap_is_given_an_hour_later_and_an_autumn_double_hour_once():
    p = _ligne(heures=[datetime.time(2, 30)])
    (printemps,) = p.prises_du_jour(datetime.date(2026, 3, 29))
    assert printemps.astimezone(PARIS).time() == datetime.time(3, 30)
    assert printemps == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC)
    (automne,) = p.prises_du_jour(datetime.date(2026, 10, 25))
    assert automne == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC)  # first 02:30 (CEST)


def test_every_n_days_counts_from_the_start_and_weekdays_follow_iso_numbers():
    tous_les_3 = _ligne(recurrence="n_jours", intervalle=3)
    jours = [datetime.date(2026, 3, 1) + datetime.timedelta(days=i) for i in range(10)]
    assert [j.day for j in jours if tous_les_3.prises_du_jour(j)] == [1, 4, 7, 10]
    lundi_jeudi = _ligne(recurrence="jours_semaine", jours_semaine=[1, 4])
    assert [j.isoweekday() for j in jours if lundi_jeudi.prises_du_jour(j)] == [1, 4, 1]


def test_the_period_bounds_the_doses_start_end_and_stop():
    p = _ligne(
        heures=[datetime.time(8), datetime.time(20)],
        debut=datetime.datetime(2026, 3, 2, 12, tzinfo=PARIS),
        fin=datetime.datetime(2026, 3, 4, 9, tzinfo=PARIS),
    )

    def heures(jour):
        return [m.astimezone(PARIS).hour for m in p.prises_du_jour(jour)]

    assert heures(datetime.date(2026, 3, 2)) == [20]  # started at noon
    assert heures(datetime.date(2026, 3, 4)) == [8]  # ends at 9
    assert heures(datetime.date(2026, 3, 5)) == []
    p.arrete_le = datetime.datetime(2026, 3, 3, 10, tzinfo=PARIS)
    assert heures(datetime.date(2026, 3, 3)) == [8]
    assert p.si_besoin is False and _ligne(si_besoin=True).prises_du_jour(datetime.date(2026, 3, 3)) == []


def test_plan_generated_over_the_dst_week_has_one_dose_per_wall_clock_time(og_a, resident):
    p = prescrire(
        og_a,
        resident,
        heures=[datetime.time(8), datetime.time(20)],
        debut=datetime.datetime(2026, 3, 26, 0, tzinfo=PARIS),
    )
    DosePlanifiee.objects.filter(prescription=p).delete()
    with tenant_context(og_a.organisme.pk):
        n = services.generer_plan(
            p, jusqu_au=datetime.date(2026, 4, 1), maintenant=datetime.datetime(2026, 3, 26, 0, tzinfo=PARIS)
        )
        assert n == 7 * 2
        assert (
            services.generer_plan(
                p,
                jusqu_au=datetime.date(2026, 4, 1),
                maintenant=datetime.datetime(2026, 3, 26, 0, tzinfo=PARIS),
            )
            == 14
        )  # idempotent
    moments = [
        timezone.localtime(d.prevue_le)
        for d in DosePlanifiee.objects.filter(prescription=p).order_by("prevue_le")
    ]
    assert len(moments) == 14
    assert {(m.hour, m.minute) for m in moments} == {(8, 0), (20, 0)}


def test_new_line_plans_the_horizon_from_now_only(og_a, resident):
    p = prescrire(og_a, resident, debut=timezone.now() - datetime.timedelta(days=3))
    doses = list(DosePlanifiee.objects.filter(prescription=p))
    assert doses and min(d.prevue_le for d in doses) >= p.cree_le - datetime.timedelta(seconds=1)
    horizon = timezone.localdate() + datetime.timedelta(days=services.HORIZON_JOURS)
    assert max(timezone.localtime(d.prevue_le).date() for d in doses) == horizon


# --- Future-only regeneration ------------------------------------------------------------------------------


def test_modifying_a_line_changes_the_future_plan_never_the_past(og_a, resident):
    p = prescrire(og_a, resident, heures=[datetime.time(8), datetime.time(20)])
    plan_depuis(og_a, p, 3)
    maintenant = timezone.now()
    passees = {
        d.pk: d.prevue_le for d in DosePlanifiee.objects.filter(prescription=p, prevue_le__lt=maintenant)
    }
    assert len(passees) >= 5
    # one past dose was given
    derniere = (
        DosePlanifiee.objects.filter(prescription=p, prevue_le__lt=maintenant).order_by("-prevue_le").first()
    )
    with tenant_context(og_a.organisme.pk):
        services.do_administrer(og_a["infirmier"], derniere, "donne", confirme=True)
        nouvelle = services.do_modifier(
            og_a["medecin"],
            p,
            Prescription(
                specialite=specialite(DOLIPRANE_1000),
                dose=Decimal("0.5"),
                unite="comprime",
                voie="orale",
                heures=[datetime.time(12)],
            ),
            "demi-dose",
            {f"doublon:{p.pk}": "remplacement"},
        )
    p.refresh_from_db()
    assert p.arrete_le is not None and p.motif_cloture.startswith("Modifiée")
    assert nouvelle.remplace == p and nouvelle.debut >= maintenant
    # the past is untouched: same rows, same times, the administration kept
    assert {d.pk: d.prevue_le for d in DosePlanifiee.objects.filter(prescription=p)} == passees
    assert Administration.objects.filter(dose=derniere, statut="donne").exists()
    # the future belongs to the new line only, at its new time
    futur = DosePlanifiee.objects.filter(usager=resident, prevue_le__gte=maintenant)
    assert futur.exists() and not futur.filter(prescription=p).exists()
    assert {timezone.localtime(d.prevue_le).hour for d in futur} == {12}
    # the acknowledgement of the duplicate is not needed: the replaced line is excluded from the checks
    assert not AlertePrescription.objects.filter(prescription=nouvelle).exists()


def test_stopping_a_line_removes_the_future_doses_and_keeps_the_past(og_a, resident):
    p = prescrire(og_a, resident)
    plan_depuis(og_a, p, 2)
    maintenant = timezone.now()
    nb_passees = DosePlanifiee.objects.filter(prescription=p, prevue_le__lt=maintenant).count()
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError):
            services.do_arreter(og_a["medecin"], p, "  ")
        services.do_arreter(og_a["medecin"], p, "Fin du traitement")
        p.refresh_from_db()
        assert services.generer_plan(p) == 0
    assert DosePlanifiee.objects.filter(prescription=p).count() == nb_passees
    assert not DosePlanifiee.objects.filter(prescription=p, prevue_le__gte=maintenant).exists()


# --- Safety checks -------------------------------------------------------------------------------------------


def test_allergy_to_a_substance_is_matched_through_the_drug_composition(og_a, resident):
    allergie(og_a, resident, "Amoxicilline")
    with pytest.raises(services.AlertesNonAcquittees) as exc:
        prescrire(og_a, resident, specialite_cis=AMOXICILLINE_1G)
    (alerte,) = exc.value.alertes
    assert alerte.type_alerte == "allergie" and "Amoxicilline" in alerte.message
    assert not Prescription.objects.filter(usager=resident).exists()  # nothing written
    assert not DosePlanifiee.objects.filter(usager=resident).exists()


def test_allergy_to_a_class_and_a_synonym_are_matched_but_not_a_food(og_a, resident):
    allergie(og_a, resident, "Pénicillines", type_agent="classe")
    allergie(og_a, resident, "amoxicilline", type_agent="aliment")  # nonsense entry: foods are not drugs
    with pytest.raises(services.AlertesNonAcquittees) as exc:
        prescrire(og_a, resident, specialite_cis=AMOXICILLINE_1G)
    assert [a.type_alerte for a in exc.value.alertes] == ["allergie"]
    autre = creer_resident(og_a, chambre="14")
    allergie(og_a, autre, "Aspirine")
    ligne = Prescription(
        usager=autre,
        substance=substance("acide acetylsalicylique"),
        libelle="ACIDE ACÉTYLSALICYLIQUE",
        dose=Decimal(1),
        unite="comprime",
        voie="orale",
        heures=[datetime.time(8)],
    )
    with tenant_context(og_a.organisme.pk):
        assert [a.type_alerte for a in securite.verifier(ligne)] == ["allergie"]
        furosemide = Prescription(
            usager=autre,
            specialite=specialite(FUROSEMIDE_40),
            libelle="FUROSEMIDE",
            dose=Decimal(1),
            unite="comprime",
            voie="orale",
            heures=[datetime.time(8)],
        )
        assert securite.verifier(furosemide) == []


def test_acknowledged_alerts_are_recorded_with_their_reason(og_a, resident):
    allergie(og_a, resident, "amoxicilline")
    with pytest.raises(services.AlertesNonAcquittees):
        prescrire(og_a, resident, specialite_cis=AMOXICILLINE_1G, acquittements={"allergie:0": "x"})
    cle = f"allergie:{Allergie.objects.get(usager=resident).pk}"
    p = prescrire(
        og_a,
        resident,
        specialite_cis=AMOXICILLINE_1G,
        acquittements={cle: "Allergie douteuse, test de réintroduction validé par l'allergologue"},
    )
    (alerte,) = p.alertes.all()
    assert alerte.cle == cle and alerte.acquittee_par == og_a["medecin"] and "réintroduction" in alerte.motif


def test_duplicate_substance_between_a_brand_and_a_generic_is_detected(og_a, resident):
    premiere = prescrire(og_a, resident)
    with pytest.raises(services.AlertesNonAcquittees) as exc:
        prescrire(og_a, resident, specialite_cis=EFFERALGAN_1000, heures=[datetime.time(12)])
    assert [a.cle for a in exc.value.alertes] == [f"doublon:{premiere.pk}"]
    assert "DOLIPRANE" in exc.value.alertes[0].message


def test_maximum_dose_per_24h_counts_regular_and_si_besoin_lines(og_a, resident):
    premiere = prescrire(
        og_a, resident, heures=[datetime.time(8), datetime.time(14), datetime.time(20)]
    )  # 3 g
    with pytest.raises(services.AlertesNonAcquittees) as exc:
        prescrire(og_a, resident, si_besoin=True, heures=[], indication="Douleur", max_par_24h=2)  # + 2 g
    cles = {a.cle: a for a in exc.value.alertes}
    dose_max = f"dose_max:{substance('paracetamol').code}"
    assert set(cles) == {f"doublon:{premiere.pk}", dose_max}
    assert "5000 mg" in cles[dose_max].message
    # one si besoin per 24 h keeps the total at 4 g: only the duplicate remains
    with pytest.raises(services.AlertesNonAcquittees) as exc:
        prescrire(og_a, resident, si_besoin=True, heures=[], indication="Douleur", max_par_24h=1)
    assert [a.type_alerte for a in exc.value.alertes] == ["doublon"]


def test_si_besoin_needs_its_indication_and_its_maximum(og_a, resident):
    with pytest.raises(ValidationError) as exc:
        prescrire(og_a, resident, si_besoin=True, heures=[], indication="", max_par_24h=None)
    assert set(exc.value.message_dict) == {"indication", "max_par_24h"}
    with pytest.raises(ValidationError) as exc:
        prescrire(og_a, resident, heures=[])
    assert "heures" in exc.value.message_dict


def test_only_physicians_prescribe(og_a, og_b, resident):
    for role in ("infirmier", "pharmacien", "aide_soignant", "educateur"):
        with pytest.raises(PermissionDenied):
            prescrire(og_a, resident, auteur=og_a[role])
    with pytest.raises(PermissionDenied):
        prescrire(og_a, resident, auteur=og_b["medecin"])
    assert prescrire(og_a, resident, auteur=og_a["medecin_coordonnateur"]).pk


# --- Administration ------------------------------------------------------------------------------------------


def test_a_dose_is_given_refused_or_postponed_then_given(og_a, resident):
    dose = dose_due(og_a, resident)
    with tenant_context(og_a.organisme.pk):
        a = services.do_administrer(
            og_a["infirmier"], dose, "reporte", reporte_a=timezone.now() + datetime.timedelta(hours=1)
        )
        assert a.statut == "reporte"
        a = services.do_administrer(og_a["infirmier"], dose, "donne")
        assert a.statut == "donne" and a.auteur == og_a["infirmier"] and a.quantite == Decimal(1)
        assert [h.statut for h in a.history.order_by("history_date")] == ["reporte", "donne"]
        with pytest.raises(ValidationError, match="Déjà noté « donné »"):
            services.do_administrer(og_a["medecin"], dose, "refuse")
        with pytest.raises(ValidationError):
            services.do_administrer(og_a["infirmier"], dose, "non_donne")  # no reason


def test_not_given_needs_a_reason_and_refused_is_recorded_as_a_refusal(og_a, resident):
    dose = dose_due(og_a, resident)
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError) as exc:
            services.do_administrer(og_a["infirmier"], dose, "non_donne")
        assert "motif" in exc.value.message_dict
        a = services.do_administrer(og_a["infirmier"], dose, "refuse")
    assert a.motif == "refus"


def test_no_administration_against_a_stopped_or_not_started_line(og_a, resident):
    dose = dose_due(og_a, resident)
    with tenant_context(og_a.organisme.pk):
        services.do_arreter(og_a["medecin"], dose.prescription, "Effet indésirable")
        with pytest.raises(ValidationError, match="Prescription arrêtée"):
            services.do_administrer(og_a["infirmier"], dose, "donne")
        futur = prescrire(
            og_a,
            resident,
            specialite_cis=FUROSEMIDE_40,
            debut=timezone.now() + datetime.timedelta(days=2),
            heures=[datetime.time(8)],
        )
        with pytest.raises(ValidationError, match="pas encore commencée"):
            services.do_administrer(
                og_a["infirmier"],
                DosePlanifiee(
                    organisme=og_a.organisme,
                    prescription=futur,
                    usager=resident,
                    etablissement=og_a.ehpad,
                    prevue_le=timezone.now(),
                ),
                "donne",
            )
    assert not Administration.objects.filter(usager=resident).exists()


def test_the_database_refuses_an_administration_outside_the_period(og_a, resident):
    dose = dose_due(og_a, resident)
    with tenant_context(og_a.organisme.pk):
        services.do_arreter(og_a["medecin"], dose.prescription, "Arrêt")
        with pytest.raises(IntegrityError, match="hors de la période"), transaction.atomic():
            Administration.objects.create(
                organisme=og_a.organisme,
                prescription=dose.prescription,
                dose=dose,
                usager=resident,
                etablissement=og_a.ehpad,
                statut="donne",
                quantite=Decimal(1),
                auteur=og_a["infirmier"],
            )


def test_too_early_and_too_late(og_a, resident):
    p = prescrire(og_a, resident, heures=[datetime.time(8)])
    demain = DosePlanifiee.objects.filter(prescription=p).order_by("prevue_le").last()
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError, match="Trop tôt"):
            services.do_administrer(og_a["infirmier"], demain, "donne")
        with pytest.raises(ValidationError, match="trop ancienne"):
            services.do_administrer(
                og_a["infirmier"], demain, "donne", maintenant=demain.prevue_le + datetime.timedelta(days=2)
            )


def test_who_may_administer(og_a, og_b, resident):
    dose = dose_due(og_a, resident)
    for pro in (og_a["aide_soignant"], og_a["pharmacien"], og_a["educateur"], og_b["infirmier"]):
        with tenant_context(pro.organisme_id), pytest.raises(PermissionDenied):
            services.do_administrer(pro, dose, "donne")
    assert not Administration.objects.filter(dose=dose).exists()


@pytest.mark.django_db(transaction=True)
def test_two_nurses_validating_the_same_dose_at_once_get_one_row(og_a, base_bdpm):
    usager = creer_resident(og_a)
    dose = dose_due(og_a, usager)
    barriere = threading.Barrier(2)
    resultats = []

    def valider(pro):
        try:
            with tenant_context(og_a.organisme.pk):
                barriere.wait()
                services.do_administrer(pro, DosePlanifiee.objects.get(pk=dose.pk), "donne")
            resultats.append("ok")
        except ValidationError as exc:
            resultats.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    fils = [threading.Thread(target=valider, args=(og_a[r],)) for r in ("infirmier", "medecin")]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    assert sorted(resultats)[1] == "ok" and sorted(resultats)[0].startswith("Déjà noté « donné » par")
    with tenant_context(og_a.organisme.pk):
        assert Administration.objects.filter(dose=dose).count() == 1


def test_si_besoin_within_its_maximum_per_24h(og_a, resident):
    p = prescrire(
        og_a,
        resident,
        si_besoin=True,
        heures=[],
        indication="Douleur",
        max_par_24h=2,
        debut=timezone.now() - datetime.timedelta(hours=30),
    )
    assert not DosePlanifiee.objects.filter(prescription=p).exists()
    infirmier = og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError):
            services.do_donner_si_besoin(infirmier, p, " ")
        services.do_donner_si_besoin(
            infirmier, p, "Douleur genou", maintenant=timezone.now() - datetime.timedelta(hours=25)
        )
        services.do_donner_si_besoin(
            infirmier, p, "Douleur genou", maintenant=timezone.now() - datetime.timedelta(hours=3)
        )
        services.do_donner_si_besoin(infirmier, p, "Céphalée")  # the one 25 h ago no longer counts
        with pytest.raises(ValidationError, match="Maximum atteint : 2 prise"):
            services.do_donner_si_besoin(infirmier, p, "Douleur")
    assert Administration.objects.filter(prescription=p, statut="donne").count() == 3


# --- Barcode -----------------------------------------------------------------------------------------------------


def test_barcode_reading_ean13_and_datamatrix():
    assert services.cip13_du_code(CIP_DOLIPRANE_1000) == CIP_DOLIPRANE_1000
    assert services.cip13_du_code(f"01{'0' + CIP_DOLIPRANE_1000}17271231 10LOT42") == CIP_DOLIPRANE_1000
    with pytest.raises(ValidationError, match="clé de contrôle"):
        services.cip13_du_code(CIP_DOLIPRANE_1000[:-1] + "9")
    with pytest.raises(ValidationError, match="Code illisible"):
        services.cip13_du_code("abc")


def test_scanning_the_right_box_confirms_the_wrong_one_blocks(og_a, resident):
    dose = dose_due(og_a, resident)
    furosemide = specialite(FUROSEMIDE_40).presentations.first().cip13
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError, match="Mauvais médicament : la boîte scannée est « FUROSEMIDE"):
            services.do_administrer(og_a["infirmier"], dose, "donne", code_boite=furosemide)
        assert not Administration.objects.filter(dose=dose).exists()
        a = services.do_administrer(og_a["infirmier"], dose, "donne", code_boite=CIP_DOLIPRANE_1000)
    assert a.cip13_scanne == CIP_DOLIPRANE_1000


def test_a_dci_line_accepts_any_box_containing_the_substance(og_a, resident):
    p = prescrire(
        og_a,
        resident,
        specialite_cis=None,
        substance=substance("paracetamol"),
        dosage_dci="1 g",
        heures=[datetime.time(8)],
    )
    with tenant_context(og_a.organisme.pk):
        efferalgan = specialite(EFFERALGAN_1000).presentations.first().cip13
        assert services.verifier_boite(p, efferalgan).specialite.cis == EFFERALGAN_1000
        with pytest.raises(ValidationError, match="Mauvais médicament"):
            services.verifier_boite(p, specialite(FUROSEMIDE_40).presentations.first().cip13)


# --- Piluliers ---------------------------------------------------------------------------------------------------


def test_pilulier_is_prepared_then_double_checked_by_someone_else(og_a, resident):
    semaine = services.lundi(timezone.localdate()) + datetime.timedelta(days=7)
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError, match="lundi"):
            services.do_marquer_pilulier_prepare(
                og_a["infirmier"], resident, og_a.ehpad, semaine + datetime.timedelta(days=1)
            )
        pilulier = services.do_marquer_pilulier_prepare(og_a["infirmier"], resident, og_a.ehpad, semaine)
        with pytest.raises(ValidationError, match="déjà préparé"):
            services.do_marquer_pilulier_prepare(og_a["pharmacien"], resident, og_a.ehpad, semaine)
        with pytest.raises(ValidationError, match="autre professionnel"):
            services.do_verifier_pilulier(og_a["infirmier"], pilulier)
        with pytest.raises(PermissionDenied):
            services.do_verifier_pilulier(og_a["aide_soignant"], pilulier)
        services.do_verifier_pilulier(og_a["pharmacien"], pilulier)
        with pytest.raises(ValidationError, match="déjà contrôlé"):
            services.do_verifier_pilulier(og_a["medecin"], pilulier)
        # the database refuses a self-check written around the service
        with pytest.raises(IntegrityError), transaction.atomic():
            Pilulier.objects.filter(pk=pilulier.pk).update(verifie_par=og_a["infirmier"])


def test_pilulier_sheet_holds_the_oral_solid_doses_of_the_week(og_a, resident):
    from medicaments.selectors import contenu_pilulier

    prescrire(og_a, resident, heures=[datetime.time(8), datetime.time(21)])
    prescrire(
        og_a,
        resident,
        specialite_cis=FUROSEMIDE_40,
        heures=[datetime.time(8)],
        recurrence="jours_semaine",
        jours_semaine=[1, 3, 5],
    )
    # a sachet does not go into a pill box
    prescrire(og_a, resident, specialite_cis=AMOXICILLINE_1G, unite="sachet", heures=[datetime.time(12)])
    semaine = services.lundi(timezone.localdate()) + datetime.timedelta(days=7)
    grille = contenu_pilulier(resident, og_a.ehpad.pk, semaine)
    matin, midi, soir, coucher = grille
    assert [len(c.doses) for c in matin] == [2, 1, 2, 1, 2, 1, 1]
    assert all(not c.doses for c in midi + soir)
    assert [len(c.doses) for c in coucher] == [1] * 7


# --- Stock ---------------------------------------------------------------------------------------------------------


def test_stock_receipts_outputs_inventory_and_doses_given(og_a, resident):
    infirmier = og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        article = services.do_ajouter_article(
            infirmier,
            ArticleStock(
                etablissement=og_a.ehpad,
                specialite=specialite(DOLIPRANE_1000),
                seuil_alerte=20,
                sortie_par_administration=True,
            ),
        )
        with pytest.raises(ValidationError):
            services.do_ajouter_article(
                infirmier, ArticleStock(etablissement=og_a.ehpad, specialite=specialite(DOLIPRANE_1000))
            )
        with pytest.raises(ValidationError) as exc:
            services.do_mouvement(infirmier, article, TypeMouvement.RECEPTION, 30)
        assert "lot" in exc.value.message_dict
        loin = timezone.localdate() + datetime.timedelta(days=400)
        proche = timezone.localdate() + datetime.timedelta(days=30)
        services.do_mouvement(infirmier, article, TypeMouvement.RECEPTION, 30, "L-LOIN", loin)
        services.do_mouvement(infirmier, article, TypeMouvement.RECEPTION, 10, "L-PROCHE", proche)
        with pytest.raises(ValidationError, match="Stock insuffisant pour le lot L-PROCHE : 10"):
            services.do_mouvement(
                infirmier, article, TypeMouvement.SORTIE, 11, "L-PROCHE", commentaire="casse"
            )
        services.do_mouvement(
            infirmier, article, TypeMouvement.SORTIE, 2, "L-LOIN", commentaire="Comprimés cassés"
        )
        services.do_mouvement(infirmier, article, TypeMouvement.INVENTAIRE, 27, "L-LOIN")  # 28 expected
        assert services.quantite_en_stock(article) == 37
    dose = dose_due(og_a, resident)
    with tenant_context(og_a.organisme.pk):
        administration = services.do_administrer(infirmier, dose, "donne")
        sortie = MouvementStock.objects.get(administration=administration)
        assert (sortie.quantite, sortie.lot) == (-1, "L-PROCHE")  # the nearest expiry goes first
        assert services.quantite_en_stock(article) == 36
        with pytest.raises(PermissionDenied):
            services.do_mouvement(og_a["aide_soignant"], article, TypeMouvement.SORTIE, 1, commentaire="x")

    from medicaments.selectors import etat_du_stock

    (etat,) = etat_du_stock(og_a.ehpad.pk)
    assert etat.quantite == 36 and not etat.sous_le_seuil
    assert [(lot["lot"], lot["reste"], lot["proche"]) for lot in etat.lots] == [
        ("L-PROCHE", 9, True),
        ("L-LOIN", 27, False),
    ]


# --- Ordonnance and DLU ------------------------------------------------------------------------------------------


def test_ordonnance_pdf_is_produced_by_the_worker_with_the_current_lines(
    og_a, resident, django_capture_on_commit_callbacks
):
    from documents.models import Document
    from documents.pdf import texte_du_pdf

    prescrire(og_a, resident, heures=[datetime.time(8), datetime.time(20)])
    prescrire(og_a, resident, specialite_cis=FUROSEMIDE_40, heures=[datetime.time(8)])
    arretee = prescrire(og_a, resident, specialite_cis=AMOXICILLINE_1G, heures=[datetime.time(8)])
    with tenant_context(og_a.organisme.pk):
        services.do_arreter(og_a["medecin"], arretee, "Fin")
        with pytest.raises(PermissionDenied):
            services.do_demander_ordonnance(og_a["infirmier"], resident, og_a.ehpad)
        with django_capture_on_commit_callbacks(execute=True):
            document = services.do_demander_ordonnance(og_a["medecin"], resident, og_a.ehpad)
        document = Document.objects.get(pk=document.pk)
        assert document.statut == "disponible", document.erreur
        with document.fichier.open("rb") as f:
            texte = texte_du_pdf(f.read())
    assert "Ordonnance" in texte and "DOLIPRANE 1000 mg" in texte and "FUROSEMIDE ARROW 40 mg" in texte
    assert "1 comprimé(s) tous les jours à 08 h 00, 20 h 00" in texte
    assert "AMOXICILLINE" not in texte
    assert (document.type_document, document.categorie, document.usager_id) == (
        "ordonnance",
        "medical",
        resident.pk,
    )


class _Nulle:
    def delay(self, *args, **kwargs):
        return None


def test_ordonnance_task_is_tenant_and_right_checked(og_a, og_b, resident):
    from documents.models import Document
    from documents.services import do_demander_generation
    from medicaments.tasks import generer_ordonnance

    p = prescrire(og_a, resident)
    with tenant_context(og_a.organisme.pk):
        document = do_demander_generation(
            og_a["medecin"],
            source=p,
            usager=resident,
            etablissement=og_a.ehpad,
            type_document="ordonnance",
            categorie="medical",
            titre="Ordonnance",
            tache=_Nulle(),
        )
    # run by another tenant's physician: the document does not exist in that tenant
    with pytest.raises(Exception, match="introuvable"):
        generer_ordonnance.apply(
            args=[str(document.public_id)],
            kwargs={"organisme_id": og_b.organisme.pk, "acteur_id": og_b["medecin"].pk},
        ).get()
    # run for professionals of A who may not prescribe: refused, written on the document
    for role in ("infirmier", "pharmacien"):
        with tenant_context(og_a.organisme.pk):
            Document.objects.filter(pk=document.pk).update(statut="en_preparation", erreur="")
        generer_ordonnance.apply(
            args=[str(document.public_id)],
            kwargs={"organisme_id": og_a.organisme.pk, "acteur_id": og_a[role].pk},
        )
        with tenant_context(og_a.organisme.pk):
            document.refresh_from_db()
        assert document.statut == "echec" and "habilitation" in document.erreur and not document.fichier, role


def test_dlu_lists_the_current_treatments(og_a, resident):
    from soins.dlu import traitements_en_cours

    p = prescrire(og_a, resident)
    with tenant_context(og_a.organisme.pk):
        assert traitements_en_cours(resident) == [p]
        services.do_arreter(og_a["medecin"], p, "Fin")
        assert traitements_en_cours(resident) == []


def test_cr_administration_pdf_lists_the_period_and_is_right_checked(
    og_a, og_b, resident, django_capture_on_commit_callbacks
):
    from documents.models import Document
    from documents.pdf import texte_du_pdf
    from medicaments.tasks import generer_cr_administration

    dose = dose_due(og_a, resident)
    services.do_administrer(og_a["infirmier"], dose, "refuse")
    si_besoin = prescrire(
        og_a,
        resident,
        specialite_cis=FUROSEMIDE_40,
        si_besoin=True,
        heures=[],
        indication="Œdèmes",
        max_par_24h=1,
    )
    services.do_donner_si_besoin(og_a["infirmier"], si_besoin, "Œdèmes des chevilles")
    aujourd_hui = timezone.localdate()
    with pytest.raises(PermissionDenied):  # the aide-soignant reads documents, does not write them
        services.do_demander_cr_administration(
            og_a["aide_soignant"], resident, og_a.ehpad, aujourd_hui, aujourd_hui
        )
    with pytest.raises(ValidationError):
        services.do_demander_cr_administration(
            og_a["infirmier"], resident, og_a.ehpad, aujourd_hui, aujourd_hui - datetime.timedelta(days=1)
        )
    with django_capture_on_commit_callbacks(execute=True):
        document = services.do_demander_cr_administration(
            og_a["infirmier"], resident, og_a.ehpad, aujourd_hui - datetime.timedelta(days=6), aujourd_hui
        )
    document.refresh_from_db()
    assert (document.statut, document.code_loinc, document.categorie) == (
        "disponible",
        "80565-5",
        "medicaments",
    ), document.erreur
    with document.fichier.open("rb") as f:
        texte = texte_du_pdf(f.read())
    assert "Compte rendu d'administration des médicaments" in texte and "DOLIPRANE 1000 mg" in texte
    assert "Refusé" in texte and "Œdèmes des chevilles" in texte and "2 enregistrement(s)" in texte
    # the task in another tenant: the document does not exist there
    Document.objects.filter(pk=document.pk).update(statut="en_preparation", fichier="")
    with pytest.raises(Exception, match="introuvable"):
        generer_cr_administration.apply(
            args=[str(document.public_id)],
            kwargs={"organisme_id": og_b.organisme.pk, "acteur_id": og_b["infirmier"].pk},
        ).get()


def test_the_periodic_task_extends_the_plans_to_the_horizon(og_a, resident):
    from medicaments.tasks import etendre_plans_organisme

    actif = prescrire(og_a, resident, heures=[datetime.time(8)])
    arrete = prescrire(og_a, resident, specialite_cis=FUROSEMIDE_40, heures=[datetime.time(8)])
    services.do_arreter(og_a["medecin"], arrete, "Fin")
    limite = timezone.now() + datetime.timedelta(days=3)
    DosePlanifiee.objects.filter(prevue_le__gt=limite).delete()
    assert etendre_plans_organisme.apply(kwargs={"organisme_id": og_a.organisme.pk}).get() > 0
    horizon = timezone.localdate() + datetime.timedelta(days=services.HORIZON_JOURS)
    assert (
        max(timezone.localtime(d.prevue_le).date() for d in DosePlanifiee.objects.filter(prescription=actif))
        == horizon
    )
    assert not DosePlanifiee.objects.filter(prescription=arrete, prevue_le__gt=limite).exists()


def test_cr_task_refuses_a_requester_who_lost_the_right(og_a, resident):
    from documents.models import Document
    from documents.services import do_demander_generation
    from medicaments.tasks import generer_cr_administration

    aujourd_hui = timezone.localdate().isoformat()
    document = do_demander_generation(
        og_a["infirmier"],
        source=resident,
        usager=resident,
        etablissement=og_a.ehpad,
        type_document="cr_administration",
        categorie="medicaments",
        titre="CR",
        tache=_Nulle(),
        options={"du": aujourd_hui, "au": aujourd_hui},
    )
    for role in ("educateur", "agent_administratif"):
        Document.objects.filter(pk=document.pk).update(statut="en_preparation", erreur="")
        generer_cr_administration.apply(
            args=[str(document.public_id)],
            kwargs={"organisme_id": og_a.organisme.pk, "acteur_id": og_a[role].pk},
        )
        document.refresh_from_db()
        assert document.statut == "echec" and "habilitation" in document.erreur and not document.fichier, role


def test_the_periodic_task_of_another_tenant_touches_nothing_here(og_a, og_b, resident):
    from medicaments.tasks import etendre_plans_organisme

    p = prescrire(og_a, resident, heures=[datetime.time(8)])
    DosePlanifiee.objects.filter(
        prescription=p, prevue_le__gt=timezone.now() + datetime.timedelta(days=3)
    ).delete()
    avant = DosePlanifiee.objects.filter(prescription=p).count()
    assert etendre_plans_organisme.apply(kwargs={"organisme_id": og_b.organisme.pk}).get() == 0
    assert DosePlanifiee.objects.filter(prescription=p).count() == avant
