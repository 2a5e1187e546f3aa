"""The billing rules on a hand-computed month (issue 18): November 2026, 30 days, threshold 72 h (3 days)."""

from __future__ import annotations

import datetime

from administratif.presence import SejourDuMois, calculer, totaux

D = datetime.date
NOVEMBRE = D(2026, 11, 1)


def _sejour(usager_id, nom, entree, sortie=None, absences=()):
    return SejourDuMois(usager_id, nom, "Prénom", D(1940, 1, 1), "1", entree, sortie, list(absences))


def test_un_mois_calcule_a_la_main():
    arrivee = _sejour(
        1,
        "Arrivée",
        D(2026, 11, 10),  # entry mid-month: 10 → 30 = 21 days
        absences=[
            ("hospitalisation", D(2026, 11, 14), D(2026, 11, 18)),  # 5 days: days 4 and 5 beyond 72 h
            ("convenance", D(2026, 11, 22), D(2026, 11, 23)),  # 2 days: under 72 h, billed as usual
        ],
    )
    sortie = _sejour(2, "Sortie", D(2025, 1, 1), D(2026, 11, 20))  # exit on the 20th: 1 → 20
    # an hospitalisation begun on 30 October: its 4th day is 2 November
    hospitalisee = _sejour(
        3,
        "Hospitalisée",
        D(2024, 5, 1),
        absences=[
            ("hospitalisation", D(2026, 10, 30), D(2026, 11, 4)),
            ("vacances", D(2026, 11, 25), None),  # still away: 25 → 30, days 4 to 6 beyond 72 h
        ],
    )
    partie = _sejour(4, "Partie", D(2020, 1, 1), D(2026, 10, 31))  # left last month: no line
    girs = {1: [(D(2026, 10, 1), 4), (D(2026, 11, 12), 2)], 3: [(D(2026, 12, 1), 1), (D(2025, 6, 1), 3)]}
    lignes = calculer(NOVEMBRE, [arrivee, sortie, hospitalisee, partie], 3, girs)
    par_nom = {ligne.nom: ligne for ligne in lignes}
    assert list(par_nom) == ["Arrivée", "Hospitalisée", "Sortie"]

    a = par_nom["Arrivée"]
    assert (a.jours_inscrits, a.jours_presence) == (21, 14)
    assert a.absences == {"hospitalisation": 5, "convenance": 2, "vacances": 0, "autre": 0}
    assert a.minores == {"hospitalisation": 2, "convenance": 0, "vacances": 0, "autre": 0}
    assert (a.jours_hebergement_plein, a.jours_minores, a.jours_dependance) == (19, 2, 19)
    assert (a.gir, a.gir_changement) == (2, "GIR 4 → 2 le 12/11/2026")

    h = par_nom["Hospitalisée"]
    assert (h.jours_inscrits, h.jours_presence) == (30, 20)  # 4 + 6 days away
    assert h.absences["hospitalisation"] == 4 and h.minores["hospitalisation"] == 3  # 2, 3 and 4 November
    assert h.absences["vacances"] == 6 and h.minores["vacances"] == 3
    assert (h.jours_hebergement_plein, h.jours_dependance) == (24, 24)
    assert (h.gir, h.gir_changement) == (3, "")  # the December evaluation is not this month's

    s = par_nom["Sortie"]
    assert (s.jours_inscrits, s.jours_presence, s.jours_minores, s.gir) == (20, 20, 0, None)

    t = totaux(lignes)
    assert t["jours_inscrits"] == 71 and t["jours_presence"] == 54
    assert t["jours_minores"] == 8 and t["jours_hebergement_plein"] == 63 and t["jours_dependance"] == 63
    assert t["absences.hospitalisation"] == 9 and t["minores.hospitalisation"] == 5


def test_le_seuil_est_un_reglage():
    """With a threshold of 48 h (a departmental rule), the 3rd day of an absence is already beyond it."""
    s = _sejour(1, "X", D(2026, 1, 1), absences=[("convenance", D(2026, 11, 10), D(2026, 11, 12))])
    (avec_72,) = calculer(NOVEMBRE, [s], 3)
    (avec_48,) = calculer(NOVEMBRE, [s], 2)
    assert (avec_72.jours_minores, avec_48.jours_minores) == (0, 1)


def test_une_absence_de_exactement_72_heures_ne_change_rien():
    s = _sejour(1, "X", D(2026, 1, 1), absences=[("hospitalisation", D(2026, 11, 10), D(2026, 11, 12))])
    (ligne,) = calculer(NOVEMBRE, [s], 3)
    assert (ligne.absences["hospitalisation"], ligne.jours_minores) == (3, 0)
    s.absences = [("hospitalisation", D(2026, 11, 10), D(2026, 11, 13))]  # 96 h
    (ligne,) = calculer(NOVEMBRE, [s], 3)
    assert ligne.jours_minores == 1
