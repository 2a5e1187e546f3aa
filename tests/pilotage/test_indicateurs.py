"""The director's indicators against a small organisme computed by hand (first quarter of 2025)."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accompagnement.models import EvaluationAggir, ProjetPersonnalise, StatutPP
from admission.models import DemandeAdmission
from dui.tenancy import tenant_context
from pilotage import selectors
from pilotage.models import CoupePathos, gmps
from tests.factories import SejourFactory, UsagerFactory
from usagers.models import Absence

D = datetime.date
DEBUT, FIN = D(2025, 1, 1), D(2025, 3, 31)


def _sejour(etablissement, **champs):
    usager = UsagerFactory(organisme=etablissement.organisme)
    return SejourFactory(usager=usager, etablissement=etablissement, **champs)


def _gir(tenant, usager, jour, gir):
    EvaluationAggir.objects.create(
        organisme=tenant.organisme, usager=usager, etablissement=tenant.ehpad, date_evaluation=jour,
        evaluateur=tenant["infirmier"], mode="direct", reponses={}, codes={}, gir=gir, rang=1,
    )  # fmt: skip


def peupler(tenant, autres: int = 0):
    """The story of the test; ``autres`` adds persons whose séjours ended before the period (volume only)."""
    o = tenant.organisme
    with tenant_context(o.pk):
        tenant.ehpad.capacite = 10
        tenant.ehpad.save()
        tenant.mas.capacite = 5
        tenant.mas.save()
        # P1: all the quarter, two overlapping absences (10→14 and 13→16 February: 7 days), GIR 1, a PP
        p1 = _sejour(etablissement=tenant.ehpad, date_entree=D(2024, 6, 1))
        Absence.objects.create(
            organisme=o, sejour=p1, motif="hospitalisation", debut=D(2025, 2, 10), fin=D(2025, 2, 14)
        )
        Absence.objects.create(
            organisme=o, sejour=p1, motif="convenance", debut=D(2025, 2, 13), fin=D(2025, 2, 16)
        )
        _gir(tenant, p1.usager, D(2024, 7, 1), 1)
        _gir(tenant, p1.usager, D(2025, 4, 10), 3)  # after the period: not counted
        ProjetPersonnalise.objects.create(
            organisme=o, usager=p1.usager, etablissement=tenant.ehpad, version=1, coordonnateur=tenant["educateur"],
            statut=StatutPP.EN_OEUVRE, date_validation=D(2024, 12, 1), echeance_bilan=D(2025, 11, 30),
        )  # fmt: skip
        # P2: a temporary stay of 20 days, from and back home, GIR 4
        p2 = _sejour(
            etablissement=tenant.ehpad, mode_accueil="temporaire", date_entree=D(2025, 1, 20),
            date_sortie=D(2025, 2, 8), provenance="Domicile", motif_sortie="Fin du séjour temporaire",
            destination="Domicile",
        )  # fmt: skip
        _gir(tenant, p2.usager, D(2025, 1, 22), 4)
        # P3: entered on 1 March from the hospital, not yet evaluated, no PP
        _sejour(etablissement=tenant.ehpad, date_entree=D(2025, 3, 1), provenance="Centre hospitalier")
        # P4: left before the period
        _sejour(etablissement=tenant.ehpad, date_entree=D(2024, 1, 1), date_sortie=D(2024, 12, 31))
        for _ in range(autres):
            _sejour(etablissement=tenant.ehpad, date_entree=D(2023, 1, 1), date_sortie=D(2023, 6, 30))
        # P6 in the MAS: the whole quarter, GIR 2 (evaluated in the EHPAD: any ESMS of the organisme counts)
        p6 = _sejour(etablissement=tenant.mas, mode_accueil="internat", date_entree=D(2025, 1, 1))
        _gir(tenant, p6.usager, D(2024, 12, 15), 2)
        aujourd_hui = timezone.localdate()
        for jours, priorite, statut in ((10, 3, "en_attente"), (30, 1, "en_attente"), (50, 3, "refusee")):
            DemandeAdmission.objects.create(
                organisme=o, etablissement=tenant.ehpad, nom_naissance="Demande", prenoms_naissance=["Léa"],
                date_naissance=D(1940, 1, 1), sexe="F", lieu_naissance_insee="75056", origine="directe",
                contact="Fille", date_reception=aujourd_hui - datetime.timedelta(days=jours), priorite=priorite,
                statut=statut,
            )  # fmt: skip
        CoupePathos.objects.create(
            organisme=o, etablissement=tenant.ehpad, date_coupe=D(2024, 10, 1), pmp=200, gmp=700,
            valide_le=D(2024, 11, 15), valide_par="Dr Martin, ARS", enregistree_par=tenant["directeur"],
        )  # fmt: skip


def test_gmps_is_gmp_plus_2_59_times_pmp():
    assert gmps(700, 200) == 1218
    assert gmps(650, 187) == 1134  # 650 + 484.33
    assert gmps(None, 200) is None and gmps(700, None) is None


def test_the_quarter_computed_by_hand(og_a, og_b):
    peupler(og_a)
    peupler(og_b)  # the same story in the other organisme: counted nowhere here
    directeur = og_a["directeur"]
    with tenant_context(og_a.organisme.pk):
        tdb = selectors.tableau_de_bord(directeur, [og_a.ehpad, og_a.mas], DEBUT, FIN)
    ehpad, mas = tdb["lignes"]
    assert tdb["jours"] == 90
    # presence days: P1 90 − 7, P2 20, P3 31
    assert ehpad["journees"] == 134
    assert ehpad["taux_occupation"] == 14.9  # 134 / (10 × 90)
    assert ehpad["par_mode"] == [("Hébergement permanent", 114), ("Hébergement temporaire", 20)]
    assert (ehpad["entrees"], ehpad["sorties"], ehpad["duree_moyenne_sejour"]) == (2, 1, 20)
    assert ehpad["taux_rotation"] == 20.0
    # on 31 March: P1 (GIR 1, PP validated four months ago) and P3 (no GIR, no PP)
    assert (ehpad["accompagnes"], ehpad["evalues"], ehpad["part_gir_1_2"], ehpad["gmp"]) == (
        2,
        1,
        100.0,
        1000,
    )
    assert (ehpad["part_pp_a_jour"], ehpad["sans_pp"], ehpad["bilans_en_retard"]) == (50.0, 1, 0)
    # AGGIR to do on 31 March: P3 (never evaluated); P1's evaluation is 273 days old
    assert ehpad["aggir_a_faire"] == 1
    assert (ehpad["demandes_en_attente"], ehpad["demandes_urgentes"]) == (2, 1)
    assert (ehpad["attente_mediane"], ehpad["attente_max"]) == (10, 30)
    assert (ehpad["pmp"], ehpad["gmps_valide"], ehpad["gmps_actuel"]) == (200, 1218, 1518)
    assert (mas["journees"], mas["taux_occupation"], mas["gmp"], mas["entrees"]) == (90, 20.0, 840, 1)
    assert mas["pmp"] is None
    total = tdb["total"]
    assert (total["journees"], total["capacite"], total["taux_occupation"]) == (224, 15, 16.6)
    assert (total["entrees"], total["sorties"], total["gmp"], total["accompagnes"]) == (3, 1, 920, 3)
    assert [(m["mois"].month, m["presents"], m["places"], m["taux"]) for m in tdb["mois"]] == [
        (1, 43 + 31, 15 * 31, 15.9),  # EHPAD: P1 31 + P2 12; MAS 31
        (2, 29 + 28, 15 * 28, 13.6),  # EHPAD: P1 28 − 7 + P2 8
        (3, 62 + 31, 15 * 31, 20.0),
    ]


def test_a_period_running_into_the_future_stops_today(og_a):
    peupler(og_a)
    aujourd_hui = timezone.localdate()
    with tenant_context(og_a.organisme.pk):
        tdb = selectors.tableau_de_bord(
            og_a["directeur"],
            [og_a.mas],
            aujourd_hui.replace(day=1),
            aujourd_hui + datetime.timedelta(days=40),
        )
    assert tdb["realise"] == aujourd_hui
    assert tdb["lignes"][0]["journees"] == aujourd_hui.day  # P6 every day of the month so far
    assert len(tdb["mois"]) == 1


def test_the_queries_do_not_grow_with_the_data(og_a):
    peupler(og_a)
    with tenant_context(og_a.organisme.pk), CaptureQueriesContext(connection) as avant:
        selectors.tableau_de_bord(og_a["directeur"], [og_a.ehpad, og_a.mas], DEBUT, FIN)
    with tenant_context(og_a.organisme.pk):
        for _ in range(5):
            _sejour(etablissement=og_a.ehpad, date_entree=D(2025, 2, 1))
            _sejour(etablissement=og_a.mas, date_entree=D(2025, 2, 1))
    with tenant_context(og_a.organisme.pk), CaptureQueriesContext(connection) as apres:
        tdb = selectors.tableau_de_bord(og_a["directeur"], [og_a.ehpad, og_a.mas], DEBUT, FIN)
    assert tdb["lignes"][0]["entrees"] == 7
    assert len(apres) == len(avant) <= 6


def test_care_medication_quality_and_exchanges_of_the_period(og_a, og_b, base_bdpm, codes_serafin):
    """Against the ORM, on one real object of each kind (the sweeps' set), then after events added by hand."""
    from interop.models import Envoi
    from medicaments.models import Administration
    from pilotage import indicateurs
    from relation.models import EvenementIndesirable, Reclamation
    from soins.models import RealisationSoin
    from tests import balayage

    o = balayage.objets(og_a)
    balayage.objets(og_b)  # the other organisme has the same: counted nowhere here
    aujourd_hui = timezone.localdate()
    debut = aujourd_hui - datetime.timedelta(days=30)
    with tenant_context(og_a.organisme.pk):
        avant = indicateurs.suivi(og_a.organisme.pk, [og_a.ehpad.pk], debut, aujourd_hui)[og_a.ehpad.pk]
        attendu = {
            "soins_prevus": RealisationSoin.objects.filter(etablissement=og_a.ehpad).count(),
            "refus": Administration.objects.filter(etablissement=og_a.ehpad, statut="refuse").count(),
            "evenements_indesirables": EvenementIndesirable.objects.filter(etablissement=og_a.ehpad).count(),
            "reclamations": Reclamation.objects.filter(etablissement=og_a.ehpad).count(),
            "envois_en_echec": Envoi.objects.filter(etablissement=og_a.ehpad, statut="echec").count(),
        }
        assert {c: avant[c] for c in attendu} == attendu
        assert attendu["envois_en_echec"] == 1 and attendu["reclamations"] >= 1
        # by hand: a care task done and one not done today, a serious adverse event, a complaint
        for heure, statut in ((9, "fait"), (10, "pas_fait")):
            RealisationSoin.objects.create(
                organisme=og_a.organisme, soin=o["soin"], usager=o["usager"], etablissement=og_a.ehpad,
                date_prevue=aujourd_hui, heure_prevue=datetime.time(heure, 0), statut=statut, auteur=og_a["infirmier"],
                motif="refus" if statut == "pas_fait" else "",
            )  # fmt: skip
        EvenementIndesirable.objects.create(
            organisme=og_a.organisme, etablissement=og_a.ehpad, declarant=og_a["infirmier"],
            survenu_le=timezone.now(), lieu="Couloir", type_evenement="chute", description="Chute",
            actions_immediates="Relevée", eigs=True,
        )  # fmt: skip
        Reclamation.objects.create(
            organisme=og_a.organisme, etablissement=og_a.ehpad, canal="courrier", auteur="M. Petit",
            recue_le=aujourd_hui, objet="Repas", description="Froids",
        )  # fmt: skip
        # and one long before the period: not counted
        Reclamation.objects.create(
            organisme=og_a.organisme, etablissement=og_a.ehpad, canal="courrier", auteur="M. Petit",
            recue_le=debut - datetime.timedelta(days=1), objet="Linge", description="Perdu",
        )  # fmt: skip
        apres = indicateurs.suivi(og_a.organisme.pk, [og_a.ehpad.pk], debut, aujourd_hui)[og_a.ehpad.pk]
    difference = {c: apres[c] - avant[c] for c in indicateurs.CHAMPS_SUIVI if apres[c] != avant[c]}
    assert difference == {
        "soins_prevus": 2,
        "soins_non_faits": 1,
        "evenements_indesirables": 1,
        "eigs": 1,
        "reclamations": 1,
    }
