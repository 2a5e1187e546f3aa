"""The dossier as a registry (usagers.dossier): a tab or a banner item is one declaration, shown only to
those whose rights allow it; the dossier page asks the policy once for the person and its query count is
pinned."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from habilitations.roles import Droit
from tests.utils import ConsultationsDeLaPolitique, nombre_de_requetes
from usagers.dossier import registre

pytestmark = pytest.mark.django_db


@pytest.fixture
def onglet_de_test():
    """A tab of a would-be app, gated on medical data, pointing at an existing dossier route."""
    registre.onglet(
        "essai",
        "Onglet essai médical",
        ordre=55,
        url="usagers:presence",
        voir=Droit.MEDICAL_VOIR,
        groupe="identite",
    )
    registre.bandeau(
        "essai",
        ordre=99,
        voir=Droit.MEDICAL_VOIR,
        template="usagers/_bandeau_essai.html",
        contexte=lambda user, usager: {"texte": f"Bandeau essai pour {usager.premier_prenom}"},
    )
    yield
    registre.retirer("essai")


def test_a_registered_tab_and_banner_item_are_rendered_for_those_allowed(
    og_a, usager_a, client_de, onglet_de_test, settings, tmp_path
):
    gabarits = tmp_path / "gabarits" / "usagers"
    gabarits.mkdir(parents=True)
    (gabarits / "_bandeau_essai.html").write_text('<p data-testid="bandeau-essai">{{ b.texte }}</p>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "gabarits", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    url = f"/usagers/{usager_a.public_id}/"

    corps = client_de(og_a["medecin"]).get(url).content.decode()
    assert "Onglet essai médical" in corps and "Bandeau essai pour Hélène" in corps
    # in its section, after "Séjours et présence" (50): the declared order
    assert navigation(corps)["Identité"][-1] == "Onglet essai médical"
    assert corps.index("Séjours et présence") < corps.index("Onglet essai médical")
    # an educator has no medical right: neither the tab nor the banner item
    corps = client_de(og_a["educateur"]).get(url).content.decode()
    assert "Onglet essai médical" not in corps and "Bandeau essai" not in corps
    assert "Accompagnement" in navigation(corps)  # the educator's own sections are there


def test_declarations_are_checked(onglet_de_test):
    with pytest.raises(ImproperlyConfigured, match="déjà déclaré"):
        registre.onglet(
            "essai", "Deux fois", ordre=1, url="usagers:dossier", voir=Droit.SOINS_VOIR, groupe="soins"
        )
    with pytest.raises(ImproperlyConfigured, match="Droit"):
        registre.onglet(
            "essai-2", "Sans droit", ordre=1, url="usagers:dossier", voir="soins.voir", groupe="soins"
        )
    with pytest.raises(ImproperlyConfigured, match="inconnue"):
        registre.libelle("section-inexistante")
    orphelin = registre.onglet(
        "essai-3", "Sans section", ordre=1, url="usagers:dossier", voir=Droit.SOINS_VOIR, groupe="nulle-part"
    )
    try:
        with pytest.raises(ImproperlyConfigured, match="groupe 'nulle-part' inconnu"):
            registre.navigation([orphelin], "essai-3")
    finally:
        registre.retirer("essai-3")


def navigation(corps: str) -> dict[str, list[str]]:
    """The dossier's sections as the page shows them, with the tabs of the current one (issue 23, item 5)."""
    import re

    sections = re.findall(r'data-testid="groupe-onglets">([^<]+)</a>', corps)
    courante = re.search(r'<nav class="onglets sous-onglets" aria-label="([^"]+)">(.*?)</nav>', corps, re.S)
    resultat: dict[str, list[str]] = {s: [] for s in sections}
    if courante:
        resultat[courante.group(1)] = [t.strip() for t in re.findall(r">([^<]+)</a>", courante.group(2))]
    return resultat


def test_the_sections_fit_one_row_and_hold_every_tab_of_the_role(og_a, usager_a, client_de):
    """Issue 23, item 5: five sections instead of fifteen tabs; each section's tabs under it."""
    url = f"/usagers/{usager_a.public_id}/"
    client = client_de(og_a["infirmier"])
    nav = navigation(client.get(url).content.decode())
    assert list(nav) == [
        "Identité",
        "Accompagnement",
        "Soins",
        "Médicaments",
        "Documents",
    ]
    assert nav["Identité"][:2] == ["Identité", "Administratif"]
    soins = navigation(client.get(f"/soins/dossier/{usager_a.public_id}/").content.decode())
    assert soins["Soins"] == ["Soins et dossier médical", "Constantes", "Transmissions", "Plan de soins"]


def test_tabs_follow_the_rights_of_each_role(og_a, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/"
    infirmier = client_de(og_a["infirmier"]).get(url).content.decode()
    for libelle in ("Accompagnement", "Soins", "Médicaments", "Documents"):
        assert libelle in navigation(infirmier), libelle
    assert 'data-testid="bandeau-allergies"' in infirmier
    educateur = client_de(og_a["educateur"])
    sections = navigation(educateur.get(url).content.decode())
    assert "Soins" not in sections and "Médicaments" not in sections
    accompagnement = navigation(
        educateur.get(f"/accompagnement/dossier/{usager_a.public_id}/projet/").content.decode()
    )
    assert {"Projet personnalisé", "Évaluations"} <= set(accompagnement["Accompagnement"])  # social
    assert 'data-testid="bandeau-allergies"' not in educateur.get(url).content.decode()  # secret partagé
    agent = navigation(client_de(og_a["agent_administratif"]).get(url).content.decode())
    assert "Soins" not in agent and "Documents" in agent


def test_dossier_page_asks_the_policy_once_and_its_query_count_is_pinned(
    og_a, usager_a, client_de, monkeypatch
):
    client = client_de(og_a["infirmier"])
    url = f"/usagers/{usager_a.public_id}/"
    client.get(url)  # session and caches warm, as for any page after the first
    consultations = ConsultationsDeLaPolitique(monkeypatch)
    requetes = nombre_de_requetes(client, url)
    # the lookup (scope) and the decision on the person (actions_sur): before the registry, the identity
    # page consulted the policy 19 times (one per tab and for the banner) and ran 23 queries
    assert consultations.appels == ["scope", "actions_sur"], consultations.appels
    assert requetes == 13, requetes  # issue 16: 21 before (one transaction, rights read once)
    # the admission agent may merge duplicates: one more consultation, for the duplicates list
    agent = client_de(og_a["agent_administratif"])
    agent.get(url)
    consultations.appels.clear()
    assert nombre_de_requetes(agent, url) == 12  # issue 16: 20 before
    assert consultations.appels == ["scope", "actions_sur", "scope"], consultations.appels
