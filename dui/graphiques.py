"""Server-rendered SVG charts: the one place that maps (moment, value) into a viewport. Used by the GIR
history, the GMP curve and the constantes charts; templates draw with the coordinates (plain SVG: it
prints, needs no script, and passes the CSP). Coordinates are floats written with a dot: templates wrap
them in ``{% localize off %}``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any


def _ecart(a: Any, b: Any) -> float:
    """b − a as a number: seconds for dates and datetimes, the difference otherwise."""
    difference = b - a
    if isinstance(difference, datetime.timedelta):
        return difference.total_seconds()
    return float(difference)


@dataclass(frozen=True)
class Repere:
    """A plot area inside a ``largeur`` × ``hauteur`` viewport, with margins. The horizontal axis runs from
    ``debut`` to ``fin`` (dates, datetimes or numbers); the vertical one from ``bas`` (bottom) to ``haut``
    (top) — give ``haut`` < ``bas`` to put the small values at the top (GIR 1)."""

    largeur: int
    hauteur: int
    debut: object
    fin: object
    bas: float
    haut: float
    marge_g: int = 40
    marge_d: int = 20
    marge_h: int = 12
    marge_b: int = 28

    def x(self, moment: Any) -> float:
        etendue = _ecart(self.debut, self.fin) or 1
        return round(
            self.marge_g
            + _ecart(self.debut, moment) / etendue * (self.largeur - self.marge_g - self.marge_d),
            1,
        )

    def y(self, valeur: Any) -> float:
        etendue = (self.haut - self.bas) or 1
        return round(
            self.marge_h
            + (self.haut - float(valeur)) / etendue * (self.hauteur - self.marge_h - self.marge_b),
            1,
        )

    @property
    def x0(self) -> int:
        return self.marge_g

    @property
    def x1(self) -> int:
        return self.largeur - self.marge_d


def polyline(points: list[tuple[float, float]]) -> str:
    """The ``points`` attribute of an SVG polyline."""
    return " ".join(f"{x},{y}" for x, y in points)
