"""The one mapping of SVG charts (dui.graphiques)."""

import datetime

from dui.graphiques import Repere, polyline


def test_values_map_into_the_plot_area_with_dates_datetimes_and_numbers():
    jours = Repere(
        640,
        200,
        datetime.date(2026, 1, 1),
        datetime.date(2026, 1, 11),
        bas=0,
        haut=100,
        marge_g=40,
        marge_d=20,
        marge_h=10,
        marge_b=30,
    )
    assert (
        jours.x(datetime.date(2026, 1, 1)),
        jours.x(datetime.date(2026, 1, 6)),
        jours.x(datetime.date(2026, 1, 11)),
    ) == (40, 330, 620)
    assert (jours.y(100), jours.y(50), jours.y(0)) == (10, 90, 170)  # the top value at the top
    tz = datetime.UTC
    heures = Repere(
        100,
        100,
        datetime.datetime(2026, 1, 1, tzinfo=tz),
        datetime.datetime(2026, 1, 2, tzinfo=tz),
        bas=0,
        haut=1,
        marge_g=0,
        marge_d=0,
        marge_h=0,
        marge_b=0,
    )
    assert heures.x(datetime.datetime(2026, 1, 1, 6, tzinfo=tz)) == 25
    rangs = Repere(100, 100, 0, 4, bas=0, haut=1, marge_g=0, marge_d=0)
    assert [rangs.x(i) for i in range(5)] == [0, 25, 50, 75, 100]
    assert (rangs.x0, rangs.x1) == (0, 100)


def test_an_inverted_axis_and_degenerate_ranges():
    gir = Repere(600, 160, 0, 1, bas=6, haut=1)  # GIR 1 at the top, 6 at the bottom
    assert gir.y(1) == 12 and gir.y(6) == 160 - 28
    plat = Repere(
        100,
        100,
        datetime.date(2026, 1, 1),
        datetime.date(2026, 1, 1),
        bas=5,
        haut=5,
        marge_g=0,
        marge_d=0,
        marge_h=0,
        marge_b=0,
    )
    assert plat.x(datetime.date(2026, 1, 1)) == 0 and plat.y(5) == 0  # no division by zero
    assert polyline([(1.5, 2.0), (3, 4)]) == "1.5,2.0 3,4"
