"""Read paths of the gestion documentaire: the documents a professional may read, in SQL."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from habilitations import policy
from habilitations.roles import VOIR, Droit

from .models import CATEGORIES_DOCUMENTS, Document


def documents_lisibles(
    user,
    queryset: QuerySet[Document] | None = None,
    candidats: QuerySet[Document] | None = None,
    categories: set[str] | None = None,
) -> QuerySet[Document]:
    """Documents ``user`` may read: the ``documents`` habilitation and the one of the document's own data
    category (a PP needs ``social``, a DLU ``soins``…), on the document's ESMS and usager. ``candidats``
    bounds the per-category subqueries and ``categories`` says which categories occur (a page of documents:
    no scan of the whole table, no subquery for a category absent from the page)."""
    queryset = Document.objects.all() if queryset is None else queryset
    candidats = Document.objects.all() if candidats is None else candidats
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    base = policy.scope_contenu(user, Droit.DOCUMENTS_VOIR, queryset)
    par_categorie = [
        Q(categorie=code)
        & Q(
            pk__in=policy.scope_contenu(user, Droit.de(code, VOIR), candidats.filter(categorie=code)).values(
                "pk"
            )
        )
        for code, _libelle in CATEGORIES_DOCUMENTS
        if categories is None or code in categories
    ]
    if not par_categorie:
        return queryset.none()
    return base.filter(reduce(or_, par_categorie))


def lisibles_parmi(user, ids: set[int], categories: set[str]) -> set[int]:
    """Which of these documents ``user`` may read: the rules of ``documents_lisibles``, bounded to them and
    to the categories they have (a page of a list: no subquery over the whole table)."""
    if not ids:
        return set()
    page = Document.objects.filter(pk__in=ids)
    return set(
        documents_lisibles(user, page, candidats=page, categories=categories).values_list("pk", flat=True)
    )


def documents_du_dossier(user, usager) -> QuerySet[Document]:
    """The same rules as ``documents_lisibles``, decided on the usager once (no subquery per category)."""
    base = policy.scope_contenu_du_dossier(user, Droit.DOCUMENTS_VOIR, Document.objects.all(), usager)
    par_categorie = [
        Q(categorie=code)
        & Q(
            pk__in=policy.scope_contenu_du_dossier(
                user, Droit.de(code, VOIR), Document.objects.filter(categorie=code), usager
            ).values("pk")
        )
        for code, _libelle in CATEGORIES_DOCUMENTS
    ]
    return base.filter(reduce(or_, par_categorie)).select_related("auteur", "etablissement")
