"""Helpers shared by the tests."""

from __future__ import annotations

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
