"""French full-text search of the documents, accents ignored: the ``fr_dui`` configuration (migration 0005)
is PostgreSQL's French stemmer behind ``unaccent``. The title weighs more than the text."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CONFIGURATION = "fr_dui"
TEXTE_MAX = 400_000  # characters indexed per document: a tsvector is limited to 1 MB


def vecteur(titre: str, texte: str, etiquettes: list[str] | None = None) -> str:
    """The tsvector (text form) of a document, to store in ``Document.recherche``."""
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT (setweight(to_tsvector(%s::regconfig, %s), 'A') "
            "|| setweight(to_tsvector(%s::regconfig, %s), 'B'))::text",
            [CONFIGURATION, f"{titre} {' '.join(etiquettes or [])}", CONFIGURATION, texte[:TEXTE_MAX]],
        )
        return curseur.fetchone()[0]


def requete(texte: str) -> SearchQuery:
    """What the professional typed, read as a web search (words, "exact phrase", -excluded)."""
    return SearchQuery(texte, config=CONFIGURATION, search_type="websearch")


DEBUT, FIN = "\x02", "\x03"


def annoter_extraits(queryset, texte: str):
    """The passages of each document's text that match, computed by the same query (``extrait_brut``)."""
    from django.contrib.postgres.search import SearchHeadline

    return queryset.annotate(
        extrait_brut=SearchHeadline(
            "texte",
            requete(texte),
            config=CONFIGURATION,
            start_sel=DEBUT,
            stop_sel=FIN,
            max_fragments=2,
            max_words=18,
            min_words=6,
            fragment_delimiter=" … ",
        )
    )


def extrait(brut: str | None) -> SafeString:
    """A headline made safe: escaped first, so that a document's text never becomes HTML, then the matched
    words in <mark>."""
    sur = escape(brut or "").replace(DEBUT, "<mark>").replace(FIN, "</mark>")
    return mark_safe(sur)  # noqa: S308 - escaped above, only our own markers become tags
