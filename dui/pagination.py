"""Pagination of a list that grows without end and can be narrowed by its filters (the access journal).

Django's ``Paginator`` counts every matching row to number the pages: on the organisme's access journal (a row
per person shown, tens of millions a year) that count is a scan of the whole index at every display — 210 ms
for 5 million rows at the bench, and it grows with the journal. ``PaginatorPlafonne`` stops counting at
``plafond`` rows (``SELECT count(*) FROM (… LIMIT plafond + 1)``): the first ``plafond`` rows are paged as
usual, and the page says that more match, so that the user narrows the filters (or exports, which the worker
writes whole). A list without such filters (the authentication events: by type only) keeps Django's
``Paginator``: beyond the ceiling its older rows would be out of reach.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet

if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator

PLAFOND = 10_000


class PaginatorPlafonne(_Paginator):
    def __init__(self, object_list: Any, per_page: int, plafond: int | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.plafond = PLAFOND if plafond is None else plafond

    @cached_property
    def _compte(self) -> int:
        """Matching rows, counted up to ``plafond + 1`` (the list's order is useless to a count)."""
        return cast(QuerySet[Any], self.object_list).order_by()[: self.plafond + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._compte, self.plafond)

    @property
    def au_dela(self) -> bool:
        """More rows match than the pages reach."""
        return self._compte > self.plafond

    @property
    def plafond_affiche(self) -> str:
        return f"{self.plafond:,}".replace(",", "\u202f")
