"""RFC 5545 rules expanded in Europe/Paris wall time (coordination.recurrence)."""

import datetime

import pytest

from coordination.recurrence import PARIS, Regle, RegleInvalide, decrire, en_heure_de_paris, occurrences


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def test_hebdomadaire_deux_jours_jusqu_a_une_date_incluse():
    regle = Regle("hebdomadaire", 1, datetime.date(2027, 1, 21), (0, 3)).rrule()
    assert regle == "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;UNTIL=20270121T235959"
    debuts = occurrences(regle, paris(2027, 1, 4, 14, 0))
    assert [d.date() for d in debuts] == [datetime.date(2027, 1, d) for d in (4, 7, 11, 14, 18, 21)]
    assert {d.time() for d in debuts} == {datetime.time(14, 0)}


def test_tous_les_n_jours():
    debuts = occurrences(
        Regle("quotidienne", 3, datetime.date(2027, 1, 10)).rrule(), paris(2027, 1, 1, 8, 30)
    )
    assert [d.day for d in debuts] == [1, 4, 7, 10]


def test_l_heure_murale_tient_a_travers_le_changement_d_heure():
    # 10:00 every Sunday across the spring-forward night (28 March 2027): same wall time, UTC shifts by 1 h
    debuts = occurrences(
        Regle("hebdomadaire", 1, datetime.date(2027, 4, 4)).rrule(), paris(2027, 3, 21, 10, 0)
    )
    assert [d.astimezone(PARIS).hour for d in debuts] == [10, 10, 10]
    assert [d.astimezone(datetime.UTC).hour for d in debuts] == [9, 8, 8]


def test_nuit_de_printemps_heure_inexistante_decalee_de_l_ecart():
    # 02:30 does not exist on 28 March 2027 in Paris: the wall clock shows 03:30
    moment = en_heure_de_paris(datetime.datetime(2027, 3, 28, 2, 30))
    assert (moment.hour, moment.minute, moment.utcoffset()) == (3, 30, datetime.timedelta(hours=2))


def test_nuit_d_automne_heure_double_premier_instant():
    moment = en_heure_de_paris(datetime.datetime(2027, 10, 31, 2, 30))
    assert moment.utcoffset() == datetime.timedelta(hours=2)  # still summer time: the first 02:30


def test_une_regle_sans_fin_ou_trop_longue_est_refusee():
    with pytest.raises(RegleInvalide, match="date de fin"):
        occurrences("FREQ=DAILY", paris(2027, 1, 1, 9))
    with pytest.raises(RegleInvalide, match="plus de 400"):
        occurrences(Regle("quotidienne", 1, datetime.date(2029, 1, 1)).rrule(), paris(2027, 1, 1, 9))


def test_description_en_francais():
    assert decrire(Regle("hebdomadaire", 2, datetime.date(2027, 6, 30), (0, 3)).rrule()) == (
        "toutes les 2 semaines le lundi, jeudi jusqu'au 30/06/2027"
    )


def test_une_regle_sans_fin_se_developpe_jusqu_a_un_horizon_puis_apres_une_date():
    regle = Regle("hebdomadaire", 1, None, (2,)).rrule()
    assert regle == "FREQ=WEEKLY;INTERVAL=1;BYDAY=WE"
    with pytest.raises(RegleInvalide, match="horizon"):
        occurrences(regle, paris(2027, 1, 6, 10))
    premieres = occurrences(regle, paris(2027, 1, 6, 10), jusqu=datetime.date(2027, 1, 31))
    assert [d.day for d in premieres] == [6, 13, 20, 27]
    suite = occurrences(
        regle, paris(2027, 1, 6, 10), jusqu=datetime.date(2027, 2, 14), apres=datetime.date(2027, 1, 31)
    )
    assert [(d.month, d.day) for d in suite] == [(2, 3), (2, 10)]
    assert (
        occurrences(
            regle, paris(2027, 1, 6, 10), jusqu=datetime.date(2027, 1, 31), apres=datetime.date(2027, 1, 31)
        )
        == []
    )
