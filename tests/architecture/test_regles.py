"""The project's lint rules over the product code, each with a good and a bad example."""

from __future__ import annotations

import pytest
from django.apps import apps

from dui.models import TenantModel
from tests.architecture import graphe, regles


def _suivis() -> set[str]:
    return {
        m.__name__
        for m in apps.get_models()
        if hasattr(m, "history") and not m.__name__.startswith("Historical")
    }


def _locataires() -> set[str]:
    return {m.__name__ for m in apps.get_models() if issubclass(m, TenantModel)}


def _sur_le_produit(regle, *args) -> list[str]:
    return [
        f"{nom}:{v}"
        for nom, chemin in graphe.modules().items()
        for v in regle(nom, chemin.read_text(), *args)
    ]


def test_no_history_skipping_update_on_audited_models():
    assert {"Usager", "Proche", "ProjetPersonnalise", "Prescription"} <= _suivis()
    assert _sur_le_produit(regles.update_sans_historique, _suivis()) == []


def test_history_rule_examples():
    suivis = {"Proche"}
    bon = "update_with_history(Proche.objects.filter(usager=u), ordre_appel=1)\nRappel.objects.filter(x=1).update(y=2)\n"
    assert regles.update_sans_historique("usagers.services", bon, suivis) == []
    mauvais = "Proche.objects.filter(usager=u).exclude(a=1).update(ordre_appel=1)\n"
    assert regles.update_sans_historique("usagers.services", mauvais, suivis) == [
        "1: Proche.objects….update() sans historique"
    ]
    assert regles.update_sans_historique("usagers.services", "Proche.objects.bulk_update(l, ['a'])\n", suivis)


def test_permission_actions_are_declared_constants():
    assert _sur_le_produit(regles.actions_en_clair) == []


def test_actions_rule_examples():
    assert regles.actions_en_clair("soins.views", "policy.can(u, Droit.SOINS_VOIR, x)\n") == []
    assert regles.actions_en_clair("soins.views", "policy.can(u, 'soins.voir', x)\n") == ["1: 'soins.voir'"]
    assert regles.actions_en_clair("soins.views", "policy.can(u, f'{c}.modifier', x)\n")
    # a typo in a constant fails at import, not silently at run time
    from habilitations.roles import Droit

    with pytest.raises(AttributeError):
        Droit.SOINS_VIOR  # noqa: B018
    with pytest.raises(ValueError, match="inconnue"):
        from habilitations.roles import valider_action

        valider_action("soins.voire")


def test_views_query_tenant_models_through_the_scoped_helpers():
    assert _sur_le_produit(regles.requetes_hors_aides, _locataires()) == []


def test_scoped_helpers_rule_examples():
    locataires = {"Usager"}
    bon = "usager = get_for_user_or_404(u, Droit.SOINS_VOIR, Usager.objects.filter(actif=True), pid)\n"
    assert regles.requetes_hors_aides("soins.views", bon, locataires) == []
    mauvais = "usager = Usager.objects.get(public_id=pid)\n"
    assert regles.requetes_hors_aides("soins.views", mauvais, locataires) == [
        "1: Usager.objects hors des aides ciblées"
    ]
    assert (
        regles.requetes_hors_aides("soins.selectors", mauvais, locataires) == []
    )  # selectors scope themselves


def test_every_row_of_a_dossier_declares_its_data_category():
    """A tenant model that belongs to a person (a ``usager`` foreign key) says, in one place, its category."""
    sans = [
        m.__name__
        for m in apps.get_models()
        if issubclass(m, TenantModel)
        and any(f.name == "usager" for f in m._meta.concrete_fields)
        and m.categorie_donnees is None
        and not m.categories_admises
    ]
    assert sans == []


def test_a_right_of_another_category_on_a_dossier_row_fails_in_the_tests():
    from django.core.exceptions import ImproperlyConfigured

    from habilitations import policy
    from habilitations.roles import Droit
    from soins.models import Constante

    policy.verifier_categorie(Droit.SOINS_VOIR, Constante)  # its category
    with pytest.raises(ImproperlyConfigured, match="social.voir sur Constante"):
        policy.verifier_categorie(Droit.SOCIAL_VOIR, Constante)
