"""The dossier of a person as a registry: every app plugs its tabs and its banner items into the dossier by
declaring them from its ``AppConfig.ready()``; no app edits another's module, and none imports a view
module of another app.

A dossier page of any app does::

    usager = usager_ou_404(request, public_id)                 # tenant + habilitation, 404 otherwise
    return render(request, "…", {**contexte_dossier(request, usager, "soins"), …})

``contexte_dossier`` journals the read once, asks the policy **once** what the professional may do on the
person (``policy.actions_sur``) and builds the banner and the tabs from that decision
(``AccesDossier``), so a dossier page no longer consults the policy once per tab.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone

from dui.audit import journaliser_acces
from dui.models import TypeAcces
from dui.registre import Registre
from habilitations import policy
from habilitations.access import get_for_user_or_404
from habilitations.roles import Droit

from .models import Sejour, Usager


@dataclass(frozen=True)
class Onglet:
    """A tab of the dossier: shown when one of the actions ``voir`` is allowed on the person; ``url`` is
    the name of a route taking the person's ``public_id``; ``groupe`` the section of the navigation it
    belongs to."""

    code: str
    libelle: str
    ordre: int
    url: str
    voir: tuple[Droit, ...]
    groupe: str = ""


@dataclass(frozen=True)
class GroupeOnglets:
    """A section of the dossier's navigation (issue 23, item 5): a few sections on one row of a tablet,
    the tabs of the current one below. A section with no tab the user may open is not shown."""

    code: str
    libelle: str
    ordre: int


@dataclass(frozen=True)
class ElementBandeau:
    """An item of the banner above every tab (the allergies, for the équipe de soins): ``template`` is
    rendered with ``b``, the dict that ``contexte(user, usager)`` returns, when ``voir`` is allowed."""

    code: str
    ordre: int
    voir: Droit
    template: str
    contexte: Callable[[Any, Usager], dict[str, Any]]


class RegistreDossier:
    def __init__(self) -> None:
        self._onglets: Registre[Onglet] = Registre("Onglet du dossier")
        self._groupes: Registre[GroupeOnglets] = Registre("Groupe d'onglets du dossier")
        self._bandeau: Registre[ElementBandeau] = Registre("Élément du bandeau")

    def groupe(self, code: str, libelle: str, *, ordre: int) -> GroupeOnglets:
        return self._groupes.ajouter(GroupeOnglets(code, libelle, ordre))

    def onglet(
        self,
        code: str,
        libelle: str,
        *,
        ordre: int,
        url: str,
        voir: Droit | Iterable[Droit],
        groupe: str,
    ) -> Onglet:
        actions = (voir,) if isinstance(voir, Droit) else tuple(voir)
        if not actions or not all(isinstance(a, Droit) for a in actions):
            raise ImproperlyConfigured(f"Onglet {code!r} : « voir » attend des habilitations.roles.Droit.")
        return self._onglets.ajouter(Onglet(code, libelle, ordre, url, actions, groupe))

    def navigation(self, visibles: list[Onglet], section: str) -> list[dict[str, Any]]:
        """The sections that hold at least one of the ``visibles`` tabs, in their order, each with its tabs
        and the URL name of its first one; the section of ``section`` is marked current."""
        par_groupe: dict[str, list[Onglet]] = {}
        for o in visibles:
            if self._groupes.get(o.groupe) is None:
                raise ImproperlyConfigured(f"Onglet {o.code!r} : groupe {o.groupe!r} inconnu.")
            par_groupe.setdefault(o.groupe, []).append(o)
        return [
            {
                "code": g.code,
                "libelle": g.libelle,
                "url": par_groupe[g.code][0].url,
                "onglets": [(o.code, o.libelle, o.url) for o in par_groupe[g.code]],
                "courant": any(o.code == section for o in par_groupe[g.code]),
            }
            for g in self._groupes.tous()
            if g.code in par_groupe
        ]

    def bandeau(
        self,
        code: str,
        *,
        ordre: int,
        voir: Droit,
        template: str,
        contexte: Callable[[Any, Usager], dict[str, Any]],
    ) -> ElementBandeau:
        if not isinstance(voir, Droit):
            raise ImproperlyConfigured(f"Bandeau {code!r} : « voir » attend une habilitations.roles.Droit.")
        return self._bandeau.ajouter(ElementBandeau(code, ordre, voir, template, contexte))

    def retirer(self, code: str) -> None:
        """Forget a declaration (tests that register a tab of their own)."""
        self._onglets.retirer(code)
        self._bandeau.retirer(code)

    def onglets(self) -> list[Onglet]:
        return self._onglets.tous()

    def elements_bandeau(self) -> list[ElementBandeau]:
        return self._bandeau.tous()

    def libelle(self, section: str) -> str:
        onglet = self._onglets.get(section)
        if onglet is None:
            raise ImproperlyConfigured(f"Section du dossier inconnue : {section!r}.")
        return onglet.libelle


registre = RegistreDossier()


@dataclass(frozen=True)
class AccesDossier:
    """What the professional may do on this person, decided once for the request."""

    actions: frozenset[str]

    def peut(self, *actions: Droit) -> bool:
        """At least one of ``actions`` is allowed."""
        return any(action in self.actions for action in actions)


def acces_au_dossier(user: Any, usager: Usager) -> AccesDossier:
    return AccesDossier(policy.actions_sur(user, usager))


def usager_ou_404(request: HttpRequest, public_id: Any, action: Droit = Droit.ADMINISTRATIF_VOIR) -> Usager:
    """The (not merged) usager with this public id if ``action`` is allowed on it: the lookup of every
    dossier page, in every app."""
    return get_for_user_or_404(
        request.user, action, Usager.objects.filter(fusionne_dans__isnull=True), public_id
    )


def contexte_dossier(
    request: HttpRequest, usager: Usager, section: str, precision: str = ""
) -> dict[str, Any]:
    """Banner and tabs shared by every section of the dossier (all apps); the read is journaled once per
    page, on the usager, with the section (and ``precision``: which PP, which evaluation…)."""
    libelle = registre.libelle(section)
    # the séjours, loaded once, answer the ESMS of the person for the journal and the policy too
    prefetch_related_objects(
        [usager], Prefetch("sejours", queryset=Sejour.objects.select_related("etablissement", "unite"))
    )
    sejours = list(usager.sejours.all())
    journaliser_acces(
        request,
        TypeAcces.LECTURE,
        usager,
        f"Dossier de {usager} — {libelle}{f' — {precision}' if precision else ''}",
    )
    acces = acces_au_dossier(request.user, usager)
    jour = timezone.localdate()
    return {
        "usager": usager,
        "section": section,
        "acces": acces,
        "bandeau": [
            {"template": e.template, "contexte": e.contexte(request.user, usager)}
            for e in registre.elements_bandeau()
            if acces.peut(e.voir)
        ],
        "groupes_onglets": registre.navigation(
            [o for o in registre.onglets() if acces.peut(*o.voir)], section
        ),
        "sejours": sejours,
        "sejour_courant": next((s for s in sejours if s.en_cours(jour)), None),
        "peut_modifier": acces.peut(Droit.ADMINISTRATIF_MODIFIER),
    }
