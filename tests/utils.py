"""Helpers shared by the tests."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver


def named_routes() -> list[tuple[str, set[str]]]:
    """(namespaced name, path parameters) of every named URL of the project."""
    routes: list[tuple[str, set[str]]] = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                routes.append((prefix + p.name, set(p.pattern.converters)))

    walk(get_resolver().url_patterns)
    return routes


def nombre_de_requetes(client, url: str) -> int:
    """The SQL queries of one GET of ``url`` (which must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        reponse = client.get(url)
    assert reponse.status_code == 200, url
    return len(ctx.captured_queries)
