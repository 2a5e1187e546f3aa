"""Helpers shared by the tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

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


@contextlib.contextmanager
def requetes_comptees() -> Iterator[CaptureQueriesContext]:
    """Capture the queries of a block as a first request of the professional in the process: the rights
    the process keeps (``policy.oublier_les_droits_gardes``) are forgotten first, so the count does not depend on
    what ran before (a request that finds them makes two queries fewer, see tests/habilitations)."""
    from habilitations import policy

    policy.oublier_les_droits_gardes()
    with CaptureQueriesContext(connection) as ctx:
        yield ctx


def nombre_de_requetes(client, url: str) -> int:
    """The SQL queries of one GET of ``url`` (which must answer 200), the professional's rights not yet kept
    by the process (``policy.oublier_les_droits_gardes``): the count of a first request, the same whatever ran
    before (a request that finds them kept makes two queries fewer, see tests/habilitations)."""
    with requetes_comptees() as ctx:
        reponse = client.get(url)
    assert reponse.status_code == 200, url
    return len(ctx.captured_queries)


# The policy's entry points: a "consultation" is a call from outside the policy module (its own internal
# calls — scope_contenu calling scope — are one consultation).
ENTREES_DE_LA_POLITIQUE = (
    "can",
    "scope",
    "scope_contenu",
    "can_contenu",
    "scope_contenu_du_dossier",
    "can_dans_etablissement",
    "actions_sur",
)


class ConsultationsDeLaPolitique:
    """Counts the consultations of ``habilitations.policy`` while active (the real functions run)."""

    def __init__(self, monkeypatch):
        from habilitations import policy

        self.appels: list[str] = []
        self._profondeur = 0
        for nom in ENTREES_DE_LA_POLITIQUE:
            if hasattr(policy, nom):
                monkeypatch.setattr(policy, nom, self._compter(nom, getattr(policy, nom)))

    def _compter(self, nom, fonction):
        def enveloppe(*args, **kwargs):
            if self._profondeur == 0:
                self.appels.append(nom)
            self._profondeur += 1
            try:
                return fonction(*args, **kwargs)
            finally:
                self._profondeur -= 1

        return enveloppe

    def __len__(self) -> int:
        return len(self.appels)
